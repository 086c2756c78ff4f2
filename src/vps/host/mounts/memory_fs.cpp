#include <vps/host/mounts/memory_fs.hpp>

#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::mounts {

namespace {

std::string magic_name(std::uint64_t magic) {
  switch (magic) {
    case 0xef53: return "ext2/3/4";
    case 0x794c7630: return "overlayfs";
    case 0x58465342: return "xfs";
    case 0x9123683e: return "btrfs";
    case 0x6969: return "nfs";
    default: return "unknown";
  }
}

}  // namespace

std::string_view fs_type_name(FsType type) { return type == FsType::ramfs ? "ramfs" : "tmpfs"; }

Result<std::uint64_t> fs_magic(int fd, const std::filesystem::path& what) {
  struct statfs st {};
  if (::fstatfs(fd, &st) != 0)
    return fail(Errc::io, "cannot statfs '" + what.string() + "': " + sys::errno_text(errno));
  // f_type is a signed word on some ABIs; the magic values are 32-bit.
  return static_cast<std::uint64_t>(static_cast<std::uint32_t>(st.f_type));
}

Status require_memory_fs(int dir_fd, const std::filesystem::path& what) {
  auto magic = VPS_TRY(fs_magic(dir_fd, what));
  if (magic == k_ramfs_magic || magic == k_tmpfs_magic) return {};
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(magic));
  return fail(Errc::io, "refusing to write plaintext into '" + what.string() + "': filesystem magic " +
                            hex + " (" + magic_name(magic) + ") is not ramfs or tmpfs");
}

Result<sys::Fd> open_memory_dir(const std::filesystem::path& dir) {
  sys::Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    int err = errno;
    return fail(err == ENOENT ? Errc::missing : Errc::io,
                "cannot open directory '" + dir.string() + "': " + sys::errno_text(err));
  }
  VPS_CHECK(require_memory_fs(fd.get(), dir));
  return fd;
}

}  // namespace vps::host::mounts
