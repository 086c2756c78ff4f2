#include <vps/host/rebuild/command_runner.hpp>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vps/base/text.hpp>

extern char** environ;

namespace vps::host::rebuild {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_kill_grace = std::chrono::seconds(10);

void keep_tail(std::string& tail, std::string_view chunk, std::size_t limit) {
  tail.append(chunk);
  if (tail.size() > limit) tail.erase(0, tail.size() - limit);
}

[[noreturn]] void exec_child(int out, std::vector<char*>& args, std::vector<char*>& env) {
  setpgid(0, 0);
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0) dup2(null, 0);
  dup2(out, 1);
  dup2(out, 2);
  signal(SIGPIPE, SIG_DFL);
  execve(args[0], args.data(), env.data());
  const char* why = std::strerror(errno);
  (void)!write(2, "vps-agent watch: cannot execute rebuild command: ", 49);
  (void)!write(2, why, std::strlen(why));
  (void)!write(2, "\n", 1);
  _exit(127);
}

}  // namespace

std::string CommandResult::describe() const {
  if (timed_out) return "timed out after " + std::to_string(duration.count() / 1000) + " s";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit status " + std::to_string(exit_status);
}

std::vector<std::string> substitute_revision(const std::vector<std::string>& argv, const std::string& revision) {
  constexpr std::string_view placeholder = "{revision}";
  std::vector<std::string> out;
  for (std::string arg : argv) {
    for (std::size_t at = arg.find(placeholder); at != std::string::npos; at = arg.find(placeholder, at + revision.size())) {
      arg.replace(at, placeholder.size(), revision);
    }
    out.push_back(std::move(arg));
  }
  return out;
}

std::string sanitize_output(std::string_view bytes, std::size_t max_bytes) {
  // Escaping lengthens the text, and the end of a build log is what explains a failure: walk
  // back from the end one character at a time, measuring each one's escape, so the cut falls
  // between whole characters and whole escapes; then escape what is kept in one pass.
  std::string scratch;  // one character's escape (at most 8 bytes)
  std::size_t total = 0;
  std::string_view rest = bytes;
  while (!rest.empty()) {
    std::string_view last;
    for (std::size_t width = 1; width <= 4 && last.empty(); ++width) last = text::utf8_suffix(rest, width);
    if (last.empty()) last = rest.substr(rest.size() - 1);  // stray continuation bytes: one at a time
    scratch.clear();
    text::append_escaped(scratch, last, text::Newlines::keep);
    if (total + scratch.size() > max_bytes) break;
    total += scratch.size();
    rest.remove_suffix(last.size());
  }
  std::string out;
  out.reserve(total);
  text::append_escaped(out, bytes.substr(rest.size()), text::Newlines::keep);
  return out;
}

Result<CommandResult> run_command(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                                  std::chrono::milliseconds timeout, std::size_t tail_bytes) {
  if (argv.empty()) return fail(Errc::config, "rebuild command is empty");
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> arg_store = argv;
  std::vector<char*> args;
  for (auto& a : arg_store) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; e && *e; ++e) env_store.emplace_back(*e);
  env_store.insert(env_store.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> env;
  for (auto& e : env_store) env.push_back(e.data());
  env.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(Errc::io, std::string("pipe: ") + std::strerror(errno));
  const auto started = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return fail(Errc::io, std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) exec_child(pipe_fds[1], args, env);
  close(pipe_fds[1]);
  setpgid(pid, pid);  // also here: no race with the child's own setpgid

  CommandResult result;
  std::string tail;
  int status = 0;
  bool exited = false, eof = false, killed = false;
  std::optional<Clock::time_point> kill_at;
  const auto deadline = started + timeout;
  while (!exited) {
    const auto now = Clock::now();
    if (!result.timed_out && now >= deadline) {
      result.timed_out = true;
      kill(-pid, SIGTERM);
      kill_at = now + k_kill_grace;
    }
    if (kill_at && !killed && now >= *kill_at) {
      kill(-pid, SIGKILL);
      killed = true;
    }
    if (!eof) {
      pollfd p{pipe_fds[0], POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        char buffer[16384];
        const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
        if (n > 0) keep_tail(tail, std::string_view(buffer, static_cast<std::size_t>(n)), tail_bytes);
        else if (n == 0 || errno != EINTR) eof = true;
      }
    } else {
      usleep(20000);
    }
    // A child that leaves a background process holding the pipe must not hang us: the exit
    // of the command itself ends the wait.
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) exited = true;
  }
  // Drain what is already buffered, without waiting for other holders of the pipe.
  fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  char buffer[16384];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    keep_tail(tail, std::string_view(buffer, static_cast<std::size_t>(n)), tail_bytes);
  }
  close(pipe_fds[0]);
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.output_tail = sanitize_output(tail, tail_bytes);
  return result;
}

}  // namespace vps::host::rebuild
