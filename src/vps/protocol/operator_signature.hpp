#pragma once
// Objects an operator signs for a host to check by itself (rebuild requests, bundle manifests):
// the canonical text is signed with Ed25519 by the operator key named in its own "key:" line,
// and the signature travels as padded base64 beside the text. The receiver (the endpoint, and
// the host against ITS OWN operator list) accepts it only when that key is an authorized
// operator and the signature verifies, whatever channel carried it.

#include <span>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/formats/openssh/authorized_operators.hpp>

namespace vps::protocol {

// Exactly 88 characters of padded base64 decoding to 64 bytes; Errc::malformed naming `what`.
Result<crypto::Ed25519Signature> parse_signature_base64(std::string_view text, std::string_view what);

// The signer `key` must be in `operators` (Errc::unauthorized naming its fingerprint) and the
// signature must verify over `text` (Errc::integrity). Returns the operator.
Result<formats::openssh::AuthorizedOperator> authorize_operator_signature(
    const crypto::Ed25519Public& key, std::string_view text, const crypto::Ed25519Signature& signature,
    std::span<const formats::openssh::AuthorizedOperator> operators, std::string_view what);

}  // namespace vps::protocol
