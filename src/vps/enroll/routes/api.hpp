#pragma once
// The enrollment endpoint's JSON API as a pure function Request -> Response over a Store (no
// I/O besides the database), so every rule is testable without sockets:
//
//   POST /v1/enrollments                      host publication (host signature, optional token);
//                                             rate limited per source address (see Policy)
//   GET  /v1/hosts[?limit=N&after=NAME&status=S]  operator; one page, in name order
//   GET  /v1/hosts/{host}                     operator
//   POST /v1/hosts/{host}/approve             operator; {"fingerprint":"SHA256:..."} optional
//   POST /v1/hosts/{host}/reject              operator
//   POST /v1/hosts/{host}/approve  {"fingerprint":..., "replace":true}  operator: a new key
//                                             replaces the host's (lifecycle.cpp)
//   POST /v1/hosts/{host}/revoke              operator; {"reason":"..."} optional (lifecycle.cpp)
//   GET  /v1/hosts/{host}/status              operator, or the host's own key (even revoked)
//   POST /v1/hosts/{host}/secrets/report      the host's own approved key (secrets_report.cpp)
//   POST /v1/tokens                           operator; {"host":..., "ttl_seconds":...}
//   PUT  /v1/hosts/{host}/bundles/{secret}    operator; body is the ciphertext
//   GET  /v1/hosts/{host}/bundles[/{secret}]  operator, or the host's own approved key
//   GET  /v1/hosts/{host}/bundles?wait=N&version=V  the host's own approved key: long poll
//                                             until the bundles version differs from V
//   POST /v1/hosts/{host}/rebuilds            operator; {"request": ..., "signature": ...} (rebuilds.cpp)
//   GET  /v1/hosts/{host}/rebuilds[/{id}]     operator: history, one rebuild
//   GET  /v1/hosts/{host}/rebuilds/next[?wait=N]  the host's own approved key: long poll
//   POST /v1/hosts/{host}/rebuilds/{id}/status    the host's own approved key: progress, result
//
// Each request runs in one database transaction: a refused request changes nothing except
// the nonce cache; a failed one (5xx) changes nothing at all but the nonce cache either. A
// signed request's nonce is recorded and committed in a transaction of its own, after its
// signature verified and before the request's transaction begins, so the same signed bytes
// are accepted at most once whatever happens next: refused, failed, or the process killed
// half-way. (Recording it after a rolled-back request instead would leave a window in which a
// replay could slip in, and nothing at all after a crash.) Every 5xx is logged with the
// request's method, target and cause.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <vps/enroll/auth/authenticator.hpp>
#include <vps/enroll/auth/operators.hpp>
#include <vps/enroll/auth/operators_file.hpp>
#include <vps/enroll/routes/rate_limiter.hpp>
#include <vps/enroll/routes/refusal_audit.hpp>
#include <vps/enroll/store/store.hpp>
#include <vps/net/http/message.hpp>

namespace vps::enroll::routes {

struct Policy {
  auth::AuthPolicy auth;
  bool auto_approve_with_token = true;      // a valid one-time token approves the key at once
  std::size_t max_json_body = 64 * 1024;
  std::size_t max_bundle_bytes = 1024 * 1024;
  std::int64_t max_token_ttl_seconds = 30 * 24 * 3600;
  std::int64_t max_flagged_per_host = 16;  // distinct foreign keys remembered per host
  std::int64_t audit_retention_days = 365;  // older audit entries are pruned (hourly)
  // Bounds on what anyone can make the endpoint store without a key (routes/publish.cpp). A
  // "pending key" waits for an operator's decision: a pending host's key, or a flagged key.
  std::int64_t max_pending = 10000;            // pending keys held at once (then 503)
  std::int64_t max_pending_per_address = 100;  // of those, published from one source (then 429)
  std::int64_t pending_expiry_days = 7;        // pending keys not published again for this long go (hourly)
  RateLimit publish_rate;                      // POST /v1/enrollments per source, per process (then 429)
};

using Clock = std::function<std::int64_t()>;  // Unix seconds

// What a parked long poll waits for: a rebuild queued for the host (rebuilds/next?wait=N), or a
// change of the host's bundles (bundles?wait=N&version=V).
enum class WaitKind { rebuild, bundles };

// A host's long poll found nothing new: the server parks the request (up to `seconds`) and
// answers with Api::answer once its host's rebuild queue or bundles change or the wait ends.
struct LongPoll {
  std::string host;
  int seconds = 0;
  WaitKind kind = WaitKind::rebuild;
  std::string fingerprint;  // the host key that asked: checked again when answering
};
std::int64_t system_now();

class Api {
 public:
  // The operators file is consulted on every request (re-read when it changed).
  Api(store::Store& store, auth::OperatorsFile operators, Policy policy, Clock clock = system_now);
  // A fixed list (tests).
  Api(store::Store& store, auth::Operators operators, Policy policy, Clock clock = system_now);

  net::http::Response handle(const net::http::Request& request);
  // As handle; `park` is set when the request should wait (see LongPoll) rather than get the
  // returned 204 at once.
  net::http::Response handle(const net::http::Request& request, std::optional<LongPoll>& park);
  // The answer to a parked poll, in its own transaction: for rebuilds/next 200 with the oldest
  // queued request or 204; for bundles the listing with its version. The key is checked again
  // (it was authenticated when the request arrived): a host revoked or re-keyed meanwhile gets
  // its 403 now.
  net::http::Response answer(const LongPoll& poll);
  // Called after a transaction that queued a rebuild commits (the server wakes parked polls);
  // also after a revoke or replace, so the host's parked rebuild poll ends at once.
  void set_rebuild_listener(std::function<void(const std::string& host)> listener) {
    m_rebuild_listener = std::move(listener);
  }
  // Called after a transaction that bumped a host's bundles version commits.
  void set_bundles_listener(std::function<void(const std::string& host)> listener) {
    m_bundles_listener = std::move(listener);
  }

  const Policy& policy() const { return m_policy; }

 private:
  store::Store& m_store;
  auth::OperatorsFile m_operators;
  Policy m_policy;
  Clock m_clock;
  std::function<void(const std::string&)> m_rebuild_listener;
  std::function<void(const std::string&)> m_bundles_listener;
  std::int64_t m_next_prune = 0;  // see prune_if_due (api_retention.cpp)
  RateLimiter m_publish_rate;     // per source address (routes/source_address.hpp)
  RefusalAudit m_refusals;

  void prune_if_due(std::int64_t now);
  net::http::Response respond(const net::http::Request& request, std::optional<LongPoll>& park);
  auth::AuthResult authenticate_committed(const net::http::Request& request, const auth::Operators& operators,
                                          std::int64_t now);
  // The 429 for a publication over the per-source rate limit (api.cpp).
  net::http::Response throttle(const net::http::Request& request, const std::string& source, std::int64_t now,
                               std::int64_t retry_after);
};

}  // namespace vps::enroll::routes
