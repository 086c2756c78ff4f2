#include <vps/host/secrets/writer.hpp>

#include <cerrno>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/host/mounts/memory_fs.hpp>

namespace vps::host::secrets {

namespace {

// Opens (creating if needed) directory `component` under `parent_fd`, refusing symlinks.
Result<sys::Fd> open_subdir(int parent_fd, const std::string& component, const std::filesystem::path& what) {
  bool created = ::mkdirat(parent_fd, component.c_str(), k_secret_dir_mode) == 0;
  if (!created && errno != EEXIST)
    return fail(Errc::io, "cannot create directory '" + what.string() + "': " + sys::errno_text(errno));
  sys::Fd fd(::openat(parent_fd, component.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail(Errc::io, "cannot open directory '" + what.string() + "': " + sys::errno_text(errno));
  // mkdirat's mode is filtered by the umask; state it exactly.
  if (created && ::fchmod(fd.get(), k_secret_dir_mode) != 0)
    return fail(Errc::io, "cannot chmod directory '" + what.string() + "': " + sys::errno_text(errno));
  return fd;
}

}  // namespace

Result<int> GenerationWriter::directory(std::string_view dir) {
  if (dir.empty()) {
    // The directory actually written into, not merely the mount point, must be memory-backed.
    if (!m_root_checked) VPS_CHECK(mounts::require_memory_fs(m_root_fd, m_root_path));
    m_root_checked = true;
    return m_root_fd;
  }
  if (auto it = m_dirs.find(dir); it != m_dirs.end()) return it->second.get();
  const auto slash = dir.rfind('/');
  const int parent_fd = VPS_TRY(directory(slash == std::string_view::npos ? std::string_view() : dir.substr(0, slash)));
  const std::string component(slash == std::string_view::npos ? dir : dir.substr(slash + 1));
  const auto path = m_root_path / dir;
  auto fd = VPS_TRY(open_subdir(parent_fd, component, path));
  VPS_CHECK(mounts::require_memory_fs(fd.get(), path));
  const int raw = fd.get();
  m_dirs.emplace(std::string(dir), std::move(fd));
  return raw;
}

Status GenerationWriter::write(std::string_view name, ByteView data, sys::FileOwner owner, mode_t mode) {
  const auto slash = name.rfind('/');
  const int dir_fd = VPS_TRY(directory(slash == std::string_view::npos ? std::string_view() : name.substr(0, slash)));
  const std::string file_name(slash == std::string_view::npos ? name : name.substr(slash + 1));
  const auto file_path = m_root_path / name;
  sys::Fd fd(::openat(dir_fd, file_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return fail(Errc::io, "cannot create '" + file_path.string() + "': " + sys::errno_text(errno));
  VPS_CHECK(sys::write_all(fd.get(), data, file_path));
  if (::fchown(fd.get(), owner.uid, owner.gid) != 0)
    return fail(Errc::io, "cannot chown '" + file_path.string() + "' to " + std::to_string(owner.uid) + ":" +
                              std::to_string(owner.gid) + ": " + sys::errno_text(errno));
  // After chown: chown clears set-id bits, and the final mode must be exactly what was asked.
  if (::fchmod(fd.get(), mode) != 0)
    return fail(Errc::io, "cannot chmod '" + file_path.string() + "': " + sys::errno_text(errno));
  return {};
}

Status write_secret_at(int root_fd, const std::filesystem::path& root_path, std::string_view name,
                       ByteView data, sys::FileOwner owner, mode_t mode) {
  GenerationWriter writer(root_fd, root_path);
  return writer.write(name, data, owner, mode);
}

}  // namespace vps::host::secrets
