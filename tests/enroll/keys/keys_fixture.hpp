#pragma once
// Operator keys as operators keep them (issue 16, finding 6): keys made by `ssh-keygen` with a
// passphrase, the passphrase given by an askpass script, and a real `ssh-agent` on its own socket
// in a TempDir (killed at the end). Every vps-enroll run here sets SSH_AUTH_SOCK, SSH_ASKPASS,
// SSH_ASKPASS_REQUIRE, DISPLAY and WAYLAND_DISPLAY explicitly and runs in a session of its own
// (no controlling terminal), so neither the developer's agent nor their terminal takes part.
// Private keys are generated in the test, never committed.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <vps/net/http/server.hpp>

#include "test_support.hpp"

namespace vps::test::keys {

namespace fs = std::filesystem;

// `ssh-keygen -t ed25519 -N passphrase -a rounds [-Z cipher]` at dir/name (and name.pub);
// returns the public key line without comment or newline ("ssh-ed25519 AAAA...").
inline std::string keygen(const fs::path& dir, const std::string& name, const std::string& passphrase,
                          int rounds = 16, const std::string& cipher = "") {
  std::vector<std::string> argv = {"ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-a", std::to_string(rounds),
                                   "-C", name + "@test", "-f", (dir / name).string()};
  if (!cipher.empty()) argv.insert(argv.end(), {"-Z", cipher});
  auto made = run(argv);
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
  std::string line = read_text(dir / (name + ".pub"));
  return line.substr(0, line.find(' ', line.find(' ') + 1));
}

// An askpass program: appends its prompt to dir/askpass.log, prints `answer` and exits `status`.
inline fs::path write_askpass(const fs::path& dir, const std::string& name, const std::string& answer,
                              int status = 0) {
  const fs::path script = dir / name;
  write_text(script, "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '" + (dir / "askpass.log").string() + "'\nprintf '%s\\n' '" +
                         answer + "'\nexit " + std::to_string(status) + "\n");
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

// How many prompts the askpass programs in dir answered.
inline int askpass_prompts(const fs::path& dir) {
  if (!fs::exists(dir / "askpass.log")) return 0;
  const std::string log = read_text(dir / "askpass.log");
  return static_cast<int>(std::count(log.begin(), log.end(), '\n'));
}

// The environment of an operator's session, every variable set (empty means unset).
struct Session {
  std::string auth_sock;        // SSH_AUTH_SOCK
  std::string askpass;          // SSH_ASKPASS
  std::string askpass_require;  // SSH_ASKPASS_REQUIRE

  std::vector<std::string> env() const {
    return {"SSH_AUTH_SOCK=" + auth_sock, "SSH_ASKPASS=" + askpass, "SSH_ASKPASS_REQUIRE=" + askpass_require,
            "DISPLAY=", "WAYLAND_DISPLAY="};
  }
};

// `vps-enroll ARGS` in its own session (no terminal) with exactly the given key environment.
inline ProcessResult enroll_cli(const std::vector<std::string>& args, const Session& session, double timeout = 60) {
  std::vector<std::string> argv = {enroll_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.env = session.env();
  options.new_session = true;
  options.timeout_seconds = timeout;
  return run(argv, options);
}

// A real ssh-agent in the foreground (-D) on dir/agent.sock, with `env` added to its
// environment (e.g. an askpass for `ssh-add -c` confirmations). SIGTERM on destruction.
class SshAgent {
 public:
  explicit SshAgent(const fs::path& dir, std::vector<std::string> env = {}) : m_socket(dir / "agent.sock") {
    std::vector<std::string> args = {"ssh-agent", "-D", "-a", m_socket.string()};
    m_pid = fork();
    REQUIRE(m_pid >= 0);
    if (m_pid == 0) {
      setsid();
      for (auto& kv : env) putenv(kv.data());
      std::freopen("/dev/null", "w", stdout);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!fs::exists(m_socket) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE_MESSAGE(fs::exists(m_socket), "ssh-agent did not create its socket");
  }
  ~SshAgent() { stop(); }
  SshAgent(const SshAgent&) = delete;
  SshAgent& operator=(const SshAgent&) = delete;

  const fs::path& socket() const { return m_socket; }

  void stop() {
    if (m_pid <= 0) return;
    kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
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
  }

  // ssh-add [extra...] KEY, its passphrase from `askpass` (forced, no terminal).
  ProcessResult add(const fs::path& key, const fs::path& askpass, std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {"ssh-add"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(key.string());
    return ssh_add(argv, askpass);
  }
  ProcessResult remove_all() const { return ssh_add({"ssh-add", "-D"}, {}); }

 private:
  ProcessResult ssh_add(const std::vector<std::string>& argv, const fs::path& askpass) const {
    ProcessOptions options;
    options.env = Session{m_socket.string(), askpass.string(), askpass.empty() ? "" : "force"}.env();
    options.new_session = true;
    options.timeout_seconds = 30;
    return run(argv, options);
  }

  fs::path m_socket;
  pid_t m_pid = -1;
};

// A loopback endpoint that records every request and answers 503: proves nothing was sent.
struct RecordingEndpoint {
  std::mutex mutex;
  std::vector<std::string> targets;
  std::unique_ptr<net::http::Server> server;

  RecordingEndpoint() {
    auto started = net::http::Server::start({}, [this](const net::http::Request& request) {
      std::lock_guard lock(mutex);
      targets.push_back(request.target);
      return net::http::Response::text(503, "{\"error\":\"recording only\"}");
    });
    REQUIRE(started);
    server = std::move(*started);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->local_port()); }
  std::size_t requests() {
    std::lock_guard lock(mutex);
    return targets.size();
  }
};

}  // namespace vps::test::keys
