#include <vps/host/mounts/generations.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <memory>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/base/text.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::mounts {

namespace {

constexpr std::uint64_t k_max_generation = 1000000000000000000ULL;  // 10^18
constexpr int k_max_depth = 32;

// Owns a DIR* made from a descriptor; closedir also closes the descriptor.
struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

Result<std::vector<std::string>> list_names(int dir_fd, const std::filesystem::path& what) {
  int dup = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return fail(Errc::io, "cannot open '" + what.string() + "': " + sys::errno_text(errno));
  DirPtr dir(::fdopendir(dup));
  if (!dir) {
    int err = errno;
    ::close(dup);
    return fail(Errc::io, "cannot list '" + what.string() + "': " + sys::errno_text(err));
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  if (errno != 0) return fail(Errc::io, "cannot list '" + what.string() + "': " + sys::errno_text(errno));
  return names;
}

// unlinkat first: files are the common case and Linux answers EISDIR for a directory, which
// saves a stat per file when pruning a generation of thousands of secrets. A symlink is
// unlinked itself, never followed.
Status remove_tree_depth(int dir_fd, const std::string& name, const std::filesystem::path& what, int depth) {
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR) return fail(Errc::io, "cannot remove '" + what.string() + "': " + sys::errno_text(errno));
  if (depth > k_max_depth) return fail(Errc::io, "refusing to remove '" + what.string() + "': nested too deep");
  sys::Fd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!sub) return fail(Errc::io, "cannot open '" + what.string() + "': " + sys::errno_text(errno));
  auto names = VPS_TRY(list_names(sub.get(), what));
  for (const auto& child : names) VPS_CHECK(remove_tree_depth(sub.get(), child, what / child, depth + 1));
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return fail(Errc::io, "cannot remove '" + what.string() + "': " + sys::errno_text(errno));
  return {};
}

}  // namespace

std::optional<std::uint64_t> parse_generation(std::string_view name) {
  auto value = text::parse_decimal(name, 0, static_cast<std::int64_t>(k_max_generation));
  if (!value) return std::nullopt;
  return static_cast<std::uint64_t>(*value);
}

Result<std::vector<std::uint64_t>> list_generations(int mount_fd, const std::filesystem::path& mount) {
  auto names = VPS_TRY(list_names(mount_fd, mount));
  std::vector<std::uint64_t> out;
  for (const auto& name : names) {
    auto number = parse_generation(name);
    if (!number) continue;
    struct stat st {};
    if (::fstatat(mount_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
      out.push_back(*number);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::optional<std::uint64_t>> current_generation(const std::filesystem::path& link,
                                                        const std::filesystem::path& mount) {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink(link.c_str(), buffer, sizeof buffer);
  if (n < 0) {
    if (errno == ENOENT || errno == EINVAL) return std::optional<std::uint64_t>{};  // absent, or not a symlink
    return fail(Errc::io, "cannot read link '" + link.string() + "': " + sys::errno_text(errno));
  }
  if (static_cast<std::size_t>(n) >= sizeof buffer)
    return fail(Errc::io, "link '" + link.string() + "' is too long");
  std::filesystem::path target(std::string(buffer, static_cast<std::size_t>(n)));
  // Compare normalised: "/run/vps-secrets.d/" and "/run/vps-secrets.d" are the same mount.
  auto normal_mount = mount.lexically_normal();
  if (!normal_mount.has_filename()) normal_mount = normal_mount.parent_path();
  if (target.lexically_normal().parent_path() != normal_mount) return std::optional<std::uint64_t>{};
  return parse_generation(target.filename().string());
}

Status remove_tree_at(int dir_fd, const std::string& name, const std::filesystem::path& what) {
  return remove_tree_depth(dir_fd, name, what, 0);
}

Result<std::vector<std::uint64_t>> prune_generations(int mount_fd, const std::filesystem::path& mount,
                                                     std::uint64_t current, std::size_t keep_previous) {
  auto all = VPS_TRY(list_generations(mount_fd, mount));
  std::vector<std::uint64_t> removed;
  std::size_t kept = 0;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (*it == current) continue;
    if (*it < current && kept < keep_previous) {
      ++kept;
      continue;
    }
    auto name = std::to_string(*it);
    VPS_CHECK(remove_tree_at(mount_fd, name, mount / name));
    removed.push_back(*it);
  }
  return removed;
}

}  // namespace vps::host::mounts
