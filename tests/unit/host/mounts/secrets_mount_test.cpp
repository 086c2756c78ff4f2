#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <vps/host/mounts/secrets_mount.hpp>

#include "private_mounts.hpp"

using namespace vps;
using namespace vps::host;

namespace {

// The mountinfo line for `dir` (the last one: the topmost mount).
std::string mountinfo_line(const std::filesystem::path& dir) {
  auto info = test::read_text("/proc/self/mountinfo");
  std::string found;
  std::size_t start = 0;
  while (start < info.size()) {
    auto end = info.find('\n', start);
    auto line = info.substr(start, end - start);
    if (line.find(" " + dir.string() + " ") != std::string::npos) found = line;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return found;
}

void check_mount_flags(const std::filesystem::path& dir) {
  struct statvfs vfs {};
  REQUIRE(::statvfs(dir.c_str(), &vfs) == 0);
  CHECK((vfs.f_flag & ST_NOSUID) != 0);
  CHECK((vfs.f_flag & ST_NODEV) != 0);
  CHECK((vfs.f_flag & ST_NOEXEC) != 0);
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0751);
}

}  // namespace

TEST_SUITE("host::mounts::ensure_mounted") {
  TEST_CASE("mounts ramfs nosuid,nodev,noexec with mode 0751, then finds it mounted") {
    VPS_REQUIRE_PRIVATE_MOUNTS();
    test::ScratchMounts scratch;
    mounts::MountOptions options;
    options.mount_point = scratch / "run" / "vps-secrets.d";
    auto first = mounts::ensure_mounted(options);
    REQUIRE_MESSAGE(first, first.error().message);
    scratch.adopt(options.mount_point);
    CHECK(*first == mounts::MountOutcome::mounted);
    CHECK(*mounts::is_mount_root(options.mount_point));
    check_mount_flags(options.mount_point);
    CHECK(mountinfo_line(options.mount_point).find(" - ramfs ") != std::string::npos);
    auto second = mounts::ensure_mounted(options);
    REQUIRE(second);
    CHECK(*second == mounts::MountOutcome::already_mounted);
  }

  TEST_CASE("mounts tmpfs with noswap when the kernel supports it") {
    VPS_REQUIRE_PRIVATE_MOUNTS();
    test::ScratchMounts scratch;
    mounts::MountOptions options;
    options.mount_point = scratch / "tmpfs";
    options.type = mounts::FsType::tmpfs;
    options.tmpfs_size = "4m";
    auto outcome = mounts::ensure_mounted(options);
    REQUIRE_MESSAGE(outcome, outcome.error().message);
    scratch.adopt(options.mount_point);
    check_mount_flags(options.mount_point);
    auto line = mountinfo_line(options.mount_point);
    CHECK(line.find(" - tmpfs ") != std::string::npos);
    CHECK(line.find("size=4096k") != std::string::npos);
    // noswap arrived in Linux 6.4; older kernels get a warning and a mount without it.
    auto release = test::read_text("/proc/sys/kernel/osrelease");
    int major = 0, minor = 0;
    std::sscanf(release.c_str(), "%d.%d", &major, &minor);
    if (major > 6 || (major == 6 && minor >= 4)) CHECK(line.find("noswap") != std::string::npos);
  }

  TEST_CASE("a directory merely sitting on a memory fs is not taken as mounted") {
    VPS_REQUIRE_PRIVATE_MOUNTS();
    test::ScratchMounts scratch;
    REQUIRE(scratch.mount("tmpfs", "run", "size=1m"));
    auto dir = scratch / "run" / "vps-secrets.d";
    std::filesystem::create_directory(dir);
    CHECK_FALSE(*mounts::is_mount_root(dir));
    mounts::MountOptions options;
    options.mount_point = dir;
    auto outcome = mounts::ensure_mounted(options);
    REQUIRE(outcome);
    scratch.adopt(dir);
    CHECK(*outcome == mounts::MountOutcome::mounted);
    CHECK(mountinfo_line(dir).find(" - ramfs ") != std::string::npos);
  }

  TEST_CASE("refuses when another filesystem is mounted there") {
    VPS_REQUIRE_PRIVATE_MOUNTS();
    test::ScratchMounts scratch;
    std::filesystem::create_directories(scratch / "disk");
    std::filesystem::create_directories(scratch / "mnt");
    if (mountinfo_line(scratch / "disk").find(" - tmpfs ") != std::string::npos)
      VPS_SKIP("TMPDIR is itself on a memory filesystem");
    REQUIRE(scratch.bind(scratch / "disk", scratch / "mnt"));
    mounts::MountOptions options;
    options.mount_point = scratch / "mnt";
    auto outcome = mounts::ensure_mounted(options);
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().code == Errc::io);
    CHECK(outcome.error().message.find("something else is mounted there") != std::string::npos);
  }

  TEST_CASE("refuses a mount point that is a regular file") {
    VPS_REQUIRE_PRIVATE_MOUNTS();
    test::ScratchMounts scratch;
    test::write_text(scratch / "file", "x");
    mounts::MountOptions options;
    options.mount_point = scratch / "file";
    auto outcome = mounts::ensure_mounted(options);
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().code == Errc::io);
  }

  TEST_CASE("rejects a tmpfs size that would smuggle mount options") {
    VPS_REQUIRE_PRIVATE_MOUNTS();
    test::ScratchMounts scratch;
    mounts::MountOptions options;
    options.mount_point = scratch / "tmpfs";
    options.type = mounts::FsType::tmpfs;
    for (auto size : {"16m,mode=0777", "m", "-1", "16mb", "1 g"}) {
      CAPTURE(size);
      options.tmpfs_size = size;
      auto outcome = mounts::ensure_mounted(options);
      REQUIRE_FALSE(outcome);
      CHECK(outcome.error().code == Errc::config);
      CHECK_FALSE(*mounts::is_mount_root(options.mount_point));
    }
  }
}
