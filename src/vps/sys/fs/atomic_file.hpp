#pragma once
// AtomicFile: the one way the programs replace a file, so that readers (and a crash at any
// instant) see either the old content or the complete new one. Data goes to a temp file in the
// same directory ("<target>.tmp-<hex>", temp_name.hpp; O_EXCL, final mode from the start), which
// is fsync'ed, renamed over the target, then the directory is fsync'ed. Destroying an uncommitted
// AtomicFile removes the temp file: half-written data never takes the target's name.
//
// Durability::unsynced skips both fsyncs: still atomic for readers and crashes, but the new
// content may be lost on power failure. For files re-derived on every boot (the host key's .pub,
// state.json at first boot), where two fsyncs per file would double the first-boot critical path,
// and for files on memory filesystems, where an fsync has nothing to make durable.
//
// create_at works relative to an open directory (openat/renameat2/unlinkat): for a directory
// that was checked once through its descriptor (a credential store on ramfs, root-owned), so
// that a path swapped afterwards cannot redirect the write.

#include <filesystem>
#include <optional>
#include <string>
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
  // `name` (no '/') inside the directory open as `dir_fd` (O_RDONLY|O_DIRECTORY: a durable
  // commit fsyncs it), which must outlive the AtomicFile. `dir` is that directory's path, for
  // messages only.
  static Result<AtomicFile> create_at(int dir_fd, const std::filesystem::path& dir, const std::string& name,
                                      mode_t mode, std::optional<FileOwner> owner = std::nullopt);
  ~AtomicFile();
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;

  Status write(ByteView data);
  // fsync, rename over the target, fsync the directory (durable); rename only (unsynced).
  Status commit(Durability durability = Durability::durable);
  // As commit, but fails (Errc::io, EEXIST) if the target already exists: renameat2(NOREPLACE).
  Status commit_no_replace();

  // The temp file's path (for messages; relative to the directory descriptor with create_at).
  const std::filesystem::path& temp_path() const { return m_shown_temp; }

 private:
  struct Names {
    int dir_fd;                      // AT_FDCWD for create()
    std::string target;              // relative to dir_fd
    std::string temp;                // relative to dir_fd
    std::filesystem::path shown_target;
    std::filesystem::path shown_temp;
    std::filesystem::path dir;       // the directory to fsync when dir_fd is AT_FDCWD
  };
  static Result<AtomicFile> open_temp(Names names, mode_t mode, std::optional<FileOwner> owner);
  AtomicFile(Names names, Fd fd);
  Status commit_with(unsigned flags, Durability durability);

  int m_dir_fd;
  std::string m_target;
  std::string m_temp;
  std::filesystem::path m_shown_target;
  std::filesystem::path m_shown_temp;
  std::filesystem::path m_dir;
  Fd m_fd;
  bool m_committed = false;
};

// One-call helpers: write data atomically with the given mode.
Status write_file_atomic(const std::filesystem::path& target, ByteView data, mode_t mode,
                         std::optional<FileOwner> owner = std::nullopt,
                         Durability durability = Durability::durable);
Status write_file_atomic_at(int dir_fd, const std::filesystem::path& dir, const std::string& name, ByteView data,
                            mode_t mode, Durability durability = Durability::durable);

// The same for a symlink: atomically makes `link` a symlink to `target` through a uniquely named
// temp symlink in the same directory renamed over `link`. Refuses (Errc::io) to replace anything
// but a symlink.
Status replace_symlink(const std::filesystem::path& target, const std::filesystem::path& link);

// The same inside an open directory (an O_PATH descriptor is enough): `name` under `dir_fd`,
// made with symlinkat/renameat relative to it, so nothing can redirect it to another
// directory. `link` only names it in messages.
Status replace_symlink_at(int dir_fd, const std::string& name, const std::filesystem::path& target,
                          const std::filesystem::path& link);

}  // namespace vps::sys
