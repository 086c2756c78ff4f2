#include <vps/protocol/operator_signature.hpp>

#include <algorithm>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/fingerprint.hpp>

namespace vps::protocol {

Result<crypto::Ed25519Signature> parse_signature_base64(std::string_view text, std::string_view what) {
  crypto::Ed25519Signature out{};
  auto raw = base64::decode(text);
  if (text.size() != 88 || !raw || raw->size() != out.size())
    return fail(Errc::malformed, std::string(what) + ": signature is not 64 bytes of base64");
  std::copy(raw->begin(), raw->end(), out.begin());
  return out;
}

Result<formats::openssh::AuthorizedOperator> authorize_operator_signature(
    const crypto::Ed25519Public& key, std::string_view text, const crypto::Ed25519Signature& signature,
    std::span<const formats::openssh::AuthorizedOperator> operators, std::string_view what) {
  const auto* op = formats::openssh::find_operator(operators, key);
  if (op == nullptr) {
    return fail(Errc::unauthorized, std::string(what) + " signed by " + formats::openssh::sha256_fingerprint(key) +
                                        ", which is not an authorized operator");
  }
  if (!crypto::ed25519_verify(key, as_bytes(text), signature))
    return fail(Errc::integrity, std::string(what) + " signature does not verify");
  return *op;
}

}  // namespace vps::protocol
