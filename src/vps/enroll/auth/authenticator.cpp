#include <vps/enroll/auth/authenticator.hpp>

#include <vps/base/log.hpp>
#include <vps/protocol/signed_request.hpp>

namespace vps::enroll::auth {

namespace {

tl::unexpected<Denial> deny(unsigned status, std::string reason) {
  return tl::unexpected<Denial>(Denial{status, std::move(reason)});
}

}  // namespace

std::string Caller::actor() const {
  return operator_name ? "operator:" + *operator_name : "key:" + fingerprint;
}

AuthResult authenticate(const net::http::Request& request, store::Store& store, const Operators& operators,
                        const AuthPolicy& policy, std::int64_t now) {
  namespace p = protocol;
  if (request.target.size() > p::k_max_target_length) return deny(401, "request target too long to sign");
  auto credentials =
      p::parse_request_headers(request.header(p::k_header_endpoint), request.header(p::k_header_key),
                               request.header(p::k_header_timestamp), request.header(p::k_header_nonce),
                               request.header(p::k_header_signature));
  if (!credentials) return deny(401, credentials.error().message);
  // Before the signature: a request made for another endpoint means nothing here, however
  // well signed (a staging endpoint relaying an operator's request to production).
  if (!policy.endpoints->accepts(credentials->endpoint)) {
    return deny(401, "request was signed for endpoint " + credentials->endpoint + ", not for this one (" +
                         policy.endpoints->describe() + ")");
  }
  if (auto fresh = p::check_request_freshness(credentials->timestamp, now, policy.max_skew_seconds); !fresh) {
    return deny(401, fresh.error().message);
  }
  if (auto verified = p::verify_request(*credentials, request.method, request.target, request.body); !verified) {
    return deny(401, "bad signature");
  }
  // Only a verified request may consume a nonce, so nobody can burn another signer's nonces.
  auto fresh_nonce = store.remember_nonce(credentials->nonce, nonce_expiry(credentials->timestamp, policy), now);
  if (!fresh_nonce) {
    log::error("enrollment endpoint: 500 on " + request.method + " " + request.target +
               ": authentication: recording the nonce: " + fresh_nonce.error().message);
    return deny(500, "internal error");
  }
  if (!*fresh_nonce) return deny(401, "nonce already used (replayed request)");
  Caller caller;
  caller.key = credentials->key;
  caller.fingerprint = credentials->fingerprint;
  if (const Operator* op = operators.find(credentials->key)) caller.operator_name = op->name;
  return caller;
}

tl::expected<void, Denial> require_operator(const Caller& caller) {
  if (caller.is_operator()) return {};
  return deny(403, "key " + caller.fingerprint + " is not an authorized operator" +
                       (caller.operators_unusable ? " (the endpoint's operators file is unusable; see its log)" : ""));
}

}  // namespace vps::enroll::auth
