#pragma once
// Plaintext secrets may only ever be written to memory-backed filesystems. These checks look at
// the filesystem magic (statfs) of an already-open directory descriptor, so the check applies
// to exactly the directory written into: a path swapped or re-mounted after the check cannot
// redirect the write.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include <vps/base/result.hpp>
#include <vps/sys/fs/fd.hpp>

namespace vps::host::mounts {

inline constexpr std::uint64_t k_ramfs_magic = 0x858458f6;
inline constexpr std::uint64_t k_tmpfs_magic = 0x01021994;

enum class FsType { ramfs, tmpfs };

std::string_view fs_type_name(FsType type);

// The filesystem magic of the filesystem holding `fd` (fstatfs).
Result<std::uint64_t> fs_magic(int fd, const std::filesystem::path& what);

// Succeeds only if `dir_fd` lives on ramfs or tmpfs; otherwise Errc::io naming `what` and the
// filesystem found, e.g. "refusing to write plaintext into '/x': filesystem magic 0xef53 is
// not ramfs or tmpfs".
Status require_memory_fs(int dir_fd, const std::filesystem::path& what);

// Opens `dir` (O_DIRECTORY, symlinks followed by the kernel, not by us) and checks it as above.
// The returned descriptor is what the caller must write through.
Result<sys::Fd> open_memory_dir(const std::filesystem::path& dir);

}  // namespace vps::host::mounts
