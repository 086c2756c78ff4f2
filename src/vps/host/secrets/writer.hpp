#pragma once
// Writes one plaintext file below a generation directory: intermediate directories (0751,
// root) are created as needed, every directory written into is checked to be ramfs/tmpfs
// through its open descriptor, and the file is created exclusively (O_EXCL, O_NOFOLLOW) with
// mode 0600 for root before it is chowned and chmod'ed, so no other user can ever open it
// half-written. No fsync: the filesystem is memory.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/sys/fs/atomic_file.hpp>

namespace vps::host::secrets {

inline constexpr mode_t k_secret_dir_mode = 0751;

// `name` must have passed check_name. `root_path` only names things in error messages.
Status write_secret_at(int root_fd, const std::filesystem::path& root_path, std::string_view name,
                       ByteView data, sys::FileOwner owner, mode_t mode);

// The same for many files of one generation: each directory is created, opened and checked
// once and its descriptor reused (thousands of secrets in a few directories would otherwise
// repeat those system calls for every file). Borrows root_fd.
class GenerationWriter {
 public:
  GenerationWriter(int root_fd, std::filesystem::path root_path) : m_root_fd(root_fd), m_root_path(std::move(root_path)) {}
  Status write(std::string_view name, ByteView data, sys::FileOwner owner, mode_t mode);

 private:
  // The open, memory-fs-checked descriptor of `dir` ("" = the root, "a/b").
  Result<int> directory(std::string_view dir);

  int m_root_fd;
  std::filesystem::path m_root_path;
  bool m_root_checked = false;
  std::map<std::string, sys::Fd, std::less<>> m_dirs;
};

}  // namespace vps::host::secrets
