#pragma once
// Linode Metadata Service client (http://169.254.169.254, link-local, plain HTTP by design):
//   PUT  /v1/token      header Metadata-Token-Expiry-Seconds: <ttl>   -> token (text/plain)
//   GET  /v1/instance   header Metadata-Token, Accept: application/json -> {"id": 123, ...}
//   GET  /v1/user-data  header Metadata-Token                          -> base64 user-data
// The base URL is configurable so tests point it at a loopback fake. The session token is
// a credential: it is never logged.

#include <chrono>
#include <optional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/net/http/client.hpp>
#include <vps/net/http/url.hpp>

namespace vps::net::metadata {

inline constexpr std::string_view k_default_base_url = "http://169.254.169.254";

struct MetadataOptions {
  std::string base_url = std::string(k_default_base_url);
  std::chrono::seconds token_ttl{300};
  std::chrono::milliseconds timeout{3000};  // per request: the service is one hop away
};

class MetadataClient {
 public:
  // Errc::config for a bad base URL (plain http is allowed to loopback and link-local only).
  static Result<MetadataClient> create(const MetadataOptions& options);

  // Each call: Errc::retry / Errc::timeout when unreachable, Errc::refused for an HTTP error.
  Status authenticate();                           // PUT /v1/token
  Result<std::string> instance_id();               // GET /v1/instance, "id" as decimal text
  Result<std::optional<std::string>> user_data();  // GET /v1/user-data; nullopt when none set

 private:
  MetadataClient(http::Url base, MetadataOptions options);
  Result<http::Response> call(const char* method, const char* path, std::vector<http::Header> headers);

  http::Url m_base;
  MetadataOptions m_options;
  http::ClientOptions m_client;
  std::string m_token;
};

}  // namespace vps::net::metadata
