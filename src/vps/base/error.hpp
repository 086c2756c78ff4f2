#pragma once
// One error type for the whole project: a failure class (which decides the exit code) and a
// lowercase message that already names what failed and where. Secrets never go into messages.

#include <string>
#include <string_view>

namespace vps {

// Values are the process exit codes (64-78 follow sysexits(3), which systemd names).
enum class Errc : int {
  usage = 64,         // bad arguments
  malformed = 65,     // parse failure of some input
  missing = 66,       // input file absent
  unsupported = 69,   // well-formed but not supported (e.g. post-quantum age stanzas)
  internal = 70,      // bug
  io = 74,            // filesystem or mount
  retry = 75,         // network or endpoint unavailable, try again later
  refused = 76,       // endpoint said no
  unauthorized = 77,  // key not authorized
  config = 78,        // configuration invalid
  no_key = 79,        // no host key yet (run firstboot)
  integrity = 80,     // MAC, AEAD tag or signature failed
  no_identity = 81,   // no identity we hold opens the file
  corrupt_key = 82,   // existing key unreadable: quarantined, operator must act
  timeout = 83,       // a bounded wait ran out
  not_picked_up = 84,   // the host did not pick the rebuild request up in time (or it expired queued)
  rebuild_failed = 85,  // the host ran the rebuild (or refused it) and it failed
  not_a_recipient = 86,  // rekey --remove: the recipient is on no .sops.yaml rule and no given file
  last_recipient = 87,   // rekey --remove: it is the only recipient left (nobody could open the file)
  already_revoked = 88,  // revoke: the host is already revoked (nothing changed)
  unknown_key = 89,      // approve --replace: no new key with that fingerprint was published
};

std::string_view errc_name(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;

  // "publish: " + inner message: adds context on the way up without losing the class.
  Error context(std::string_view prefix) const& {
    return Error{code, std::string(prefix) + ": " + message};
  }
  Error context(std::string_view prefix) && {
    message.insert(0, std::string(prefix) + ": ");
    return std::move(*this);
  }
};

inline Error make_error(Errc code, std::string message) {
  return Error{code, std::move(message)};
}

inline int exit_code(Errc code) { return static_cast<int>(code); }

}  // namespace vps
