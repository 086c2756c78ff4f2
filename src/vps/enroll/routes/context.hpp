#pragma once
// What every route handler gets (internal to routes/).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include <vps/enroll/auth/authenticator.hpp>
#include <vps/enroll/routes/api.hpp>
#include <vps/enroll/routes/json_io.hpp>
#include <vps/protocol/rebuild_report.hpp>

namespace vps::enroll::routes {

struct RouteContext {
  store::Store& store;
  const auth::Operators& operators;
  const Policy& policy;
  const net::http::Request& request;
  std::int64_t now;
  int wait_seconds = 0;                       // ?wait=N on rebuilds/next and bundles
  std::optional<std::int64_t> known_version{};  // ?version=V on bundles
  std::optional<LongPoll> long_poll{};        // set by next_rebuild, list_bundles: park instead of answering
  std::vector<std::string> queued_rebuilds{};  // hosts to wake once the transaction commits
  std::vector<std::string> changed_bundles{};  // hosts whose bundles version was bumped
  std::string source{};                       // source_address(request), for per-source limits
  RefusalAudit* refusals = nullptr;           // the Api's: when a refusal is written down
  store::HostPage host_page{};                // ?limit=&after=&status= on GET /v1/hosts
  store::AuditQuery audit_query{};            // ?after=&limit=&host=&since= on GET /v1/audit
};

// Writes the audit row (in the request's transaction) and the journal line.
Status audit(RouteContext& ctx, std::string actor, std::string action, std::string target, std::string detail = {});
// The same outside a request (the long-poll waiters poll the queue with only the store).
Status audit(store::Store& store, std::int64_t now, std::string actor, std::string action, std::string target,
             std::string detail = {});

// 500 with a generic body; the cause goes to the journal only.
net::http::Response internal_error(const Error& error);

// Refusing a publication over a limit (publish_limits.cpp): `status` (429 or 503) with
// Retry-After and a body saying which limit and what to do; the audit row and journal line are
// written only when ctx.refusals says one is due. Changes nothing else.
net::http::Response refuse_publication(RouteContext& ctx, Refusal kind, unsigned status, std::int64_t retry_after,
                                       const std::string& target, const std::string& reason);
// The pending caps, for a publication that would add a pending key: the refusal, or nullopt.
std::optional<net::http::Response> check_pending_caps(RouteContext& ctx, const std::string& host);
inline constexpr std::int64_t k_pending_cap_retry_after = 300;

// 403 when `fingerprint` was revoked or replaced (store retired_keys), with
// {"error": ..., "code": "revoked" | "retired"} so a host can tell it apart from other refusals;
// nullopt when the key is not retired (or a 500 when the store fails).
std::optional<net::http::Response> refuse_retired_key(RouteContext& ctx, const std::string& fingerprint);
std::optional<net::http::Response> refuse_retired_key(store::Store& store, const std::string& fingerprint);

// Route handlers (one file per resource).
net::http::Response publish(RouteContext& ctx);
net::http::Response list_hosts(RouteContext& ctx, const auth::Caller& caller);
net::http::Response show_host(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response approve_host(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response reject_host(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response host_status(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response create_token(RouteContext& ctx, const auth::Caller& caller);
net::http::Response put_bundle(RouteContext& ctx, const auth::Caller& caller, const std::string& host,
                               const std::string& secret);
net::http::Response list_bundles(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response get_bundle(RouteContext& ctx, const auth::Caller& caller, const std::string& host,
                               const std::string& secret);
// 200 {"host", "bundles": [...], "version": V} (bundles.cpp), for the route and parked polls.
net::http::Response bundle_listing(store::Store& store, const std::string& host);
// Records a change of the host's bundles (version bump; the parked poll wakes after commit).
Status bundles_changed(RouteContext& ctx, const std::string& host);

// Day two (lifecycle.cpp): revocation, and approval of a replacing key (approve with "replace").
net::http::Response revoke_host(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response replace_host_key(RouteContext& ctx, const auth::Caller& caller, const std::string& host,
                                     const std::optional<std::string>& fingerprint);
// Secrets reports (secrets_report.cpp).
net::http::Response report_secrets(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
// The stored report as JSON for show_host (its fields plus "received_at"), or null.
Result<Json> secrets_report_json(store::Store& store, const std::string& host);

// Rebuilds (rebuilds.cpp).
inline constexpr int k_max_rebuild_wait_seconds = 60;
using protocol::k_max_rebuild_report_body;  // protocol/rebuild_report.hpp
net::http::Response create_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response list_rebuilds(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response show_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& host, std::int64_t id);
net::http::Response next_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& host);
net::http::Response report_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& host,
                                   std::int64_t id);
net::http::Response poll_rebuild_queue(store::Store& store, const std::string& host, std::int64_t now);

// The audit trail for export (audit.cpp): GET /v1/audit, operators only (protocol/audit_page.hpp).
net::http::Response export_audit(RouteContext& ctx, const auth::Caller& caller);

}  // namespace vps::enroll::routes
