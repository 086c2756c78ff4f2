#include <vps/sys/fs/atomic_file.hpp>

#include <cerrno>

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/sys/fs/file.hpp>
#include <vps/sys/fs/temp_name.hpp>

namespace vps::sys {

AtomicFile::AtomicFile(Names names, Fd fd)
    : m_dir_fd(names.dir_fd),
      m_target(std::move(names.target)),
      m_temp(std::move(names.temp)),
      m_shown_target(std::move(names.shown_target)),
      m_shown_temp(std::move(names.shown_temp)),
      m_dir(std::move(names.dir)),
      m_fd(std::move(fd)) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_dir_fd(other.m_dir_fd),
      m_target(std::move(other.m_target)),
      m_temp(std::move(other.m_temp)),
      m_shown_target(std::move(other.m_shown_target)),
      m_shown_temp(std::move(other.m_shown_temp)),
      m_dir(std::move(other.m_dir)),
      m_fd(std::move(other.m_fd)),
      m_committed(std::exchange(other.m_committed, true)) {}

AtomicFile::~AtomicFile() {
  if (!m_committed && !m_temp.empty()) ::unlinkat(m_dir_fd, m_temp.c_str(), 0);
}

Result<AtomicFile> AtomicFile::create(const std::filesystem::path& target, mode_t mode,
                                      std::optional<FileOwner> owner) {
  const std::string temp = temp_name(target.string());
  auto dir = target.parent_path();
  return open_temp(Names{AT_FDCWD, target.string(), temp, target, temp, dir.empty() ? std::filesystem::path(".") : dir}, mode, owner);
}

Result<AtomicFile> AtomicFile::create_at(int dir_fd, const std::filesystem::path& dir, const std::string& name,
                                         mode_t mode, std::optional<FileOwner> owner) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    return fail(Errc::internal, "atomic file name '" + name + "' is not a plain name");
  const std::string temp = temp_name(name);
  return open_temp(Names{dir_fd, name, temp, dir / name, dir / temp, dir}, mode, owner);
}

Result<AtomicFile> AtomicFile::open_temp(Names names, mode_t mode, std::optional<FileOwner> owner) {
  Fd fd(::openat(names.dir_fd, names.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) return fail(Errc::io, "cannot create '" + names.shown_temp.string() + "': " + errno_text(errno));
  AtomicFile file(std::move(names), std::move(fd));
  // The umask may have narrowed the mode; set it exactly, before any byte is written.
  if (::fchmod(file.m_fd.get(), mode) != 0)
    return fail(Errc::io, "cannot chmod '" + file.m_shown_temp.string() + "': " + errno_text(errno));
  if (owner && ::fchown(file.m_fd.get(), owner->uid, owner->gid) != 0)
    return fail(Errc::io, "cannot chown '" + file.m_shown_temp.string() + "': " + errno_text(errno));
  return file;
}

Status AtomicFile::write(ByteView data) { return write_all(m_fd.get(), data, m_shown_temp); }

Status AtomicFile::commit(Durability durability) { return commit_with(0, durability); }
Status AtomicFile::commit_no_replace() { return commit_with(RENAME_NOREPLACE, Durability::durable); }

Status AtomicFile::commit_with(unsigned flags, Durability durability) {
  if (m_committed) return fail(Errc::internal, "atomic file committed twice");
  if (durability == Durability::durable && ::fsync(m_fd.get()) != 0)
    return fail(Errc::io, "cannot fsync '" + m_shown_temp.string() + "': " + errno_text(errno));
  m_fd.reset();
  if (::renameat2(m_dir_fd, m_temp.c_str(), m_dir_fd, m_target.c_str(), flags) != 0) {
    int err = errno;
    return fail(Errc::io, "cannot rename '" + m_shown_temp.string() + "' to '" + m_shown_target.string() +
                              "': " + errno_text(err));
  }
  m_committed = true;
  if (durability == Durability::unsynced) return {};
  if (m_dir_fd == AT_FDCWD) return fsync_directory(m_dir);
  if (::fsync(m_dir_fd) != 0) return fail(Errc::io, "cannot fsync '" + m_dir.string() + "': " + errno_text(errno));
  return {};
}

Status write_file_atomic(const std::filesystem::path& target, ByteView data, mode_t mode,
                         std::optional<FileOwner> owner, Durability durability) {
  auto file = VPS_TRY(AtomicFile::create(target, mode, owner));
  VPS_CHECK(file.write(data));
  return file.commit(durability);
}

Status write_file_atomic_at(int dir_fd, const std::filesystem::path& dir, const std::string& name, ByteView data,
                            mode_t mode, Durability durability) {
  auto file = VPS_TRY(AtomicFile::create_at(dir_fd, dir, name, mode));
  VPS_CHECK(file.write(data));
  return file.commit(durability);
}

Status replace_symlink(const std::filesystem::path& target, const std::filesystem::path& link) {
  auto parent = link.parent_path();
  if (parent.empty()) parent = ".";
  Fd dir(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return fail(Errc::io, "cannot open directory '" + parent.string() + "': " + errno_text(errno));
  return replace_symlink_at(dir.get(), link.filename().string(), target, link);
}

Status replace_symlink_at(int dir_fd, const std::string& name, const std::filesystem::path& target,
                          const std::filesystem::path& link) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode))
    return fail(Errc::io, "refusing to replace '" + link.string() + "': it exists and is not a symlink");
  const std::string temp = temp_name("." + name);
  const auto temp_path = link.parent_path() / temp;
  if (::symlinkat(target.c_str(), dir_fd, temp.c_str()) != 0)
    return fail(Errc::io, "cannot create symlink '" + temp_path.string() + "': " + errno_text(errno));
  if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dir_fd, temp.c_str(), 0);
    return fail(Errc::io, "cannot switch link '" + link.string() + "' to '" + target.string() +
                              "': " + errno_text(err));
  }
  return {};
}

}  // namespace vps::sys
