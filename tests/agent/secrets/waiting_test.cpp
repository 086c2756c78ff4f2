// Waiting for enrollment end to end: `vps-agent secrets` started on a file encrypted to another
// key reports STATUS=waiting for enrollment... over NOTIFY_SOCKET (a datagram socket of this
// test), then the file is atomically replaced by one encrypted to the host and READY=1 arrives
// without a restart. Bounded: 20 s at most.
#include <doctest/doctest.h>

#include <csignal>
#include <chrono>

#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "secrets_fixture.hpp"

extern char** environ;

using namespace vps;
using namespace vps::test;
using namespace vps::test::secrets;

namespace {

class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : m_path(path) {
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(m_fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    // One string: begin() and end() of two temporaries would copy from freed memory.
    const std::string text = path.string();
    REQUIRE(text.size() < sizeof addr.sun_path);
    std::copy(text.begin(), text.end(), addr.sun_path);
    REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~NotifySocket() { ::close(m_fd); }

  // Collects datagrams until one contains `needle` or the deadline passes; returns all seen.
  std::string wait_for(const std::string& needle, std::chrono::steady_clock::time_point deadline) {
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{m_fd, POLLIN, 0};
      if (::poll(&pfd, 1, 200) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
      if (n <= 0) continue;
      m_seen.append(buf, static_cast<std::size_t>(n)).append("\n");
      if (m_seen.find(needle) != std::string::npos) return m_seen;
    }
    return m_seen;
  }

 private:
  fs::path m_path;
  int m_fd = -1;
  std::string m_seen;
};

// The agent as a child process; killed if the test leaves early.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& notify_socket) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_strings{"NOTIFY_SOCKET=" + notify_socket};
    for (char** e = environ; *e; ++e)
      if (!std::string_view(*e).starts_with("NOTIFY_SOCKET=")) env_strings.emplace_back(*e);
    std::vector<char*> env;
    for (auto& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    REQUIRE(::posix_spawn(&m_pid, args[0], nullptr, nullptr, args.data(), env.data()) == 0);
  }
  ~Child() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
    }
  }
  // Exit code, or -1 if still running at the deadline.
  int wait(std::chrono::steady_clock::time_point deadline) {
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
      if (r == m_pid) {
        m_pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::usleep(20'000);
    }
    return -1;
  }

 private:
  pid_t m_pid = -1;
};

}  // namespace

TEST_SUITE("agent::secrets") {
  TEST_CASE("waits for enrollment, then activates without restart and sends READY=1") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    Host host;
    write_text(host.src("api.age"), age_encrypt("too early", another_recipient()));
    host.config("  files:\n    - name: api\n      source: /srv/secrets/api.age\n");
    NotifySocket notify(host.dir.path() / "notify.sock");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);

    Child agent({agent_binary().string(), "--root", host.root.string(), "secrets", "--timeout", "60s"},
                (host.dir.path() / "notify.sock").string());
    std::string seen = notify.wait_for("EXTEND_TIMEOUT_USEC=", deadline);
    CHECK(seen.find("STATUS=waiting for enrollment: " + host.recipient) != std::string::npos);
    CHECK(seen.find("not among recipients of " + host.src("api.age").string()) != std::string::npos);
    CHECK(seen.find("READY=1") == std::string::npos);
    CHECK_FALSE(fs::exists(host.link()));

    replace_file(host.src("api.age"), age_encrypt("enrolled", host.recipient));
    seen = notify.wait_for("READY=1", deadline);
    CHECK(seen.find("READY=1") != std::string::npos);
    CHECK(seen.find("STATUS=active generation 1") != std::string::npos);
    CHECK(agent.wait(deadline) == 0);
    CHECK(read_text(host.link() / "api") == "enrolled");
  }
}
