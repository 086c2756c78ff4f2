// POST /v1/tokens: an operator creates a one-time enrollment token for a host name. The token
// is returned once and only its SHA-256 is stored.
#include <vps/enroll/routes/context.hpp>

#include <vps/protocol/enrollment_token.hpp>
#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/crypto/random.hpp>

namespace vps::enroll::routes {

net::http::Response create_token(RouteContext& ctx, const auth::Caller& caller) {
  if (auto ok = auth::require_operator(caller); !ok) return error_response(ok.error().status, ok.error().reason);
  auto body = protocol::parse_token_request(ctx.request.body);
  if (!body) return error_response(400, body.error().message);
  if (body->ttl_seconds < 60 || body->ttl_seconds > ctx.policy.max_token_ttl_seconds) {
    return error_response(400, "\"ttl_seconds\" must be an integer from 60 to " +
                                   std::to_string(ctx.policy.max_token_ttl_seconds));
  }
  SecretBytes raw(32);
  crypto::random_bytes(raw);
  const std::string token = hex::encode(raw);
  store::TokenRecord record;
  record.hash = hex::encode(crypto::sha256(as_bytes(token)));
  record.host = body->host;
  record.created_by = *caller.operator_name;
  record.created_at = ctx.now;
  record.expires_at = ctx.now + body->ttl_seconds;
  Status written = ctx.store.insert_token(record);
  // The audit names the hash prefix so an operator can match a token to its use, not the token.
  if (written) {
    written = audit(ctx, caller.actor(), "token", record.host,
                    "hash " + record.hash.substr(0, 16) + " expires_at " + std::to_string(record.expires_at));
  }
  if (!written) return internal_error(written.error());
  return json_response(201, protocol::to_json(protocol::TokenGrant{token, record.host, record.expires_at}));
}

}  // namespace vps::enroll::routes
