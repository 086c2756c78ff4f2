#pragma once
// A program run in the background by a test (the long-running `vps-agent secrets --follow`),
// with its stderr in a file the test can read while it runs, and a NOTIFY_SOCKET of the test's
// own to receive its sd_notify datagrams. Killed (SIGKILL) when the test leaves, however it
// leaves. Every wait is bounded by a deadline the caller passes.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_support.hpp"

extern char** environ;

namespace vps::test {

using Deadline = std::chrono::steady_clock::time_point;
inline Deadline deadline_in(std::chrono::seconds s) { return std::chrono::steady_clock::now() + s; }

class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : m_path(path) {
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
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return m_path; }

  // Collects datagrams until one contains `needle` or the deadline passes; returns all seen.
  std::string wait_for(const std::string& needle, Deadline deadline) {
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
  std::filesystem::path m_path;
  int m_fd = -1;
  std::string m_seen;
};

class Background {
 public:
  // stderr (and stdout) go to `log` when it is not empty.
  Background(const std::vector<std::string>& argv, const std::string& notify_socket,
             const std::filesystem::path& log = {})
      : m_log(log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_strings{"NOTIFY_SOCKET=" + notify_socket};
    for (char** e = environ; *e; ++e)
      if (!std::string_view(*e).starts_with("NOTIFY_SOCKET=")) env_strings.emplace_back(*e);
    std::vector<char*> env;
    for (auto& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    if (!log.empty()) {
      ::posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::posix_spawn_file_actions_adddup2(&actions, 2, 1);
    }
    const int rc = ::posix_spawn(&m_pid, args[0], &actions, nullptr, args.data(), env.data());
    ::posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
  }
  ~Background() { stop(SIGKILL); }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // Exit code (128+signal when killed), or -1 if still running at the deadline.
  int wait(Deadline deadline) {
    while (m_pid > 0 && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
      if (r == m_pid) {
        m_pid = -1;
        m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return m_status;
      }
      ::usleep(20'000);
    }
    return m_pid > 0 ? -1 : m_status;
  }
  void signal(int sig) const {
    if (m_pid > 0) ::kill(m_pid, sig);
  }
  void stop(int sig = SIGTERM) {
    if (m_pid <= 0) return;
    ::kill(m_pid, sig);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
  }
  std::string log() const { return m_log.empty() || !std::filesystem::exists(m_log) ? "" : read_text(m_log); }
  // How many lines of the log contain `needle`.
  std::size_t count(const std::string& needle) const {
    const std::string text = log();
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
  }

 private:
  pid_t m_pid = -1;
  int m_status = -1;
  std::filesystem::path m_log;
};

// Polls `check` every 50 ms until it holds or the deadline passes; its last result.
template <class F>
bool eventually(F check, Deadline deadline) {
  for (;;) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    ::usleep(50'000);
  }
}

}  // namespace vps::test
