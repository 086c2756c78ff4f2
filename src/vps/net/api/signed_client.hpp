#pragma once
// Signed requests to the enrollment API (see protocol/signed_request): operators sign with their
// ed25519 key (an OpenSSH private key file, as ~/.ssh/id_ed25519), hosts with their host key.
// Sent with the one-shot HTTP client. Shared by vps-enroll and the agent.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/crypto/signer.hpp>
#include <vps/net/http/client.hpp>
#include <vps/net/http/url.hpp>

namespace vps::net::api {

// Who signs this client's requests, and the fingerprint the endpoint will see.
struct SigningKey {
  std::shared_ptr<const crypto::Signer> signer;
  std::string fingerprint;

  const crypto::Ed25519Public& public_key() const { return signer->public_key(); }
};

SigningKey signing_key(std::shared_ptr<const crypto::Signer> signer);

// Unencrypted OpenSSH ed25519 private key. Errc::missing when absent; parse errors as the
// openssh module reports them (never the key bytes).
Result<SigningKey> load_signing_key(const std::filesystem::path& path);

class SignedClient {
 public:
  SignedClient(http::Url endpoint, SigningKey key, http::ClientOptions options);

  // Signs (bound to the endpoint's origin, protocol/signed_request.hpp) and sends; any HTTP
  // status is returned as a value (transport errors and a signer's refusal are errors).
  Result<http::Response> send(std::string_view method, std::string_view path, std::string body = {},
                              std::string_view content_type = "application/json",
                              std::vector<http::Header> extra_headers = {});

  // As send, then maps a non-2xx status to an error (401/403 Errc::unauthorized, 404
  // Errc::missing, 409 Errc::refused, other 4xx Errc::refused, 5xx Errc::retry) carrying the
  // server's {"error": ...} reason, and parses a JSON body.
  Result<nlohmann::json> call_json(std::string_view method, std::string_view path, std::string body = {});

  const SigningKey& key() const { return m_key; }
  const http::Url& endpoint() const { return m_endpoint; }

 private:
  http::Url m_endpoint;
  SigningKey m_key;
  http::ClientOptions m_options;
};

// The Error for a non-2xx response (see call_json).
Error response_error(const http::Response& response);

// Why the endpoint refused this host's key (401/403), for the agent's status line and backoff:
// not approved (yet), or an operator revoked or replaced ("retired") it, as the answer's "code"
// says. nullopt when the answer is not a refusal of the key (404, 5xx...: "unavailable").
enum class KeyRefusal { not_approved, revoked, retired };
std::optional<KeyRefusal> key_refusal(const http::Response& response);

}  // namespace vps::net::api
