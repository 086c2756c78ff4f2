#include <vps/host/secrets/credentials.hpp>

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/host/mounts/memory_fs.hpp>
#include <vps/host/secrets/names.hpp>

namespace vps::host::secrets {

namespace {

constexpr mode_t k_store_mode = 0700;
constexpr mode_t k_credential_mode = 0400;
constexpr std::size_t k_max_manifest = 1024 * 1024;

Result<sys::Fd> open_store(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), k_store_mode) != 0 && errno != EEXIST)
    return fail(Errc::io, "cannot create '" + dir.string() + "': " + sys::errno_text(errno));
  sys::Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail(Errc::io, "cannot open '" + dir.string() + "': " + sys::errno_text(errno));
  VPS_CHECK(mounts::require_memory_fs(fd.get(), dir));
  if (::fchown(fd.get(), 0, 0) != 0 || ::fchmod(fd.get(), k_store_mode) != 0)
    return fail(Errc::io, "cannot restrict '" + dir.string() + "' to root: " + sys::errno_text(errno));
  return fd;
}

// The store is on a memory filesystem (checked in open_store): nothing for an fsync to make durable.
Status replace_at(int dir_fd, const std::filesystem::path& dir, const std::string& name, ByteView data) {
  return sys::write_file_atomic_at(dir_fd, dir, name, data, k_credential_mode, sys::Durability::unsynced);
}

std::vector<std::string> read_manifest(int dir_fd) {
  std::vector<std::string> names;
  sys::Fd fd(::openat(dir_fd, std::string(k_credentials_manifest).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return names;
  std::string text;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || text.size() + static_cast<std::size_t>(n) > k_max_manifest) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string name = text.substr(start, end - start);
    // Only names we could have written; anything else in a tampered manifest is ignored.
    if (check_name("credential", name) && name.find('/') == std::string::npos) names.push_back(name);
    start = end + 1;
  }
  return names;
}

}  // namespace

Status export_credentials(const std::filesystem::path& dir, const std::vector<Credential>& credentials) {
  auto store = VPS_TRY(open_store(dir));
  auto previous = read_manifest(store.get());
  std::string manifest;
  for (const auto& credential : credentials) {
    VPS_CHECK(replace_at(store.get(), dir, credential.name, credential.data));
    manifest += credential.name + "\n";
  }
  for (const auto& old : previous) {
    bool kept = std::any_of(credentials.begin(), credentials.end(), [&](const Credential& c) { return c.name == old; });
    if (!kept && ::unlinkat(store.get(), old.c_str(), 0) != 0 && errno != ENOENT)
      return fail(Errc::io, "cannot remove stale credential '" + (dir / old).string() + "': " + sys::errno_text(errno));
  }
  return replace_at(store.get(), dir, std::string(k_credentials_manifest), as_bytes(manifest));
}

}  // namespace vps::host::secrets
