#pragma once
// The enrollment publication: what a host tells the endpoint about itself after first boot,
// signed by its SSH host key so nobody between host and endpoint can alter it.
//
// Wire format (POST <endpoint>/v1/enrollments, Content-Type: application/json), at most 16 KiB:
//   {"publication":{...fields below...},"signature":"<base64, 64 bytes>","version":2}
// Fields (all strings except timestamp; token omitted when absent):
//   endpoint        the endpoint's origin as the host addressed it (endpoint_origin.hpp): the
//                   endpoint refuses a publication meant for another one (relayed)
//   hostname        RFC 1123 name, 1-253 of [A-Za-z0-9.-]
//   instance_id     provider instance id (Linode: decimal), 1-64 of [A-Za-z0-9._-]
//   ssh_public_key  "ssh-ed25519 <base64>" exactly as ssh-keygen prints it, no comment
//   age_recipient   "age1..." derived from the host key (ssh-to-age), must match it
//   fingerprint     "SHA256:..." of the host key, must match it
//   boot_id         /proc/sys/kernel/random/boot_id (lowercase UUID)
//   timestamp       seconds since the Unix epoch (integer)
//   nonce           32 lowercase hex digits (16 random bytes), fresh per publication
//   token           optional one-time enrollment token from user-data, 1-256 of [A-Za-z0-9._~+/=-]
//
// Signature: Ed25519 by the host key over signing_bytes() =
//   "vps-agent publication v2\n" + canonical_json(publication)
// where canonical_json writes the fields above sorted by key, without whitespace. Field syntax
// excludes every character JSON would escape, so the canonical form is unique and easy to
// reproduce in any language. The verifier recomputes it from the parsed values.
//
// Endpoint answers to POST /v1/enrollments (what `vps-agent publish` expects):
//   2xx {"status":"pending"|"approved"}  acknowledged: publish records it in state.json, stops
//   408, 425, 429, 5xx except 501/505    temporary: retried with backoff, Retry-After (seconds)
//                                        honoured up to the maximum delay
//   any other status (400 invalid, 401/403 bad or spent token, 409 instance held by another
//   key, 413 too large, 3xx)             permanent: publish exits 76 (refused), quoting the
//                                        first line of the body, which must hold no secret
// Each attempt is signed afresh (new timestamp and nonce), so a repeat from the same key after
// a lost answer must be answered 2xx again (idempotent), not as a replay.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::protocol {

inline constexpr std::string_view k_publication_domain = "vps-agent publication v2\n";
inline constexpr std::string_view k_enrollments_path = "/v1/enrollments";
inline constexpr std::size_t k_max_publication_bytes = 16 * 1024;
inline constexpr int k_publication_version = 2;

struct Publication {
  std::string endpoint;
  std::string hostname;
  std::string instance_id;
  std::string ssh_public_key;
  std::string age_recipient;
  std::string fingerprint;
  std::string boot_id;
  std::int64_t timestamp = 0;
  std::string nonce;
  std::optional<std::string> token;
};

struct SignedPublication {
  Publication publication;
  crypto::Ed25519Signature signature{};
};

// Syntax of every field and consistency of fingerprint and age_recipient with the key.
// Errc::malformed naming the field ("publication: invalid boot_id").
Status validate(const Publication& publication);

// Host-key-derived fields as the record carries them.
std::string ssh_public_key_field(const crypto::Ed25519Public& key);
Result<std::string> age_recipient_for(const crypto::Ed25519Public& key);

std::string canonical_json(const Publication& publication);
Bytes signing_bytes(const Publication& publication);

// 16 fresh random bytes as 32 lowercase hex digits.
std::string new_nonce();

}  // namespace vps::protocol
