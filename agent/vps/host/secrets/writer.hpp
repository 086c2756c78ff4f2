#pragma once
// Writes one plaintext file below a generation directory: intermediate directories (0751,
// root) are created as needed, every directory written into is checked to be ramfs/tmpfs
// through its open descriptor, and the file is created exclusively (O_EXCL, O_NOFOLLOW) with
// mode 0600 for root before it is chowned and chmod'ed, so no other user can ever open it
// half-written. No fsync: the filesystem is memory.

#include <filesystem>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/host/fs/atomic_file.hpp>

namespace vps::host::secrets {

inline constexpr mode_t k_secret_dir_mode = 0751;

// `name` must have passed check_name. `root_path` only names things in error messages.
Status write_secret_at(int root_fd, const std::filesystem::path& root_path, std::string_view name,
                       ByteView data, FileOwner owner, mode_t mode);

}  // namespace vps::host::secrets
