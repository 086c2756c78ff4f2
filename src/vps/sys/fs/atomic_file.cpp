#include <vps/sys/fs/atomic_file.hpp>

#include <cerrno>

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/sys/fs/temp_name.hpp>
#include <vps/base/hex.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::sys {

AtomicFile::AtomicFile(std::filesystem::path target, std::filesystem::path temp, Fd fd)
    : m_target(std::move(target)), m_temp(std::move(temp)), m_fd(std::move(fd)) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_target(std::move(other.m_target)),
      m_temp(std::move(other.m_temp)),
      m_fd(std::move(other.m_fd)),
      m_committed(std::exchange(other.m_committed, true)) {}

AtomicFile::~AtomicFile() {
  if (!m_committed && !m_temp.empty()) ::unlink(m_temp.c_str());
}

Result<AtomicFile> AtomicFile::create(const std::filesystem::path& target, mode_t mode,
                                      std::optional<FileOwner> owner) {
  auto temp = target;
  temp += std::string(k_temp_marker) + random_suffix();
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) return fail(Errc::io, "cannot create '" + temp.string() + "': " + errno_text(errno));
  AtomicFile file(target, temp, std::move(fd));
  // The umask may have narrowed the mode; set it exactly, before any byte is written.
  if (::fchmod(file.m_fd.get(), mode) != 0)
    return fail(Errc::io, "cannot chmod '" + temp.string() + "': " + errno_text(errno));
  if (owner && ::fchown(file.m_fd.get(), owner->uid, owner->gid) != 0)
    return fail(Errc::io, "cannot chown '" + temp.string() + "': " + errno_text(errno));
  return file;
}

Status AtomicFile::write(ByteView data) { return write_all(m_fd.get(), data, m_temp); }

Status AtomicFile::commit(Durability durability) { return commit_with(0, durability); }
Status AtomicFile::commit_no_replace() { return commit_with(RENAME_NOREPLACE, Durability::durable); }

Status AtomicFile::commit_with(unsigned flags, Durability durability) {
  if (m_committed) return fail(Errc::internal, "atomic file committed twice");
  if (durability == Durability::durable && ::fsync(m_fd.get()) != 0)
    return fail(Errc::io, "cannot fsync '" + m_temp.string() + "': " + errno_text(errno));
  m_fd.reset();
  if (::renameat2(AT_FDCWD, m_temp.c_str(), AT_FDCWD, m_target.c_str(), flags) != 0) {
    int err = errno;
    return fail(Errc::io, "cannot rename '" + m_temp.string() + "' to '" + m_target.string() + "': " +
                              errno_text(err));
  }
  m_committed = true;
  if (durability == Durability::unsynced) return {};
  auto dir = m_target.parent_path();
  return fsync_directory(dir.empty() ? std::filesystem::path(".") : dir);
}

Status write_file_atomic(const std::filesystem::path& target, ByteView data, mode_t mode,
                         std::optional<FileOwner> owner, Durability durability) {
  auto file = VPS_TRY(AtomicFile::create(target, mode, owner));
  VPS_CHECK(file.write(data));
  return file.commit(durability);
}

}  // namespace vps::sys
