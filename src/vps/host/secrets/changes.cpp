#include <vps/host/secrets/changes.hpp>

#include <algorithm>
#include <cerrno>
#include <memory>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::secrets {

namespace {

constexpr int k_max_depth = 32;

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

Status collect(int dir_fd, const std::string& prefix, const std::filesystem::path& what, int depth,
               std::vector<std::string>& out) {
  if (depth > k_max_depth) return fail(Errc::io, "'" + what.string() + "' is nested too deep");
  int dup = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return fail(Errc::io, "cannot open '" + what.string() + "': " + sys::errno_text(errno));
  std::unique_ptr<DIR, DirCloser> dir(::fdopendir(dup));
  if (!dir) {
    ::close(dup);
    return fail(Errc::io, "cannot list '" + what.string() + "'");
  }
  while (const dirent* entry = ::readdir(dir.get())) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISREG(st.st_mode)) {
      out.push_back(prefix + name);
    } else if (S_ISDIR(st.st_mode)) {
      sys::Fd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub) continue;
      VPS_CHECK(collect(sub.get(), prefix + name + "/", what / name, depth + 1, out));
    }
  }
  return {};
}

}  // namespace

bool same_as_previous(int previous_fd, std::string_view name, ByteView now) {
  std::string path(name);
  sys::Fd fd(::openat(previous_fd, path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return false;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (static_cast<std::uint64_t>(st.st_size) != now.size()) return false;
  // Generation files are written once, under the activation lock, and never changed: the size
  // fstat reported is final, so no read to confirm the end of file.
  SecretBytes before(now.size());
  std::size_t got = 0;
  while (got < before.size()) {
    ssize_t n = ::read(fd.get(), before.data() + got, before.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return equal_ct(ByteView(before.data(), got), now);
}

Result<std::vector<std::string>> list_files(int dir_fd, const std::filesystem::path& what) {
  std::vector<std::string> out;
  VPS_CHECK(collect(dir_fd, "", what, 0, out));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vps::host::secrets
