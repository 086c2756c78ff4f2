#pragma once
// Runs the host's configured rebuild command: fork + execve of an argv list (never a shell),
// in its own process group, stdin from /dev/null, stdout and stderr captured together with
// only the last `tail_bytes` kept. Past `timeout` the group gets SIGTERM, then SIGKILL 10 s
// later. The revision reaches the command only by substitution of "{revision}" inside
// configured arguments (and as $VPS_REBUILD_REVISION): it is data, never code.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <vps/base/result.hpp>

namespace vps::host::rebuild {

struct CommandResult {
  int exit_status = -1;  // when exited
  int signal = 0;        // when killed by a signal
  bool timed_out = false;
  std::chrono::milliseconds duration{0};
  std::string output_tail;

  bool succeeded() const { return exit_status == 0 && signal == 0 && !timed_out; }
  std::string describe() const;  // "exit status 3", "killed by signal 9", "timed out after 2 s"
};

// Replaces every "{revision}" in every argument.
std::vector<std::string> substitute_revision(const std::vector<std::string>& argv, const std::string& revision);

// Errc::io when the process cannot be started (fork/pipe failures); a program that cannot be
// executed is a result with exit status 127.
Result<CommandResult> run_command(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                                  std::chrono::milliseconds timeout, std::size_t tail_bytes);

// The output as valid UTF-8 with every control character but newline and tab escaped
// (text::escape_control), so the tail is safe JSON text and safe on an operator's terminal,
// and non-ASCII build output (nix's quotes and ellipses) stays readable; at most `max_bytes`,
// the end kept.
std::string sanitize_output(std::string_view bytes, std::size_t max_bytes);

}  // namespace vps::host::rebuild
