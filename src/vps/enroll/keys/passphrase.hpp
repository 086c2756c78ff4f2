#pragma once
// Asks the operator for a key's passphrase the way ssh and ssh-add do (readpass.c), so an
// SSH_ASKPASS setup made for them works unchanged:
//   SSH_ASKPASS_REQUIRE=force   the askpass program ($SSH_ASKPASS, else /usr/bin/ssh-askpass);
//   SSH_ASKPASS_REQUIRE=prefer  the askpass program when $DISPLAY or $WAYLAND_DISPLAY is set,
//                               else the terminal;
//   SSH_ASKPASS_REQUIRE=never   the terminal only;
//   unset (or anything else)    the terminal; when there is none, the askpass program if a
//                               display is set.
// The terminal is /dev/tty, never standard input (which may carry a command's data), read by
// libbsd's readpassphrase(3) -- OpenBSD's implementation, which ssh uses too -- with echo off,
// restored on every way out: a signal (SIGINT, SIGTERM, SIGHUP, SIGTSTP, ...) arriving during
// the prompt restores the terminal first, then takes its usual effect (one arriving in the
// instant between the prompt and the read is acted on at the next newline, as in ssh).
//
// Deliberately no environment variable or file-descriptor option for the passphrase: a
// variable is readable in /proc/PID/environ and inherited by every child, and scripts already
// have two better ways that ssh users know: ssh-agent (ssh-add once), or an askpass program
// with SSH_ASKPASS_REQUIRE=force that fetches the passphrase from wherever they keep it.

#include <string>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::enroll::keys {

// The passphrase (at most 1024 bytes, in a wiping buffer). Errc::unauthorized when there is
// no way to ask (no terminal, no askpass allowed) or the prompt was cancelled, with a message
// saying how to provide the passphrase.
Result<SecretBytes> read_passphrase(const std::string& prompt);

}  // namespace vps::enroll::keys
