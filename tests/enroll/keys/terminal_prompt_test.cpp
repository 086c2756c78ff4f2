// The passphrase prompt on a terminal (issue 16, finding 6): `vps-enroll` runs with a pseudo
// terminal as its controlling terminal, asks on /dev/tty with echo off, and leaves the terminal
// as it found it on every way out, including SIGINT while it waits for the passphrase.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>

#include "../server/server_fixture.hpp"
#include "keys_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::keys;
namespace fs = std::filesystem;

namespace {

// vps-enroll in a new session whose controlling terminal is a fresh pty; output goes to the pty.
class OnTerminal {
 public:
  explicit OnTerminal(const std::vector<std::string>& args) {
    m_master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(m_master >= 0);
    REQUIRE(grantpt(m_master) == 0);
    REQUIRE(unlockpt(m_master) == 0);
    const std::string slave_path = ptsname(m_master);
    m_slave = open(slave_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);  // to read its termios
    REQUIRE(m_slave >= 0);
    std::vector<std::string> argv = {enroll_binary().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    m_pid = fork();
    REQUIRE(m_pid >= 0);
    if (m_pid == 0) {
      setsid();
      const int tty = open(slave_path.c_str(), O_RDWR);  // becomes the controlling terminal
      if (tty < 0 || ioctl(tty, TIOCSCTTY, 0) != 0) _exit(126);
      dup2(tty, 0);
      dup2(tty, 1);
      dup2(tty, 2);
      for (auto kv : Session{}.env()) putenv(strdup(kv.c_str()));
      std::vector<char*> c_args;
      for (auto& a : argv) c_args.push_back(a.data());
      c_args.push_back(nullptr);
      execv(c_args[0], c_args.data());
      _exit(127);
    }
  }
  ~OnTerminal() {
    if (m_pid > 0) {
      kill(m_pid, SIGKILL);
      waitpid(m_pid, nullptr, 0);
    }
    close(m_master);
    close(m_slave);
  }

  // Reads terminal output until it contains `needle` (at most 20 s).
  bool wait_for(const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (m_output.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{m_master, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buffer[512];
      const ssize_t n = read(m_master, buffer, sizeof buffer);
      if (n > 0) m_output.append(buffer, static_cast<std::size_t>(n));
    }
    return m_output.find(needle) != std::string::npos;
  }

  // True once the command is blocked reading the terminal (/proc/PID/syscall names read(2)):
  // a signal sent earlier, between the prompt and the read, is only acted on at the next
  // newline by readpassphrase(3) -- as in ssh, which uses the same code.
  bool reading() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const std::string path = "/proc/" + std::to_string(m_pid) + "/syscall";
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(path);
      std::string number;
      if (in >> number && number == std::to_string(SYS_read)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  bool echo() const {
    termios t{};
    REQUIRE(tcgetattr(m_slave, &t) == 0);
    return (t.c_lflag & ECHO) != 0;
  }
  void type(const std::string& text) { REQUIRE(write(m_master, text.data(), text.size()) == static_cast<ssize_t>(text.size())); }
  void send_signal(int sig) { kill(m_pid, sig); }

  // The exit status (128 + signal when killed), waiting at most 30 s while draining output.
  int wait() {
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (waitpid(m_pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(m_pid, SIGKILL);
        waitpid(m_pid, &status, 0);
        break;
      }
      wait_for("\x01never");  // drain for a while
    }
    m_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  const std::string& output() const { return m_output; }

 private:
  int m_master = -1, m_slave = -1;
  pid_t m_pid = -1;
  std::string m_output;
};

}  // namespace

TEST_SUITE("enroll::keys terminal prompt") {
  TEST_CASE("the passphrase is read from the terminal with echo off, and echo is back afterwards") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::enroll::ServerFixture f;
    TempDir home;
    const std::string line = keygen(home.path(), "carol", "secret");
    write_text(f.dir / "operators", read_text(f.dir / "operators") + line + " carol\n");
    OnTerminal terminal({"list", "--endpoint", f.server->url(), "--key", (home / "carol").string()});
    REQUIRE_MESSAGE(terminal.wait_for("Enter passphrase for key '" + (home / "carol").string() + "': "), terminal.output());
    CHECK(!terminal.echo());
    terminal.type("secret\n");
    CHECK(terminal.wait() == 0);
    CHECK_MESSAGE(terminal.output().find("no hosts") != std::string::npos, terminal.output());
    CHECK(terminal.output().find("secret") == std::string::npos);  // never echoed
    CHECK(terminal.echo());
  }

  TEST_CASE("SIGINT at the passphrase prompt ends the command and restores echo") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    RecordingEndpoint endpoint;
    TempDir home;
    keygen(home.path(), "carol", "secret");
    OnTerminal terminal({"list", "--endpoint", endpoint.url(), "--key", (home / "carol").string()});
    REQUIRE_MESSAGE(terminal.wait_for("Enter passphrase"), terminal.output());
    REQUIRE(!terminal.echo());
    terminal.type("sec");  // half-typed
    REQUIRE(terminal.reading());
    terminal.send_signal(SIGINT);
    CHECK(terminal.wait() == 128 + SIGINT);
    CHECK(terminal.echo());
    CHECK(endpoint.requests() == 0);
  }
}
