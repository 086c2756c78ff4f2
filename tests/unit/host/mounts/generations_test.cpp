#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <vps/sys/fs/fd.hpp>
#include <vps/host/mounts/generations.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::host;

TEST_SUITE("host::mounts::generations") {
  TEST_CASE("parses generation names strictly") {
    CHECK(mounts::parse_generation("1") == 1u);
    CHECK(mounts::parse_generation("0") == 0u);
    CHECK(mounts::parse_generation("1234567") == 1234567u);
    CHECK_FALSE(mounts::parse_generation(""));
    CHECK_FALSE(mounts::parse_generation("01"));
    CHECK_FALSE(mounts::parse_generation("+1"));
    CHECK_FALSE(mounts::parse_generation("1a"));
    CHECK_FALSE(mounts::parse_generation(".1"));
    CHECK_FALSE(mounts::parse_generation("99999999999999999999"));
  }

  TEST_CASE("lists numeric directories only, and prunes keeping the newest previous ones") {
    test::TempDir dir;
    for (auto name : {"1", "2", "3", "5", "7", "rendered", "04"}) std::filesystem::create_directory(dir / name);
    test::write_text(dir / "9", "a file, not a generation");
    test::write_text(dir / "3" / "secret", "x");
    sys::Fd fd(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY));
    auto all = mounts::list_generations(fd.get(), dir.path());
    REQUIRE(all);
    CHECK(*all == std::vector<std::uint64_t>{1, 2, 3, 5, 7});
    // Current 5, keep 2 previous (3 and 2): 1 goes, and 7 (a leftover above current) goes.
    auto pruned = mounts::prune_generations(fd.get(), dir.path(), 5, 2);
    REQUIRE(pruned);
    CHECK(*pruned == std::vector<std::uint64_t>{7, 1});
    CHECK(*mounts::list_generations(fd.get(), dir.path()) == std::vector<std::uint64_t>{2, 3, 5});
    CHECK(std::filesystem::exists(dir / "rendered"));
  }

  TEST_CASE("remove_tree_at does not follow symlinks") {
    test::TempDir dir;
    std::filesystem::create_directories(dir / "outside");
    test::write_text(dir / "outside" / "keep", "keep");
    std::filesystem::create_directories(dir / "gen" / "sub");
    std::filesystem::create_directory_symlink(dir / "outside", dir / "gen" / "sub" / "link");
    sys::Fd fd(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY));
    REQUIRE(mounts::remove_tree_at(fd.get(), "gen", dir / "gen"));
    CHECK_FALSE(std::filesystem::exists(dir / "gen"));
    CHECK(test::read_text(dir / "outside" / "keep") == "keep");
    // The name itself a symlink to a directory: the link goes, the directory stays.
    std::filesystem::create_directory_symlink(dir / "outside", dir / "top-link");
    REQUIRE(mounts::remove_tree_at(fd.get(), "top-link", dir / "top-link"));
    CHECK_FALSE(std::filesystem::is_symlink(dir / "top-link"));
    CHECK(test::read_text(dir / "outside" / "keep") == "keep");
    // Deep trees with files at every level, and an absent name, are fine.
    std::filesystem::create_directories(dir / "deep/a/b/c");
    for (auto sub : {"deep", "deep/a", "deep/a/b", "deep/a/b/c"}) test::write_text(dir / sub / "f", "x");
    REQUIRE(mounts::remove_tree_at(fd.get(), "deep", dir / "deep"));
    CHECK_FALSE(std::filesystem::exists(dir / "deep"));
    CHECK(mounts::remove_tree_at(fd.get(), "absent", dir / "absent"));
  }

  TEST_CASE("replace_symlink switches links and refuses real files") {
    test::TempDir dir;
    auto link = dir / "current";
    REQUIRE(mounts::replace_symlink(dir / "1", link));
    CHECK(std::filesystem::read_symlink(link) == dir / "1");
    REQUIRE(mounts::replace_symlink(dir / "2", link));
    CHECK(std::filesystem::read_symlink(link) == dir / "2");
    CHECK(*mounts::current_generation(link, dir.path()) == 2u);
    CHECK_FALSE(*mounts::current_generation(dir / "absent", dir.path()));
    test::write_text(dir / "file", "x");
    auto refused = mounts::replace_symlink(dir / "1", dir / "file");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::io);
    CHECK(test::read_text(dir / "file") == "x");
    // No temp links are left behind.
    std::size_t entries = 0;
    for (auto& entry : std::filesystem::directory_iterator(dir.path())) entries += entry.path().filename().string()[0] == '.';
    CHECK(entries == 0);
  }
}
