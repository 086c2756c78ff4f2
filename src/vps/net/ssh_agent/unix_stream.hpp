#pragma once
// A connected AF_UNIX stream socket with a deadline on every step: connect, each write, each
// read. Nothing here knows the protocol spoken over it (ssh-agent: agent_client.hpp). Every
// failure to talk to the peer -- no such socket, refused, closed early, deadline passed -- is
// Errc::retry naming the socket, as an unreachable endpoint is.

#include <chrono>
#include <filesystem>
#include <span>
#include <string>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/sys/fs/fd.hpp>

namespace vps::net::ssh_agent {

using Deadline = std::chrono::steady_clock::time_point;

class UnixStream {
 public:
  static Result<UnixStream> connect(const std::filesystem::path& path, Deadline deadline);

  // All of data (SIGPIPE never raised: a closed peer is an error).
  Status write_all(ByteView data, Deadline deadline);
  // Exactly out.size() bytes; an early end of stream is an error.
  Status read_exact(std::span<std::uint8_t> out, Deadline deadline);

 private:
  UnixStream(sys::Fd fd, std::string name) : m_fd(std::move(fd)), m_name(std::move(name)) {}
  // Waits until the socket is ready for `events` or the deadline passes.
  Status wait(short events, Deadline deadline, std::string_view doing);

  sys::Fd m_fd;
  std::string m_name;
};

}  // namespace vps::net::ssh_agent
