#include <vps/net/ssh_agent/unix_stream.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <vps/sys/fs/file.hpp>

namespace vps::net::ssh_agent {
namespace {

tl::unexpected<Error> unreachable(const std::string& name, std::string_view what) {
  return fail(Errc::retry, name + ": " + std::string(what));
}

int remaining_ms(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 60'000));
}

}  // namespace

Result<UnixStream> UnixStream::connect(const std::filesystem::path& path, Deadline deadline) {
  const std::string name = path.string();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (name.empty() || name.size() >= sizeof address.sun_path)
    return unreachable(name, "socket path is empty or longer than " + std::to_string(sizeof address.sun_path - 1) + " bytes");
  std::memcpy(address.sun_path, name.c_str(), name.size() + 1);
  sys::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return unreachable(name, "cannot create a socket: " + sys::errno_text(errno));
  UnixStream stream(std::move(fd), name);
  // A unix socket connects at once or answers EAGAIN while the listener's backlog is full:
  // retry that until the deadline (EINPROGRESS is not used for AF_UNIX, but is handled).
  while (::connect(stream.m_fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      if (std::chrono::steady_clock::now() >= deadline) return unreachable(name, "timed out connecting");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (errno == EINPROGRESS) {
      VPS_CHECK(stream.wait(POLLOUT, deadline, "connecting"));
      int error = 0;
      socklen_t size = sizeof error;
      if (::getsockopt(stream.m_fd.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
      if (error != 0) return unreachable(name, "cannot connect: " + sys::errno_text(error));
      break;
    }
    return unreachable(name, "cannot connect: " + sys::errno_text(errno));
  }
  return stream;
}

Status UnixStream::wait(short events, Deadline deadline, std::string_view doing) {
  for (;;) {
    pollfd p{m_fd.get(), events, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready > 0) return {};
    if (ready < 0 && errno != EINTR) return unreachable(m_name, "poll failed: " + sys::errno_text(errno));
    if (ready == 0 && std::chrono::steady_clock::now() >= deadline)
      return unreachable(m_name, "timed out " + std::string(doing));
  }
}

Status UnixStream::write_all(ByteView data, Deadline deadline) {
  std::size_t done = 0;
  while (done < data.size()) {
    VPS_CHECK(wait(POLLOUT, deadline, "writing"));
    const ssize_t n = ::send(m_fd.get(), data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return unreachable(m_name, "write failed: " + sys::errno_text(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status UnixStream::read_exact(std::span<std::uint8_t> out, Deadline deadline) {
  std::size_t done = 0;
  while (done < out.size()) {
    VPS_CHECK(wait(POLLIN, deadline, "waiting for an answer"));
    const ssize_t n = ::recv(m_fd.get(), out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return unreachable(m_name, "read failed: " + sys::errno_text(errno));
    }
    if (n == 0) return unreachable(m_name, "connection closed before the answer was complete");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace vps::net::ssh_agent
