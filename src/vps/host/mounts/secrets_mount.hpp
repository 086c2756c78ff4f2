#pragma once
// The memory filesystem that holds secret generations: ramfs by default (never swapped), or
// tmpfs (size-limited; mounted with `noswap` when the kernel knows it, >= 6.4). Mounted
// nosuid,nodev,noexec with mode 0751 so users can traverse to the files granted to them but
// cannot list the directory.

#include <filesystem>
#include <string>

#include <vps/base/result.hpp>
#include <vps/host/mounts/memory_fs.hpp>

namespace vps::host::mounts {

struct MountOptions {
  std::filesystem::path mount_point = "/run/vps-secrets.d";
  FsType type = FsType::ramfs;
  std::string tmpfs_size;  // tmpfs only: "size=" value such as "16m"; empty = kernel default
};

enum class MountOutcome {
  mounted,          // we mounted it just now
  already_mounted,  // a ramfs/tmpfs was already mounted there (e.g. the agent restarted)
};

// Creates the mount point if needed (mode 0751) and mounts the filesystem unless a ramfs or
// tmpfs is already mounted exactly there. A directory that merely sits on some memory
// filesystem (such as /run itself, a tmpfs) is not enough: we want a mount of our own.
// Anything else mounted there is refused (Errc::io).
Result<MountOutcome> ensure_mounted(const MountOptions& options);

// True if `dir` is the root of a mount (statx STATX_ATTR_MOUNT_ROOT, or a device change
// against the parent directory on kernels without it).
Result<bool> is_mount_root(const std::filesystem::path& dir);

}  // namespace vps::host::mounts
