#pragma once
// AtomicFile: the one way the programs replace a file, so that readers (and a crash at any
// instant) see either the old content or the complete new one. Data goes to a temp file in the
// same directory ("<target>.tmp-<hex>", temp_name.hpp; O_EXCL, final mode from the start), which
// is fsync'ed, renamed over the target, then the directory is fsync'ed. Destroying an uncommitted
// AtomicFile removes the temp file: half-written data never takes the target's name.
//
// Durability::unsynced skips both fsyncs: still atomic for readers and crashes, but the new
// content may be lost on power failure. For files re-derived on every boot (the host key's .pub,
// state.json at first boot), where two fsyncs per file would double the first-boot critical path.

#include <filesystem>
#include <optional>
#include <sys/types.h>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/sys/fs/fd.hpp>

namespace vps::sys {

enum class Durability {
  durable,   // fsync the file, rename, fsync the directory
  unsynced,  // rename only
};

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
  // fsync, rename over the target, fsync the directory (durable); rename only (unsynced).
  Status commit(Durability durability = Durability::durable);
  // As commit, but fails (Errc::io, EEXIST) if the target already exists: renameat2(NOREPLACE).
  Status commit_no_replace();

  const std::filesystem::path& temp_path() const { return m_temp; }

 private:
  AtomicFile(std::filesystem::path target, std::filesystem::path temp, Fd fd);
  Status commit_with(unsigned flags, Durability durability);

  std::filesystem::path m_target;
  std::filesystem::path m_temp;
  Fd m_fd;
  bool m_committed = false;
};

// One-call helper: write data atomically with the given mode.
Status write_file_atomic(const std::filesystem::path& target, ByteView data, mode_t mode,
                         std::optional<FileOwner> owner = std::nullopt,
                         Durability durability = Durability::durable);

}  // namespace vps::sys
