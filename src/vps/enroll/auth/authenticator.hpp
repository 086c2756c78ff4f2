#pragma once
// Authentication of signed requests (protocol/signed_request.hpp) at the endpoint: headers,
// timestamp window, signature, then the nonce replay cache. Who the signer is allowed to be
// (an operator, or the host whose resource is addressed) is the route's decision, through
// require_operator() and the Caller it gets.
//
// 401 means "we cannot tell who you are" (absent, malformed or bad signature, stale
// timestamp, replayed nonce, signed for another endpoint); 403 means "we know, and you may not".

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include <vps/enroll/auth/endpoint_origins.hpp>
#include <vps/enroll/auth/operators.hpp>
#include <vps/enroll/store/store.hpp>
#include <vps/net/http/message.hpp>

namespace vps::enroll::auth {

struct AuthPolicy {
  std::int64_t max_skew_seconds = 300;
  // Shared, not copied: the server fills in the loopback defaults once it has bound its port.
  std::shared_ptr<EndpointOrigins> endpoints = std::make_shared<EndpointOrigins>();
};

// Nonces are kept for longer than any timestamp the window still accepts.
inline std::int64_t nonce_expiry(std::int64_t timestamp, const AuthPolicy& policy) {
  return timestamp + policy.max_skew_seconds + 60;
}

struct Denial {
  unsigned status = 401;  // 401, 403, 500
  std::string reason;
};

struct Caller {
  crypto::Ed25519Public key{};
  std::string fingerprint;
  std::optional<std::string> operator_name;  // set when the key is an authorized operator
  bool operators_unusable = false;           // the operators file is broken: nobody is one

  bool is_operator() const { return operator_name.has_value(); }
  // For the audit trail: "operator:alice" or "key:SHA256:...".
  std::string actor() const;
};

using AuthResult = tl::expected<Caller, Denial>;

// Verifies the request's signature and records its nonce (in the caller's transaction).
AuthResult authenticate(const net::http::Request& request, store::Store& store, const Operators& operators,
                        const AuthPolicy& policy, std::int64_t now);

// 403 unless the caller is an authorized operator.
tl::expected<void, Denial> require_operator(const Caller& caller);

}  // namespace vps::enroll::auth
