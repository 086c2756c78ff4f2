#include <vps/base/error.hpp>

namespace vps {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::usage: return "usage";
    case Errc::malformed: return "malformed";
    case Errc::missing: return "missing";
    case Errc::unsupported: return "unsupported";
    case Errc::internal: return "internal";
    case Errc::io: return "io";
    case Errc::retry: return "retry";
    case Errc::refused: return "refused";
    case Errc::unauthorized: return "unauthorized";
    case Errc::config: return "config";
    case Errc::no_key: return "no_key";
    case Errc::integrity: return "integrity";
    case Errc::no_identity: return "no_identity";
    case Errc::corrupt_key: return "corrupt_key";
    case Errc::timeout: return "timeout";
    case Errc::not_picked_up: return "not_picked_up";
    case Errc::rebuild_failed: return "rebuild_failed";
    case Errc::not_a_recipient: return "not_a_recipient";
    case Errc::last_recipient: return "last_recipient";
    case Errc::already_revoked: return "already_revoked";
    case Errc::unknown_key: return "unknown_key";
  }
  return "unknown";
}

}  // namespace vps
