#include <vps/enroll/keys/child_process.hpp>

#include <algorithm>
#include <cerrno>
#include <thread>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vps/sys/fs/file.hpp>

namespace vps::enroll::keys {

Result<SecretBytes> read_child_output(int fd, std::size_t max_bytes, Deadline deadline, std::string_view what) {
  SecretBytes out;
  out.reserve(max_bytes + 1);  // never reallocates: no unwiped copy is left behind
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return fail(Errc::timeout, std::string(what) + " did not answer in time");
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) return fail(Errc::io, std::string(what) + ": poll failed: " + sys::errno_text(errno));
    if (ready <= 0) continue;
    const std::size_t before = out.size();
    out.resize(max_bytes + 1);
    const ssize_t n = ::read(fd, out.data() + before, out.size() - before);
    out.resize(before + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return fail(Errc::io, std::string(what) + ": read failed: " + sys::errno_text(errno));
    }
    if (n == 0) return out;
    if (out.size() > max_bytes)
      return fail(Errc::malformed, std::string(what) + " answered more than " + std::to_string(max_bytes) + " bytes");
  }
}

int reap_child(pid_t pid, Deadline deadline) {
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return 128 + SIGKILL;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace vps::enroll::keys
