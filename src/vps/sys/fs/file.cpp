#include <vps/sys/fs/file.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vps/sys/fs/fd.hpp>

namespace vps::sys {

std::string errno_text(int err) { return std::strerror(err); }

namespace {

template <class Buffer>
Result<Buffer> read_bounded(const std::filesystem::path& path, std::size_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) {
    int err = errno;
    return fail(err == ENOENT ? Errc::missing : Errc::io,
                "cannot open '" + path.string() + "': " + errno_text(err));
  }
  Buffer out;
  struct stat st {};
  // Known size: a regular file with a size (procfs and sysfs files say 0 and read in pieces).
  const std::size_t known_size =
      fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 ? static_cast<std::size_t>(st.st_size) : 0;
  if (known_size <= max_size) out.reserve(known_size);
  std::uint8_t chunk[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      sodium_memzero(chunk, sizeof chunk);
      return fail(Errc::io, "cannot read '" + path.string() + "': " + errno_text(err));
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_size) {
      sodium_memzero(chunk, sizeof chunk);
      return fail(Errc::malformed,
                  "'" + path.string() + "' is larger than the limit of " + std::to_string(max_size) + " bytes");
    }
    out.insert(out.end(), chunk, chunk + n);
    // All of the size fstat reported: skip the read that would return 0 (one syscall per
    // file matters when a thousand small secrets are read). A file still being written is
    // the writer's race either way; deployments replace sources by rename.
    if (known_size != 0 && out.size() >= known_size) break;
  }
  sodium_memzero(chunk, std::min(out.size(), sizeof chunk));  // no more than was ever read into it
  return out;
}

}  // namespace

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size) {
  return read_bounded<Bytes>(path, max_size);
}

Result<SecretBytes> read_secret_file(const std::filesystem::path& path, std::size_t max_size) {
  return read_bounded<SecretBytes>(path, max_size);
}

Result<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_size) {
  auto bytes = VPS_TRY(read_file(path, max_size));
  return std::string(bytes.begin(), bytes.end());
}

Status write_all(int fd, ByteView data, const std::filesystem::path& what) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::io, "cannot write '" + what.string() + "': " + errno_text(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status fsync_directory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail(Errc::io, "cannot open directory '" + dir.string() + "': " + errno_text(errno));
  if (::fsync(fd.get()) != 0)
    return fail(Errc::io, "cannot fsync directory '" + dir.string() + "': " + errno_text(errno));
  return {};
}

}  // namespace vps::sys
