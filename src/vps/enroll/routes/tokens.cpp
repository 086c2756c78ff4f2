// POST /v1/tokens: an operator creates a one-time enrollment token for a host name. The token
// is returned once and only its SHA-256 is stored.
#include <vps/enroll/routes/context.hpp>

#include <vps/enroll/routes/names.hpp>
#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/crypto/random.hpp>

namespace vps::enroll::routes {

net::http::Response create_token(RouteContext& ctx, const auth::Caller& caller) {
  if (auto ok = auth::require_operator(caller); !ok) return error_response(ok.error().status, ok.error().reason);
  auto body = parse_object(ctx.request.body, {"host", "ttl_seconds"}, /*allow_empty=*/false);
  if (!body) return std::move(body).error();
  const Json& host = (*body)["host"];
  if (!host.is_string() || !valid_host_name(host.get<std::string>())) {
    return error_response(400, "\"host\" must be a host name ([a-z0-9][a-z0-9.-]{0,62})");
  }
  const Json& ttl = (*body)["ttl_seconds"];
  if (!ttl.is_number_integer() || ttl.get<std::int64_t>() < 60 ||
      ttl.get<std::int64_t>() > ctx.policy.max_token_ttl_seconds) {
    return error_response(400, "\"ttl_seconds\" must be an integer from 60 to " +
                                   std::to_string(ctx.policy.max_token_ttl_seconds));
  }
  SecretBytes raw(32);
  crypto::random_bytes(raw);
  const std::string token = hex::encode(raw);
  store::TokenRecord record;
  record.hash = hex::encode(crypto::sha256(as_bytes(token)));
  record.host = host.get<std::string>();
  record.created_by = *caller.operator_name;
  record.created_at = ctx.now;
  record.expires_at = ctx.now + ttl.get<std::int64_t>();
  Status written = ctx.store.insert_token(record);
  // The audit names the hash prefix so an operator can match a token to its use, not the token.
  if (written) {
    written = audit(ctx, caller.actor(), "token", record.host,
                    "hash " + record.hash.substr(0, 16) + " expires_at " + std::to_string(record.expires_at));
  }
  if (!written) return internal_error(written.error());
  return json_response(201, Json{{"token", token}, {"host", record.host}, {"expires_at", record.expires_at}});
}

}  // namespace vps::enroll::routes
