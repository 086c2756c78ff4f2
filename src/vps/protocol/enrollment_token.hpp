#pragma once
// The REST bodies of POST /v1/tokens, defined once for the endpoint (routes/tokens.cpp) and the
// operator CLI (vps-enroll token create):
//
//   operator -> endpoint  {"host": "web1", "ttl_seconds": 3600}          TokenRequest
//   endpoint -> operator  {"token": "<64 hex>", "host": "web1", "expires_at": 1764228495}
//                                                                         TokenGrant
//
// The request is parsed strictly (strict_json.hpp); the endpoint then bounds the lifetime by its
// own policy (60 s up to serve.yaml's maximum).

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <vps/base/result.hpp>

namespace vps::protocol {

struct TokenRequest {
  std::string host;
  std::int64_t ttl_seconds = 0;
};

nlohmann::json to_json(const TokenRequest& request);
// Errc::malformed: not a strict object with exactly these fields, a host that is not a host name
// (host_name.hpp), a lifetime that is not an integer.
Result<TokenRequest> parse_token_request(std::string_view body);

struct TokenGrant {
  std::string token;  // shown once: the endpoint keeps only its SHA-256
  std::string host;
  std::int64_t expires_at = 0;  // Unix seconds
};

nlohmann::json to_json(const TokenGrant& grant);
// Errc::malformed when a field is missing or of another type.
Result<TokenGrant> parse_token_grant(const nlohmann::json& value);

}  // namespace vps::protocol
