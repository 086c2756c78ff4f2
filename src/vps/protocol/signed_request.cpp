#include <vps/protocol/signed_request.hpp>

#include <vps/base/text.hpp>

#include <algorithm>

#include <vps/base/base64.hpp>
#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/protocol/endpoint_origin.hpp>
#include <vps/protocol/publication.hpp>

namespace vps::protocol {

namespace {


tl::unexpected<Error> bad_header(std::string_view header, std::string_view why) {
  return fail(Errc::malformed, "invalid " + std::string(header) + " header: " + std::string(why));
}

Result<std::int64_t> parse_timestamp(std::string_view text) {
  // Decimal digits only (no sign, no leading zeros beyond "0"), at most 12 digits: year 33658.
  auto value = vps::text::parse_decimal(text, 0, 999999999999);
  if (!value) return bad_header(k_header_timestamp, "expected decimal seconds");
  return *value;
}

}  // namespace

Bytes request_signing_bytes(std::string_view endpoint, std::string_view method, std::string_view target,
                            std::string_view body, std::int64_t timestamp, std::string_view nonce,
                            std::string_view fingerprint) {
  std::string text(k_request_domain);
  text += endpoint;
  text += '\n';
  text += method;
  text += '\n';
  text += target;
  text += '\n';
  text += hex::encode(crypto::sha256(as_bytes(body)));
  text += '\n';
  text += std::to_string(timestamp);
  text += '\n';
  text += nonce;
  text += '\n';
  text += fingerprint;
  text += '\n';
  return to_bytes(text);
}

Result<RequestSignatureHeaders> sign_request(std::string_view endpoint, std::string_view method, std::string_view target,
                                             std::string_view body, const crypto::Signer& signer, std::int64_t timestamp,
                                             std::optional<std::string> nonce) {
  if (!valid_endpoint_origin(endpoint))
    return fail(Errc::internal, "signing a request for an invalid endpoint origin '" + std::string(endpoint) + "'");
  RequestSignatureHeaders headers;
  headers.endpoint = std::string(endpoint);
  headers.key = ssh_public_key_field(signer.public_key());
  headers.timestamp = std::to_string(timestamp);
  headers.nonce = nonce ? std::move(*nonce) : new_nonce();
  const std::string fingerprint = formats::openssh::sha256_fingerprint(signer.public_key());
  const Bytes message = request_signing_bytes(endpoint, method, target, body, timestamp, headers.nonce, fingerprint);
  headers.signature = base64::encode(VPS_TRY(signer.sign(message)));
  return headers;
}

Result<RequestCredentials> parse_request_headers(std::optional<std::string_view> endpoint,
                                                 std::optional<std::string_view> key,
                                                 std::optional<std::string_view> timestamp,
                                                 std::optional<std::string_view> nonce,
                                                 std::optional<std::string_view> signature) {
  if (!key || !timestamp || !nonce || !signature) return fail(Errc::unauthorized, "unsigned request");
  if (!endpoint) {
    return fail(Errc::unauthorized, "request is not bound to an endpoint (no X-Vps-Endpoint header; "
                                    "a client older than this endpoint?)");
  }
  RequestCredentials out;
  if (!valid_endpoint_origin(*endpoint)) return bad_header(k_header_endpoint, "expected an origin like https://host:443");
  out.endpoint = std::string(*endpoint);
  auto parsed_key = formats::openssh::parse_public_key_line(*key);
  if (!parsed_key || !parsed_key->comment.empty() || key->find_first_of("\r\n") != std::string_view::npos) {
    return bad_header(k_header_key, "expected \"ssh-ed25519 <base64>\"");
  }
  out.key = parsed_key->key;
  out.fingerprint = formats::openssh::sha256_fingerprint(out.key);
  out.timestamp = VPS_TRY(parse_timestamp(*timestamp));
  if (nonce->size() != 32 || !hex::is_lower_hex(*nonce)) {
    return bad_header(k_header_nonce, "expected 32 lowercase hex digits");
  }
  out.nonce = std::string(*nonce);
  auto raw = base64::decode(*signature);
  if (!raw || raw->size() != out.signature.size()) return bad_header(k_header_signature, "expected 64 bytes in base64");
  std::copy(raw->begin(), raw->end(), out.signature.begin());
  return out;
}

Status verify_request(const RequestCredentials& credentials, std::string_view method, std::string_view target,
                      std::string_view body) {
  const Bytes message = request_signing_bytes(credentials.endpoint, method, target, body, credentials.timestamp,
                                              credentials.nonce, credentials.fingerprint);
  if (!crypto::ed25519_verify(credentials.key, message, credentials.signature)) {
    return fail(Errc::integrity, "request signature does not verify");
  }
  return {};
}

Status check_request_freshness(std::int64_t timestamp, std::int64_t now, std::int64_t max_skew_seconds) {
  const std::int64_t delta = timestamp > now ? timestamp - now : now - timestamp;
  if (delta > max_skew_seconds) {
    return fail(Errc::refused, "request timestamp is " + std::to_string(delta) + " s away from the server clock (limit " +
                                   std::to_string(max_skew_seconds) + " s)");
  }
  return {};
}

}  // namespace vps::protocol
