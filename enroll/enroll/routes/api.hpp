#pragma once
// The enrollment endpoint's JSON API as a pure function Request -> Response over a Store (no
// I/O besides the database), so every rule is testable without sockets:
//
//   POST /v1/enrollments                      host publication (host signature, optional token)
//   GET  /v1/hosts                            operator
//   GET  /v1/hosts/{host}                     operator
//   POST /v1/hosts/{host}/approve             operator; {"fingerprint":"SHA256:..."} optional
//   POST /v1/hosts/{host}/reject              operator
//   GET  /v1/hosts/{host}/status              operator, or the host's own key
//   POST /v1/tokens                           operator; {"host":..., "ttl_seconds":...}
//   PUT  /v1/hosts/{host}/bundles/{secret}    operator; body is the ciphertext
//   GET  /v1/hosts/{host}/bundles[/{secret}]  operator, or the host's own approved key
//
// Each request runs in one database transaction: a refused request changes nothing except
// the nonce cache (so a refused request cannot be replayed either); a failed one changes
// nothing at all.

#include <cstdint>
#include <functional>
#include <string>

#include <enroll/auth/authenticator.hpp>
#include <enroll/auth/operators.hpp>
#include <enroll/store/store.hpp>
#include <vps/net/http/message.hpp>

namespace vps::enroll::routes {

struct Policy {
  auth::AuthPolicy auth;
  bool auto_approve_with_token = true;      // a valid one-time token approves the key at once
  std::size_t max_json_body = 64 * 1024;
  std::size_t max_bundle_bytes = 1024 * 1024;
  std::int64_t max_token_ttl_seconds = 30 * 24 * 3600;
  std::int64_t max_flagged_per_host = 16;  // distinct foreign keys remembered per host
};

using Clock = std::function<std::int64_t()>;  // Unix seconds
std::int64_t system_now();

class Api {
 public:
  Api(store::Store& store, auth::Operators operators, Policy policy, Clock clock = system_now);

  net::http::Response handle(const net::http::Request& request);

  const Policy& policy() const { return m_policy; }

 private:
  store::Store& m_store;
  auth::Operators m_operators;
  Policy m_policy;
  Clock m_clock;
};

}  // namespace vps::enroll::routes
