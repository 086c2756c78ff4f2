#pragma once
// Operator-signed rebuild requests. The host verifies them itself against its own list of
// authorized operator keys, independently of the signature on the HTTP request that carried
// them, so the enrollment server (which only stores and forwards them) cannot order a rebuild
// nobody signed. A request carries data (host, revision), never a command.
//
// Canonical text (signed byte for byte; exactly these seven lines, each ending in "\n";
// canonical_lines.hpp):
//
//   vps-rebuild/v2
//   host: web1
//   host-key: SHA256:...
//   revision: 3f2a9c1
//   sequence: 1764224895000
//   expires: 1764228495
//   key: ssh-ed25519 AAAAC3Nza...
//
// host      [a-z0-9][a-z0-9.-]{0,62} (protocol/host_name.hpp, the endpoint's grammar too)
// host-key  the fingerprint of the host key the request is for: a re-installed instance with
//           the same name (new key, rebuild guard back at 0) refuses requests meant for the old
//           one, however long they have left before they expire
// revision  1-128 of [A-Za-z0-9._/@+-], not starting with '-' (never an option to the command)
// sequence  decimal 1..2^63-1, no leading zeros; the host refuses any not above the last
//           applied, and any more than 24 h ahead of its clock (operator_sequence.hpp)
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
#include <vps/crypto/signer.hpp>
#include <vps/formats/openssh/authorized_operators.hpp>

namespace vps::protocol {

inline constexpr std::string_view k_rebuild_domain = "vps-rebuild/v2";
inline constexpr std::size_t k_max_rebuild_request_bytes = 1024;
inline constexpr std::size_t k_max_revision_length = 128;

struct RebuildRequest {
  std::string host;
  std::string host_key;  // "SHA256:..."
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

// Signs with the operator's key (request.key is set to the signer's).
Result<SignedRebuildRequest> sign_rebuild_request(const RebuildRequest& request, const crypto::Signer& signer);

// Parses text and the base64 signature (nothing verified yet).
Result<SignedRebuildRequest> parse_signed_rebuild_request(std::string_view text, std::string_view signature_base64);

// Errc::integrity when the signature does not verify under the request's own key.
Status verify_rebuild_signature(const SignedRebuildRequest& signed_request);

// The request's key must be in `operators` (Errc::unauthorized otherwise) and its signature
// must verify (Errc::integrity). Returns the operator who signed it.
Result<formats::openssh::AuthorizedOperator> authorize_rebuild(const SignedRebuildRequest& signed_request,
                                                               std::span<const formats::openssh::AuthorizedOperator> operators);

// What the host checks beyond the signature: addressed to it, name and key (Errc::unauthorized),
// sequence above the last applied (Errc::refused, "replayed") and not beyond its clock's bound
// (Errc::refused), not expired (Errc::refused). now_ms: Unix milliseconds.
Status check_rebuild_applicable(const RebuildRequest& request, std::string_view host, std::string_view host_key,
                                std::int64_t last_sequence, std::int64_t now_ms);

}  // namespace vps::protocol
