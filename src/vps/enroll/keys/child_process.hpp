#pragma once
// The two helpers this module runs as child processes (the libssh decryption, an askpass
// program) hand back a secret on a pipe: read it into a wiping buffer, bounded in size and
// time, then reap the child.

#include <chrono>
#include <string_view>

#include <sys/types.h>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::enroll::keys {

using Deadline = std::chrono::steady_clock::time_point;

// Everything `fd` delivers until end of file. Errc::malformed past max_bytes, Errc::timeout
// past the deadline; `what` names the child in messages.
Result<SecretBytes> read_child_output(int fd, std::size_t max_bytes, Deadline deadline, std::string_view what);

// Waits for `pid` to end, killing it (SIGKILL) once the deadline has passed. Its exit status,
// or 128 + the signal that ended it.
int reap_child(pid_t pid, Deadline deadline);

}  // namespace vps::enroll::keys
