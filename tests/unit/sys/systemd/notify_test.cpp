#include <doctest/doctest.h>

#include <cstdlib>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <vps/sys/fs/fd.hpp>
#include <vps/sys/systemd/notify.hpp>

#include "test_support.hpp"

using namespace vps;

namespace {

// An AF_UNIX datagram socket standing in for systemd's notify socket; sets NOTIFY_SOCKET.
class FakeNotifySocket {
 public:
  FakeNotifySocket() {
    m_path = m_dir / "notify";
    m_fd.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", m_path.c_str());
    m_ok = m_fd && ::bind(m_fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval timeout{2, 0};
    ::setsockopt(m_fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setenv("NOTIFY_SOCKET", m_path.c_str(), 1);
  }
  ~FakeNotifySocket() { ::unsetenv("NOTIFY_SOCKET"); }
  bool ok() const { return m_ok; }
  std::string receive() {
    char buffer[4096];
    ssize_t n = ::recv(m_fd.get(), buffer, sizeof buffer, 0);
    return n < 0 ? std::string("<nothing>") : std::string(buffer, static_cast<std::size_t>(n));
  }

 private:
  test::TempDir m_dir;
  std::filesystem::path m_path;
  sys::Fd m_fd;
  bool m_ok = false;
};

}  // namespace

TEST_SUITE("sys::systemd::notify") {
  TEST_CASE("is a no-op without NOTIFY_SOCKET") {
    ::unsetenv("NOTIFY_SOCKET");
    CHECK_FALSE(sys::systemd::notify_socket_set());
    CHECK(sys::systemd::notify_ready("ready"));
    CHECK(sys::systemd::notify_status("waiting for secrets"));
    CHECK(sys::systemd::notify_extend_timeout(std::chrono::seconds(30)));
  }

  TEST_CASE("sends READY=1, STATUS= and EXTEND_TIMEOUT_USEC= to the notify socket") {
    FakeNotifySocket socket;
    REQUIRE(socket.ok());
    CHECK(sys::systemd::notify_socket_set());
    REQUIRE(sys::systemd::notify_status("waiting for /var/lib/vps-agent/secrets.yaml"));
    CHECK(socket.receive() == "STATUS=waiting for /var/lib/vps-agent/secrets.yaml");
    REQUIRE(sys::systemd::notify_extend_timeout(std::chrono::seconds(90)));
    CHECK(socket.receive() == "EXTEND_TIMEOUT_USEC=90000000");
    REQUIRE(sys::systemd::notify_ready("secrets: generation 3\nactive"));
    CHECK(socket.receive() == "READY=1\nSTATUS=secrets: generation 3 active");
    REQUIRE(sys::systemd::notify_stopping());
    CHECK(socket.receive() == "STOPPING=1");
  }

  TEST_CASE("reports a notify socket that cannot be reached") {
    test::TempDir dir;
    ::setenv("NOTIFY_SOCKET", (dir / "absent").c_str(), 1);
    auto sent = sys::systemd::notify_ready();
    ::unsetenv("NOTIFY_SOCKET");
    REQUIRE_FALSE(sent);
    CHECK(sent.error().code == Errc::io);
  }
}
