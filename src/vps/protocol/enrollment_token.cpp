#include <vps/protocol/enrollment_token.hpp>

#include <vps/protocol/host_name.hpp>
#include <vps/protocol/strict_json.hpp>

namespace vps::protocol {

using Json = nlohmann::json;

Json to_json(const TokenRequest& request) { return Json{{"host", request.host}, {"ttl_seconds", request.ttl_seconds}}; }

Result<TokenRequest> parse_token_request(std::string_view body) {
  auto object = VPS_TRY(parse_strict_object(body, "request body", {"host", "ttl_seconds"}));
  const auto host = object.find("host");
  if (host == object.end() || !host->is_string() || !valid_host_name(host->get_ref<const std::string&>())) {
    return fail(Errc::malformed, "\"host\" must be a host name ([a-z0-9][a-z0-9.-]{0,62})");
  }
  const auto ttl = object.find("ttl_seconds");
  if (ttl == object.end() || !ttl->is_number_integer())
    return fail(Errc::malformed, "\"ttl_seconds\" (integer) is required");
  return TokenRequest{host->get<std::string>(), ttl->get<std::int64_t>()};
}

Json to_json(const TokenGrant& grant) {
  return Json{{"token", grant.token}, {"host", grant.host}, {"expires_at", grant.expires_at}};
}

Result<TokenGrant> parse_token_grant(const Json& value) {
  const bool ok = value.is_object() && value.contains("token") && value["token"].is_string() &&
                  value.contains("host") && value["host"].is_string() && value.contains("expires_at") &&
                  value["expires_at"].is_number_integer();
  if (!ok) return fail(Errc::malformed, "endpoint's token answer: \"token\", \"host\" and \"expires_at\" are required");
  return TokenGrant{value["token"].get<std::string>(), value["host"].get<std::string>(),
                    value["expires_at"].get<std::int64_t>()};
}

}  // namespace vps::protocol
