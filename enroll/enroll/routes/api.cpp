#include <enroll/routes/api.hpp>

#include <chrono>

#include <enroll/routes/context.hpp>
#include <enroll/routes/names.hpp>
#include <vps/base/log.hpp>
#include <vps/protocol/publication.hpp>

namespace vps::enroll::routes {

namespace {

using net::http::Request;
using net::http::Response;

// Which handler a request addresses, decided from method and path alone.
enum class Route { publish, list_hosts, show_host, approve, reject, status, create_token, put_bundle, list_bundles,
                   get_bundle };

struct Match {
  Route route;
  std::string host;
  std::string secret;
};

// A matched path with the wrong method is 405; an unknown path 404; a bad name 400.
tl::expected<Match, Response> match(const Request& request) {
  using Unexpected = tl::unexpected<Response>;
  auto segments = split_path(request.target);
  if (!segments) return Unexpected(error_response(400, "invalid request path"));
  const auto& s = *segments;
  const std::string& m = request.method;
  auto want = [&](const char* method, Route route, std::string host = {}, std::string secret = {})
      -> tl::expected<Match, Response> {
    if (m != method) return Unexpected(error_response(405, "method not allowed"));
    return Match{route, std::move(host), std::move(secret)};
  };
  if (s.size() < 2 || s[0] != "v1") return Unexpected(error_response(404, "not found"));
  if (s.size() == 2 && s[1] == "enrollments") return want("POST", Route::publish);
  if (s.size() == 2 && s[1] == "tokens") return want("POST", Route::create_token);
  if (s[1] != "hosts") return Unexpected(error_response(404, "not found"));
  if (s.size() == 2) return want("GET", Route::list_hosts);
  if (!valid_host_name(s[2])) return Unexpected(error_response(400, "invalid host name"));
  const std::string& host = s[2];
  if (s.size() == 3) return want("GET", Route::show_host, host);
  if (s.size() == 4 && s[3] == "approve") return want("POST", Route::approve, host);
  if (s.size() == 4 && s[3] == "reject") return want("POST", Route::reject, host);
  if (s.size() == 4 && s[3] == "status") return want("GET", Route::status, host);
  if (s.size() == 4 && s[3] == "bundles") return want("GET", Route::list_bundles, host);
  if (s.size() == 5 && s[3] == "bundles") {
    if (!valid_secret_name(s[4])) return Unexpected(error_response(400, "invalid secret name"));
    if (m == "PUT") return Match{Route::put_bundle, host, s[4]};
    return want("GET", Route::get_bundle, host, s[4]);
  }
  return Unexpected(error_response(404, "not found"));
}

std::size_t body_limit(Route route, const Policy& policy) {
  if (route == Route::put_bundle) return policy.max_bundle_bytes;
  if (route == Route::publish) return protocol::k_max_publication_bytes;
  return policy.max_json_body;
}

Response dispatch(RouteContext& ctx, const Match& m, const auth::Caller& caller) {
  switch (m.route) {
    case Route::publish: return publish(ctx);
    case Route::list_hosts: return list_hosts(ctx, caller);
    case Route::show_host: return show_host(ctx, caller, m.host);
    case Route::approve: return approve_host(ctx, caller, m.host);
    case Route::reject: return reject_host(ctx, caller, m.host);
    case Route::status: return host_status(ctx, caller, m.host);
    case Route::create_token: return create_token(ctx, caller);
    case Route::put_bundle: return put_bundle(ctx, caller, m.host, m.secret);
    case Route::list_bundles: return list_bundles(ctx, caller, m.host);
    case Route::get_bundle: return get_bundle(ctx, caller, m.host, m.secret);
  }
  return error_response(404, "not found");
}

}  // namespace

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Api::Api(store::Store& store, auth::Operators operators, Policy policy, Clock clock)
    : m_store(store), m_operators(std::move(operators)), m_policy(policy), m_clock(std::move(clock)) {}

Response Api::handle(const Request& request) {
  auto matched = match(request);
  if (!matched) return std::move(matched).error();
  if (request.body.size() > body_limit(matched->route, m_policy)) return error_response(413, "request body too large");
  auto tx = m_store.transaction();
  if (!tx) return internal_error(tx.error());
  RouteContext ctx{m_store, m_operators, m_policy, request, m_clock()};
  Response response;
  if (matched->route == Route::publish) {
    response = publish(ctx);  // authenticated by the publication's own signature
  } else {
    auto caller = auth::authenticate(request, m_store, m_operators, m_policy.auth, ctx.now);
    if (!caller) {
      log::info("refused " + request.method + " " + request.target + " from " + request.remote_address + ": " +
                caller.error().reason);
      response = error_response(caller.error().status, caller.error().reason);
    } else {
      response = dispatch(ctx, *matched, *caller);
    }
  }
  if (response.status >= 500) return response;  // the transaction rolls back
  if (auto committed = tx->commit(); !committed) return internal_error(committed.error());
  return response;
}

Response internal_error(const Error& error) {
  log::error("enrollment endpoint: " + error.message);
  return error_response(500, "internal error");
}

Status audit(RouteContext& ctx, std::string actor, std::string action, std::string target, std::string detail) {
  log::notice("audit: " + actor + " " + action + " " + target + (detail.empty() ? "" : " (" + detail + ")"));
  return ctx.store.append_audit(
      store::AuditEntry{0, ctx.now, std::move(actor), std::move(action), std::move(target), std::move(detail)});
}

}  // namespace vps::enroll::routes
