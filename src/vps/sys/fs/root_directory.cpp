#include <vps/sys/fs/root_directory.hpp>

#include <cerrno>
#include <cstdio>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/sys/fs/file.hpp>

namespace vps::sys {

namespace {

namespace fs = std::filesystem;

constexpr int k_open_flags = O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC;

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

Status check_directory(int fd, const fs::path& path, bool last) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(Errc::io, "cannot stat '" + path.string() + "': " + errno_text(errno));
  if (st.st_uid != 0)
    return fail(Errc::config, "directory '" + path.string() + "' is owned by uid " + std::to_string(st.st_uid) +
                                  ", not root");
  const bool shared = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  if (shared && (last || (st.st_mode & S_ISVTX) == 0))
    return fail(Errc::config, "directory '" + path.string() + "' is writable by group or others (mode " +
                                  octal(st.st_mode) + ")");
  return {};
}

// Why openat refused a component: a symlink (or something else) where a directory should be.
Error not_a_directory(int parent_fd, const std::string& name, const fs::path& path) {
  struct stat st {};
  if (::fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
    return Error{Errc::config, "'" + path.string() + "' is a symlink; symlinks on the way are not followed"};
  return Error{Errc::config, "'" + path.string() + "' is not a directory"};
}

// Walks `dir`; with `create_missing` false a missing component ends the walk successfully and
// returns an empty Fd.
Result<Fd> walk(const fs::path& dir, bool create_missing) {
  if (!dir.is_absolute()) return fail(Errc::config, "'" + dir.string() + "' is not an absolute path");
  std::vector<std::string> names;
  for (const auto& part : dir.relative_path()) {
    const std::string name = part.string();
    if (name.empty() || name == ".") continue;
    if (name == "..") return fail(Errc::config, "'" + dir.string() + "' contains '..'");
    names.push_back(name);
  }
  Fd current(::open("/", k_open_flags));
  if (!current) return fail(Errc::io, "cannot open '/': " + errno_text(errno));
  fs::path path = "/";
  VPS_CHECK(check_directory(current.get(), path, names.empty()));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    path /= name;
    Fd next(::openat(current.get(), name.c_str(), k_open_flags));
    if (!next && errno == ENOENT) {
      if (!create_missing) return Fd();
      if (::mkdirat(current.get(), name.c_str(), 0755) != 0 && errno != EEXIST)
        return fail(Errc::io, "cannot create directory '" + path.string() + "': " + errno_text(errno));
      next.reset(::openat(current.get(), name.c_str(), k_open_flags));
    }
    if (!next) {
      const int err = errno;
      if (err == ENOTDIR || err == ELOOP) return fail(not_a_directory(current.get(), name, path));
      return fail(Errc::io, "cannot open directory '" + path.string() + "': " + errno_text(err));
    }
    VPS_CHECK(check_directory(next.get(), path, i + 1 == names.size()));
    current = std::move(next);
  }
  return current;
}

}  // namespace

Status check_root_directory(const fs::path& dir) {
  auto walked = walk(dir, false);
  if (!walked) return fail(std::move(walked).error());
  return {};
}

Result<Fd> open_root_directory(const fs::path& dir, bool create_missing) { return walk(dir, create_missing); }

}  // namespace vps::sys
