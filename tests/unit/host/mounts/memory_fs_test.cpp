#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <vps/sys/fs/fd.hpp>
#include <vps/host/mounts/memory_fs.hpp>

#include "private_mounts.hpp"

using namespace vps;
using namespace vps::host;

namespace {

sys::Fd open_dir(const std::filesystem::path& dir) {
  return sys::Fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

bool on_memory_fs(const std::filesystem::path& dir) {
  auto fd = open_dir(dir);
  return static_cast<bool>(mounts::require_memory_fs(fd.get(), dir));
}

}  // namespace

TEST_SUITE("host::mounts::require_memory_fs") {
  TEST_CASE("refuses a plain directory on a disk filesystem") {
    test::TempDir dir;
    if (on_memory_fs(dir.path())) VPS_SKIP("TMPDIR is itself on a memory filesystem; no disk directory to test");
    auto fd = open_dir(dir.path());
    auto checked = mounts::require_memory_fs(fd.get(), dir.path());
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == Errc::io);
    CHECK(checked.error().message.find("refusing to write plaintext") != std::string::npos);
    CHECK(checked.error().message.find(dir.path().string()) != std::string::npos);
  }

  TEST_CASE("open_memory_dir checks where a symlink leads, not the link") {
    VPS_REQUIRE_PRIVATE_MOUNTS();
    test::ScratchMounts scratch;
    REQUIRE(scratch.mount("ramfs", "ram"));
    std::filesystem::create_directory(scratch / "disk");
    if (on_memory_fs(scratch / "disk")) VPS_SKIP("TMPDIR is itself on a memory filesystem");
    // A link living on ramfs that points at a disk directory must be refused.
    std::filesystem::create_directory_symlink(scratch / "disk", scratch / "ram" / "to-disk");
    auto opened = mounts::open_memory_dir(scratch / "ram" / "to-disk");
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == Errc::io);
    CHECK(mounts::open_memory_dir(scratch / "ram"));
  }

  TEST_CASE("accepts ramfs and tmpfs") {
    VPS_REQUIRE_PRIVATE_MOUNTS();
    test::ScratchMounts scratch;
    REQUIRE(scratch.mount("ramfs", "ram"));
    REQUIRE(scratch.mount("tmpfs", "tmp", "size=1m"));
    auto ram = open_dir(scratch / "ram");
    auto tmp = open_dir(scratch / "tmp");
    CHECK(*mounts::fs_magic(ram.get(), scratch / "ram") == mounts::k_ramfs_magic);
    CHECK(*mounts::fs_magic(tmp.get(), scratch / "tmp") == mounts::k_tmpfs_magic);
    CHECK(mounts::require_memory_fs(ram.get(), scratch / "ram"));
    CHECK(mounts::require_memory_fs(tmp.get(), scratch / "tmp"));
  }
}
