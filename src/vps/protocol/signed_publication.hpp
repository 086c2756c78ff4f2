#pragma once
// Signing, verifying and the JSON envelope of a publication (format in publication.hpp).

#include <cstdint>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/crypto/signer.hpp>
#include <vps/protocol/publication.hpp>

namespace vps::protocol {

// Validates, then signs signing_bytes() with the host key. The signer must hold the key in
// ssh_public_key (checked: Errc::internal otherwise, a caller bug).
Result<SignedPublication> sign(Publication publication, const crypto::Signer& host_key);

// Validates the fields, then checks the signature against the record's own ssh_public_key
// (Errc::integrity when it does not verify). Proof that the sender holds the host key; whether
// that key may enroll (token, operator approval) is the endpoint's decision.
Status verify(const SignedPublication& signed_publication);

// Replay window: |timestamp - now| <= max_skew_seconds, else Errc::refused. Nonces seen within
// the window must also be rejected by the endpoint (it keeps them).
Status check_freshness(const Publication& publication, std::int64_t now, std::int64_t max_skew_seconds);

// {"publication":{...},"signature":"...","version":2}, keys sorted, no whitespace.
std::string serialize(const SignedPublication& signed_publication);

// Strict: at most k_max_publication_bytes, one JSON object with exactly the known keys (no
// duplicates, no extras), right types, version 2, a 64-byte signature in padded base64, and
// valid fields. Does not verify the signature (call verify()). Errc::malformed.
Result<SignedPublication> parse_signed_publication(std::string_view text);

// The endpoint's answer to a publication (2xx body): {"status":"pending"|"approved", ...};
// other keys are ignored so the server may add some. Errc::malformed otherwise.
struct EnrollmentReply {
  std::string status;
};
inline constexpr std::size_t k_max_reply_bytes = 4096;
Result<EnrollmentReply> parse_enrollment_reply(std::string_view text);
std::string serialize(const EnrollmentReply& reply);

}  // namespace vps::protocol
