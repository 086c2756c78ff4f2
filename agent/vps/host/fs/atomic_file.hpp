#pragma once
// AtomicFile: write a file so that readers (and a crash at any instant) see either the old
// content or the complete new one. Data goes to a temp file in the same directory (O_EXCL,
// final mode from the start), which is fsync'ed, renamed over the target, then the directory is
// fsync'ed. Destroying an uncommitted AtomicFile removes the temp file: half-written data never
// takes the target's name.

#include <filesystem>
#include <optional>
#include <sys/types.h>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/host/fs/fd.hpp>

namespace vps::host {

struct FileOwner {
  uid_t uid;
  gid_t gid;
};

class AtomicFile {
 public:
  static Result<AtomicFile> create(const std::filesystem::path& target, mode_t mode,
                                   std::optional<FileOwner> owner = std::nullopt);
  ~AtomicFile();
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;

  Status write(ByteView data);
  // fsync, rename over the target, fsync the directory.
  Status commit();
  // As commit, but fails (Errc::io, EEXIST) if the target already exists: renameat2(NOREPLACE).
  Status commit_no_replace();

  const std::filesystem::path& temp_path() const { return m_temp; }

 private:
  AtomicFile(std::filesystem::path target, std::filesystem::path temp, Fd fd);
  Status commit_with(unsigned flags);

  std::filesystem::path m_target;
  std::filesystem::path m_temp;
  Fd m_fd;
  bool m_committed = false;
};

// One-call helper: write data atomically with the given mode.
Status write_file_atomic(const std::filesystem::path& target, ByteView data, mode_t mode,
                         std::optional<FileOwner> owner = std::nullopt);

}  // namespace vps::host
