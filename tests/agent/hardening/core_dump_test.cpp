// Neither binary can leave plaintext or key material in a core dump (issue 16, item 10): both
// make themselves non-dumpable (PR_SET_DUMPABLE 0) and set RLIMIT_CORE to 0 before doing
// anything else. Checked from outside, on the real binaries, while each blocks reading stdin:
// run as "nobody" (setpriv), the files and directories inside a non-dumpable process's /proc/PID
// (fd/, status, mem...) are owned by root instead of by its own uid (the world-readable
// /proc/PID directory itself keeps the uid), and /proc/PID/limits shows the core limit.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "test_support.hpp"

using namespace vps::test;

namespace {

constexpr uid_t k_nobody = 65534;

// A child whose stdin is a pipe the test holds open, so the child waits for input.
class BlockedChild {
 public:
  explicit BlockedChild(std::vector<std::string> argv) {
    int in[2];
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    m_pid = ::fork();
    REQUIRE(m_pid >= 0);
    if (m_pid == 0) {
      ::dup2(in[0], 0);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    m_stdin = in[1];
  }
  ~BlockedChild() {
    if (m_stdin >= 0) ::close(m_stdin);
    if (m_pid <= 0) return;
    for (int i = 0; i < 200 && ::waitpid(m_pid, nullptr, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (::waitpid(m_pid, nullptr, WNOHANG) == 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
    }
  }
  BlockedChild(const BlockedChild&) = delete;
  BlockedChild& operator=(const BlockedChild&) = delete;

  std::filesystem::path proc() const { return "/proc/" + std::to_string(m_pid); }

  // True once the child runs `binary` (setpriv has exec'd it) as uid `uid`.
  bool wait_until_running(const std::filesystem::path& binary, uid_t uid) const {
    const auto want = std::filesystem::canonical(binary);
    for (int i = 0; i < 200; ++i) {
      std::error_code ec;
      const auto exe = std::filesystem::read_symlink(proc() / "exe", ec);
      if (!ec && exe == want && real_uid() == uid) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  uid_t real_uid() const {
    std::istringstream status(read_text(proc() / "status"));
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("Uid:")) return static_cast<uid_t>(std::stoul(line.substr(4)));
    }
    return static_cast<uid_t>(-1);
  }

  // Owner of /proc/PID/fd: the process's uid while dumpable, root once it is not.
  uid_t proc_owner() const {
    struct stat st {};
    return ::stat((proc() / "fd").c_str(), &st) == 0 ? st.st_uid : static_cast<uid_t>(-1);
  }

  // "Max core file size  SOFT  HARD  bytes" from /proc/PID/limits.
  std::pair<std::string, std::string> core_limits() const {
    std::istringstream limits(read_text(proc() / "limits"));
    for (std::string line; std::getline(limits, line);) {
      if (!line.starts_with("Max core file size")) continue;
      std::istringstream fields(line.substr(std::string("Max core file size").size()));
      std::string soft, hard;
      fields >> soft >> hard;
      return {soft, hard};
    }
    return {};
  }

 private:
  pid_t m_pid = -1;
  int m_stdin = -1;
};

void check_not_dumpable(std::vector<std::string> command, const std::filesystem::path& binary) {
  std::vector<std::string> argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  BlockedChild child(argv);
  REQUIRE_MESSAGE(child.wait_until_running(binary, k_nobody), "the child never ran " << binary << " as nobody");
  // Non-dumpable is set first thing in main; allow the child a moment to get there.
  uid_t owner = child.proc_owner();
  for (int i = 0; i < 40 && owner != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    owner = child.proc_owner();
  }
  CHECK_MESSAGE(owner == 0, binary.filename().string() << " is dumpable: /proc/PID is owned by uid " << owner);
  // Named, not a structured binding: clang 14 cannot capture those in doctest's message lambdas.
  const auto limits = child.core_limits();
  const std::string soft = limits.first, hard = limits.second;
  CHECK_MESSAGE(soft == "0", "core limit (soft) " << soft);
  CHECK_MESSAGE(hard == "0", "core limit (hard) " << hard);
}

}  // namespace

TEST_SUITE("agent::hardening") {
  TEST_CASE("vps-agent and vps-enroll are not dumpable and have a core limit of 0") {
    if (!is_root()) VPS_SKIP("needs root: runs the binaries as nobody with setpriv");
    VPS_REQUIRE_PROGRAM(setpriv, "setpriv");
    TempDir dir;
    std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                                 std::filesystem::perms::others_exec);
    // A throwaway test identity (no secret): nobody must be able to read it.
    write_text(dir / "identity.txt", "AGE-SECRET-KEY-1XDK0YP4R554ZJJVHG5Y6L4TAP4NYS9NJFH0LF83RRYLSTXA5VMZQHV8LFC\n");
    std::filesystem::permissions(dir / "identity.txt", std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::group_read |
                                                           std::filesystem::perms::others_read);
    SUBCASE("vps-agent decrypt (stdin)") {
      check_not_dumpable({agent_binary().string(), "decrypt", "-i", (dir / "identity.txt").string()}, agent_binary());
    }
    SUBCASE("vps-enroll encrypt (stdin)") {
      check_not_dumpable({enroll_binary().string(), "encrypt", "-r",
                          "age1c3vfmfg73qhy0fmcvra7lzprrnczkg947r0mal00yeu7maygsvuqmrpet4"},
                         enroll_binary());
    }
  }
}
