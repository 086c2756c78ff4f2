#pragma once
// Operator-signed rebuild requests. The host verifies them itself against its own list of
// authorized operator keys, independently of the signature on the HTTP request that carried
// them, so the enrollment server (which only stores and forwards them) cannot order a rebuild
// nobody signed. A request carries data (host, revision), never a command.
//
// Canonical text (signed byte for byte; exactly these six lines, each ending in "\n"):
//
//   vps-rebuild/v1
//   host: web1
//   revision: 3f2a9c1
//   sequence: 1764224895000
//   expires: 1764228495
//   key: ssh-ed25519 AAAAC3Nza...
//
// host      [a-z0-9][a-z0-9.-]{0,62} (protocol/host_name.hpp, the endpoint's grammar too)
// revision  1-128 of [A-Za-z0-9._/@+-], not starting with '-' (never an option to the command)
// sequence  decimal 1..2^63-1, no leading zeros; the host refuses any not above the last applied
// expires   decimal Unix seconds, no leading zeros
// key       the signer's public key, "ssh-ed25519 <base64>" without comment
//
// The signature is Ed25519 over the canonical text, sent as padded base64. The first line is
// the domain separator: no other signed object of the project starts with it.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/formats/openssh/authorized_operators.hpp>

namespace vps::protocol {

inline constexpr std::string_view k_rebuild_domain = "vps-rebuild/v1";
inline constexpr std::size_t k_max_rebuild_request_bytes = 1024;
inline constexpr std::size_t k_max_revision_length = 128;

struct RebuildRequest {
  std::string host;
  std::string revision;
  std::int64_t sequence = 0;
  std::int64_t expires = 0;
  crypto::Ed25519Public key{};
};

struct SignedRebuildRequest {
  RebuildRequest request;
  std::string text;  // canonical text, as signed
  crypto::Ed25519Signature signature{};
};

bool valid_revision(std::string_view revision);

// Errc::malformed for a field out of its grammar (naming the field).
Result<std::string> canonical_text(const RebuildRequest& request);

// Strict: exactly the canonical form (the text must equal canonical_text of what it parses
// to), at most k_max_rebuild_request_bytes. Errc::malformed naming the line.
Result<RebuildRequest> parse_rebuild_request(std::string_view text);

Result<SignedRebuildRequest> sign_rebuild_request(const RebuildRequest& request, const crypto::Ed25519Seed& seed);

// Parses text and the base64 signature (nothing verified yet).
Result<SignedRebuildRequest> parse_signed_rebuild_request(std::string_view text, std::string_view signature_base64);

// Errc::integrity when the signature does not verify under the request's own key.
Status verify_rebuild_signature(const SignedRebuildRequest& signed_request);

// The request's key must be in `operators` (Errc::unauthorized otherwise) and its signature
// must verify (Errc::integrity). Returns the operator who signed it.
Result<formats::openssh::AuthorizedOperator> authorize_rebuild(const SignedRebuildRequest& signed_request,
                                                               std::span<const formats::openssh::AuthorizedOperator> operators);

// What the host checks beyond the signature: addressed to it (Errc::unauthorized), sequence
// above the last applied (Errc::refused, "replayed"), not expired (Errc::refused).
Status check_rebuild_applicable(const RebuildRequest& request, std::string_view host, std::int64_t last_sequence,
                                std::int64_t now);

}  // namespace vps::protocol
