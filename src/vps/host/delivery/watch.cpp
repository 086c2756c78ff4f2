#include <vps/host/delivery/watch.hpp>

#include <cerrno>

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <vps/sys/fs/file.hpp>

namespace vps::host::delivery {

namespace {
constexpr std::uint32_t k_events = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB;
}

Result<DirWatch> DirWatch::open(const std::vector<std::filesystem::path>& dirs) {
  sys::Fd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd) return fail(Errc::io, "inotify_init1: " + sys::errno_text(errno));
  for (const auto& dir : dirs) {
    if (::inotify_add_watch(fd.get(), dir.c_str(), k_events | IN_ONLYDIR) < 0 && errno != ENOENT && errno != ENOTDIR)
      return fail(Errc::io, "watching " + dir.string() + ": " + sys::errno_text(errno));
  }
  return DirWatch(std::move(fd));
}

Result<bool> DirWatch::wait(std::chrono::milliseconds timeout) {
  pollfd pfd{m_fd.get(), POLLIN, 0};
  const int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return false;
    return fail(Errc::io, "poll on inotify: " + sys::errno_text(errno));
  }
  if (ready == 0) return false;
  drain();
  return true;
}

void DirWatch::drain() {
  // We only care that something happened, not what.
  alignas(inotify_event) char buffer[4096];
  for (int i = 0; i < 64; ++i) {
    const ssize_t n = ::read(m_fd.get(), buffer, sizeof buffer);
    if (n <= 0) break;
  }
}

}  // namespace vps::host::delivery
