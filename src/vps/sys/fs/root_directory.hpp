#pragma once
// Directories that only root can change, for creating things in them as root (custom `path:`
// symlinks of secrets). A path is walked from "/" one component at a time with
// openat(O_PATH | O_NOFOLLOW | O_DIRECTORY), so a component that is (or is swapped for) a
// symlink is refused rather than followed, and the descriptor that comes out is the directory
// that was checked: creating relative to it (symlinkat, renameat) cannot be redirected later.
//
// The rule, close to systemd's "unsafe path transition" check (chase() with CHASE_SAFE, which
// tmpfiles uses) and stricter at the end:
//   - every directory on the way is owned by root;
//   - one writable by group or others is accepted only on the way and only when sticky (like
//     /tmp: others cannot rename or remove root's entries there);
//   - the last directory, the one that receives the entry, is writable by root alone: in a
//     sticky /tmp anyone could take the name first.
// Missing components are created (mode 0755 less the umask, owned by root) when asked to.
// Refusals are Errc::config (choose another path, or fix the directory's owner or mode);
// system call failures Errc::io.

#include <filesystem>

#include <vps/base/result.hpp>
#include <vps/sys/fs/fd.hpp>

namespace vps::sys {

// Checks `dir` (absolute) without changing anything; a missing tail is fine (it would be
// created, owned by root).
Status check_root_directory(const std::filesystem::path& dir);

// Opens `dir` (an O_PATH descriptor), creating missing components when `create_missing`.
Result<Fd> open_root_directory(const std::filesystem::path& dir, bool create_missing);

}  // namespace vps::sys
