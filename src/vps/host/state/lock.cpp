#include <vps/host/state/lock.hpp>

#include <cerrno>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <vps/sys/fs/file.hpp>

namespace vps::host::state {

Result<StateLock> StateLock::acquire(const std::filesystem::path& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return fail(Errc::io, "cannot create '" + state_dir.string() + "': " + ec.message());
  auto path = state_dir / "lock";
  sys::Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return fail(Errc::io, "cannot open '" + path.string() + "': " + sys::errno_text(errno));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return fail(Errc::io, "cannot lock '" + path.string() + "': " + sys::errno_text(errno));
  }
  return StateLock(std::move(fd));
}

}  // namespace vps::host::state
