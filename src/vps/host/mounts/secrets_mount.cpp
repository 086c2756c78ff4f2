#include <vps/host/mounts/secrets_mount.hpp>

#include <cerrno>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/base/log.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::mounts {

namespace {

constexpr mode_t k_mount_mode = 0751;
constexpr unsigned long k_mount_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

Status create_mount_point(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), k_mount_mode) != 0 && errno != EEXIST)
    return fail(Errc::io, "cannot create mount point '" + dir.string() + "': " + sys::errno_text(errno));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return fail(Errc::io, "cannot stat mount point '" + dir.string() + "': " + sys::errno_text(errno));
  if (!S_ISDIR(st.st_mode))
    return fail(Errc::io, "mount point '" + dir.string() + "' exists and is not a directory");
  return {};
}

int do_mount(const char* type, const std::filesystem::path& dir, const std::string& data) {
  return ::mount(type, dir.c_str(), type, k_mount_flags, data.c_str());
}

// "16m", "1g", "4096k", "10%": digits and one optional suffix. Anything else could smuggle
// extra mount options (",mode=0777") into the data string.
bool valid_size(std::string_view size) {
  if (size.empty()) return false;
  auto digits = size.find_first_not_of("0123456789");
  if (digits == 0) return false;
  if (digits == std::string_view::npos) return size.size() <= 20;
  return digits + 1 == size.size() && digits <= 20 && std::string_view("kKmMgG%").find(size.back()) != std::string_view::npos;
}

Status mount_fs(const MountOptions& options) {
  const auto& dir = options.mount_point;
  if (options.type == FsType::tmpfs && !options.tmpfs_size.empty() && !valid_size(options.tmpfs_size))
    return fail(Errc::config, "invalid tmpfs size '" + options.tmpfs_size + "': expected a number with k, m, g or %");
  if (options.type == FsType::ramfs) {
    if (do_mount("ramfs", dir, "mode=0751") != 0)
      return fail(Errc::io, "cannot mount ramfs on '" + dir.string() + "': " + sys::errno_text(errno));
    return {};
  }
  std::string data = "mode=0751";
  if (!options.tmpfs_size.empty()) data += ",size=" + options.tmpfs_size;
  if (do_mount("tmpfs", dir, data + ",noswap") == 0) return {};
  // Kernels before 6.4 reject the unknown option with EINVAL; anything else is a real failure.
  if (errno != EINVAL)
    return fail(Errc::io, "cannot mount tmpfs on '" + dir.string() + "': " + sys::errno_text(errno));
  log::warning("tmpfs on '" + dir.string() +
               "' mounted without 'noswap' (kernel does not support it): secrets may reach swap");
  if (do_mount("tmpfs", dir, data) != 0)
    return fail(Errc::io, "cannot mount tmpfs on '" + dir.string() + "': " + sys::errno_text(errno));
  return {};
}

}  // namespace

Result<bool> is_mount_root(const std::filesystem::path& dir) {
  struct statx stx {};
  if (::statx(AT_FDCWD, dir.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) != 0)
    return fail(Errc::io, "cannot stat '" + dir.string() + "': " + sys::errno_text(errno));
  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  struct stat self {}, parent {};
  auto up = dir / "..";
  if (::stat(dir.c_str(), &self) != 0 || ::stat(up.c_str(), &parent) != 0)
    return fail(Errc::io, "cannot stat '" + dir.string() + "': " + sys::errno_text(errno));
  return self.st_dev != parent.st_dev;
}

Result<MountOutcome> ensure_mounted(const MountOptions& options) {
  const auto& dir = options.mount_point;
  auto context = "mounting '" + dir.string() + "'";
  auto created = create_mount_point(dir);
  if (!created) return fail(std::move(created).error().context(context));
  auto mounted = is_mount_root(dir);
  if (!mounted) return fail(std::move(mounted).error().context(context));
  if (*mounted) {
    sys::Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return fail(Errc::io, context + ": cannot open: " + sys::errno_text(errno));
    auto ok = require_memory_fs(fd.get(), dir);
    if (!ok) return fail(std::move(ok).error().context(context + ": something else is mounted there"));
    return MountOutcome::already_mounted;
  }
  auto ok = mount_fs(options);
  if (!ok) return fail(std::move(ok).error());
  // Trust but verify: the mount we just made must be the memory filesystem we asked for.
  sys::Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail(Errc::io, context + ": cannot open after mounting: " + sys::errno_text(errno));
  auto checked = require_memory_fs(fd.get(), dir);
  if (!checked) return fail(std::move(checked).error().context(context));
  return MountOutcome::mounted;
}

}  // namespace vps::host::mounts
