#pragma once
// Signed HTTP requests: how an operator (or a host fetching its own bundles) proves which key
// sent a request to the enrollment endpoint. The signature covers every part of the request
// that carries meaning, so nothing can be altered or replayed elsewhere:
//
//   signing bytes = "vps-agent request v2\n"
//                   ENDPOINT "\n" METHOD "\n" TARGET "\n" hex(sha256(body)) "\n"
//                   TIMESTAMP "\n" NONCE "\n" FINGERPRINT "\n"
//
// ENDPOINT is the origin the client addressed (endpoint_origin.hpp: "https://enroll.example.org:443"),
// so a request signed for one endpoint (staging) is refused by every other (production) even
// within the clock-skew window; METHOD is upper case as sent, TARGET the origin-form request
// target byte for byte, TIMESTAMP decimal Unix seconds, NONCE 32 lowercase hex digits,
// FINGERPRINT the signer's "SHA256:..." key fingerprint. Carried in five headers:
//   X-Vps-Endpoint   the ENDPOINT origin (the server checks it is one of its own)
//   X-Vps-Key        "ssh-ed25519 <base64>" (no comment)
//   X-Vps-Timestamp  decimal seconds
//   X-Vps-Nonce      32 lowercase hex digits, fresh per request
//   X-Vps-Signature  Ed25519 signature, padded base64 (64 bytes)
// The verifier keeps nonces for longer than the clock-skew window, so a captured request can be
// replayed neither inside the window (nonce seen) nor after it (timestamp too old).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/crypto/signer.hpp>

namespace vps::protocol {

inline constexpr std::string_view k_request_domain = "vps-agent request v2\n";
inline constexpr std::string_view k_header_endpoint = "X-Vps-Endpoint";
inline constexpr std::string_view k_header_key = "X-Vps-Key";
inline constexpr std::string_view k_header_timestamp = "X-Vps-Timestamp";
inline constexpr std::string_view k_header_nonce = "X-Vps-Nonce";
inline constexpr std::string_view k_header_signature = "X-Vps-Signature";
inline constexpr std::size_t k_max_target_length = 2048;

// The five header values, as sent.
struct RequestSignatureHeaders {
  std::string endpoint;
  std::string key;
  std::string timestamp;
  std::string nonce;
  std::string signature;
};

// Parsed header values (before the signature is checked).
struct RequestCredentials {
  std::string endpoint;  // canonical origin (checked against the server's own by the caller)
  crypto::Ed25519Public key{};
  std::string fingerprint;  // "SHA256:..."
  std::int64_t timestamp = 0;
  std::string nonce;
  crypto::Ed25519Signature signature{};
};

Bytes request_signing_bytes(std::string_view endpoint, std::string_view method, std::string_view target,
                            std::string_view body, std::int64_t timestamp, std::string_view nonce,
                            std::string_view fingerprint);

// Signs for `endpoint` (a canonical origin) with a fresh nonce (or the given one, for tests).
// The signer's error when it cannot sign (an ssh-agent refusing).
Result<RequestSignatureHeaders> sign_request(std::string_view endpoint, std::string_view method, std::string_view target,
                                             std::string_view body, const crypto::Signer& signer, std::int64_t timestamp,
                                             std::optional<std::string> nonce = std::nullopt);

// Strict parse of the five headers; any absent one gives Errc::unauthorized ("unsigned
// request", or "not bound to an endpoint" for X-Vps-Endpoint alone), any ill-formed one
// Errc::malformed naming the header.
Result<RequestCredentials> parse_request_headers(std::optional<std::string_view> endpoint,
                                                 std::optional<std::string_view> key,
                                                 std::optional<std::string_view> timestamp,
                                                 std::optional<std::string_view> nonce,
                                                 std::optional<std::string_view> signature);

// Errc::integrity when the signature does not cover exactly this method, target and body.
Status verify_request(const RequestCredentials& credentials, std::string_view method, std::string_view target,
                      std::string_view body);

// |timestamp - now| <= max_skew_seconds, else Errc::refused ("request timestamp outside ...").
Status check_request_freshness(std::int64_t timestamp, std::int64_t now, std::int64_t max_skew_seconds);

}  // namespace vps::protocol
