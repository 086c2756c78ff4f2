#include <vps/enroll/keys/askpass.hpp>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/enroll/keys/child_process.hpp>

namespace vps::enroll::keys {

Result<SecretBytes> run_askpass(const std::string& program, const std::string& prompt) {
  const std::string what = "askpass program '" + program + "'";
  // Everything the child needs exists before fork: after it, only dup2, execvp and _exit.
  std::vector<char*> argv = {const_cast<char*>(program.c_str()), const_cast<char*>(prompt.c_str()), nullptr};
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(Errc::io, "pipe: " + sys::errno_text(errno));
  sys::Fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) return fail(Errc::io, "fork: " + sys::errno_text(errno));
  if (pid == 0) {
    if (::dup2(write_end.get(), STDOUT_FILENO) < 0) ::_exit(127);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  write_end.reset();
  const auto deadline = std::chrono::steady_clock::now() + k_askpass_timeout;
  // The answer, its line ending and a little slack; anything longer is not a passphrase.
  auto answer = read_child_output(read_end.get(), k_max_passphrase + 2, deadline, what);
  const int status = reap_child(pid, deadline);
  if (!answer) {
    if (answer.error().code == Errc::timeout)
      return fail(Errc::unauthorized, what + " did not answer within " + std::to_string(k_askpass_timeout.count()) + " minutes");
    return fail(std::move(answer).error());
  }
  if (status == 127) return fail(Errc::unauthorized, "cannot run " + what + " (set SSH_ASKPASS to an askpass program)");
  if (status != 0)
    return fail(Errc::unauthorized, "passphrase prompt cancelled: " + what + " exited with status " + std::to_string(status));
  const auto end = std::find_if(answer->begin(), answer->end(), [](std::uint8_t c) { return c == '\r' || c == '\n'; });
  answer->resize(static_cast<std::size_t>(end - answer->begin()));
  if (std::find(answer->begin(), answer->end(), std::uint8_t{0}) != answer->end())
    return fail(Errc::usage, what + " answered a passphrase containing a NUL byte");
  return std::move(*answer);
}

}  // namespace vps::enroll::keys
