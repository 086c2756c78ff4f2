#pragma once
// Which stage of age decryption failed. Errc alone cannot tell a header MAC failure from a
// payload tag failure (both Errc::integrity) or an armor error from a header error (both
// Errc::malformed); callers that care (the C2SP testkit, diagnostics) ask for this as well.

#include <string_view>

namespace vps::formats::age {

enum class Failure {
  none,
  armor,        // ASCII armor is invalid           -> Errc::malformed
  header,       // header grammar or stanza invalid -> Errc::malformed
  header_mac,   // file key found, header MAC wrong -> Errc::integrity
  no_match,     // no identity opens any stanza     -> Errc::no_identity
  unsupported,  // only post-quantum/plugin stanzas -> Errc::unsupported
  payload,      // STREAM chunk tag, truncation, trailing data -> Errc::integrity
  io,           // reading input or writing output  -> Errc::io
};

constexpr std::string_view failure_name(Failure f) {
  switch (f) {
    case Failure::none: return "success";
    case Failure::armor: return "armor failure";
    case Failure::header: return "header failure";
    case Failure::header_mac: return "HMAC failure";
    case Failure::no_match: return "no match";
    case Failure::unsupported: return "unsupported";
    case Failure::payload: return "payload failure";
    case Failure::io: return "io failure";
  }
  return "unknown";
}

}  // namespace vps::formats::age
