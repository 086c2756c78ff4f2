#pragma once
// Runs the real `vps-enroll serve` on 127.0.0.1 with an ephemeral port, learned from the
// "listening on ..." line it prints once ready (http, or https when extra names --tls-cert and
// --tls-key). Stopped with SIGTERM (bounded wait, then SIGKILL) on destruction.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace vps::test::enroll {

class ServerProcess {
 public:
  struct Files {
    std::optional<std::filesystem::path> config;       // serve.yaml (--config, before "serve")
    std::optional<std::filesystem::path> stderr_file;  // the server's log, instead of the test's stderr
  };

  // `extra`: further options of `serve`.
  ServerProcess(const std::filesystem::path& database, const std::filesystem::path& operators,
                std::vector<std::string> extra = {}, const Files& files = {}) {
    std::vector<std::string> args = {enroll_binary().string()};
    if (files.config) args.insert(args.end(), {"--config", files.config->string()});
    args.insert(args.end(), {"serve", "--listen", "127.0.0.1", "--port", "0", "--database", database.string(),
                             "--operators", operators.string()});
    args.insert(args.end(), extra.begin(), extra.end());
    const auto stderr_file = files.stderr_file;
    int out[2];
    REQUIRE(pipe2(out, O_CLOEXEC) == 0);
    m_pid = fork();
    REQUIRE(m_pid >= 0);
    if (m_pid == 0) {
      dup2(out[1], 1);
      if (stderr_file) {
        const int log = open(stderr_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (log < 0) _exit(127);
        dup2(log, 2);
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    m_stdout = out[0];
    read_port();
  }

  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return m_port; }
  std::string url() const { return m_scheme + "://127.0.0.1:" + std::to_string(m_port); }
  bool running() const { return m_pid > 0; }

  // SIGTERM and wait (at most 10 s); returns the exit status (128+signal if killed).
  int stop() {
    if (m_pid <= 0) return m_status;
    kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (waitpid(m_pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(m_pid, SIGKILL);
        waitpid(m_pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    m_pid = -1;
    if (m_stdout >= 0) close(m_stdout);
    m_stdout = -1;
    m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return m_status;
  }

 private:
  void read_port() {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{m_stdout, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buffer[256];
      const ssize_t n = read(m_stdout, buffer, sizeof buffer);
      if (n <= 0) break;
      line.append(buffer, static_cast<std::size_t>(n));
    }
    const auto colon = line.rfind(':');
    const bool http = line.starts_with("listening on http://127.0.0.1:");
    REQUIRE_MESSAGE((http || line.starts_with("listening on https://127.0.0.1:")), "server did not start: " << line);
    m_scheme = http ? "http" : "https";
    m_port = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
  }

  pid_t m_pid = -1;
  int m_stdout = -1;
  int m_status = -1;
  std::uint16_t m_port = 0;
  std::string m_scheme = "http";
};

}  // namespace vps::test::enroll
