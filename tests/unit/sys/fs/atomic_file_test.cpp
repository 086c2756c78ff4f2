#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>

#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/fd.hpp>

#include "test_support.hpp"

using namespace vps;

namespace {

std::size_t entries(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

mode_t mode_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_SUITE("sys::AtomicFile") {
  TEST_CASE("replaces a file with the exact mode, and leaves no temp behind") {
    test::TempDir dir;
    test::write_text(dir / "f", "old");
    REQUIRE(sys::write_file_atomic(dir / "f", as_bytes(std::string("new")), 0640));
    CHECK(test::read_text(dir / "f") == "new");
    CHECK(mode_of(dir / "f") == 0640);
    CHECK(entries(dir.path()) == 1);
  }

  TEST_CASE("an uncommitted file never takes the target's name") {
    test::TempDir dir;
    test::write_text(dir / "f", "old");
    {
      auto file = sys::AtomicFile::create(dir / "f", 0600);
      REQUIRE(file);
      REQUIRE(file->write(as_bytes(std::string("half"))));
      CHECK(std::filesystem::exists(file->temp_path()));
    }
    CHECK(test::read_text(dir / "f") == "old");
    CHECK(entries(dir.path()) == 1);
  }

  TEST_CASE("commit_no_replace refuses an existing target") {
    test::TempDir dir;
    test::write_text(dir / "f", "old");
    auto file = sys::AtomicFile::create(dir / "f", 0600);
    REQUIRE(file);
    REQUIRE(file->write(as_bytes(std::string("new"))));
    auto committed = file->commit_no_replace();
    REQUIRE_FALSE(committed);
    CHECK(committed.error().code == Errc::io);
    CHECK(test::read_text(dir / "f") == "old");
  }

  TEST_CASE("create_at writes relative to the directory descriptor, durable or not") {
    test::TempDir dir;
    std::filesystem::create_directory(dir / "d");
    sys::Fd fd(::open((dir / "d").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd);
    // The path is only for messages: renaming the directory does not redirect the write.
    std::filesystem::rename(dir / "d", dir / "moved");
    REQUIRE(sys::write_file_atomic_at(fd.get(), dir / "d", "a", as_bytes(std::string("1")), 0400));
    REQUIRE(sys::write_file_atomic_at(fd.get(), dir / "d", "a", as_bytes(std::string("2")), 0400,
                                      sys::Durability::unsynced));
    CHECK(test::read_text(dir / "moved" / "a") == "2");
    CHECK(mode_of(dir / "moved" / "a") == 0400);
    CHECK(entries(dir / "moved") == 1);
    auto refused = sys::AtomicFile::create_at(fd.get(), dir / "d", "../escape", 0600);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::internal);
  }

  TEST_CASE("replace_symlink switches a link and refuses to replace a file") {
    test::TempDir dir;
    REQUIRE(sys::replace_symlink(dir / "1", dir / "link"));
    REQUIRE(sys::replace_symlink(dir / "2", dir / "link"));
    CHECK(std::filesystem::read_symlink(dir / "link") == dir / "2");
    test::write_text(dir / "file", "x");
    auto refused = sys::replace_symlink(dir / "1", dir / "file");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::io);
    CHECK(entries(dir.path()) == 2);
  }
}
