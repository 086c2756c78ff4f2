#include <vps/enroll/routes/api.hpp>

#include <algorithm>
#include <limits>
#include <exception>
#include <utility>

#include <vps/enroll/routes/context.hpp>
#include <vps/enroll/routes/names.hpp>
#include <vps/enroll/routes/query.hpp>
#include <vps/enroll/routes/source_address.hpp>
#include <vps/protocol/audit_page.hpp>
#include <vps/base/clock.hpp>
#include <vps/base/log.hpp>
#include <vps/base/text.hpp>
#include <vps/protocol/publication.hpp>
#include <vps/protocol/secrets_report.hpp>

namespace vps::enroll::routes {

namespace {

using net::http::Request;
using net::http::Response;

// Which handler a request addresses, decided from method and path alone.
enum class Route { publish, list_hosts, show_host, approve, reject, status, create_token, put_bundle, list_bundles,
                   get_bundle, create_rebuild, list_rebuilds, show_rebuild, next_rebuild, report_rebuild, revoke,
                   report_secrets, export_audit };

struct Match {
  Route route;
  std::string host;
  std::string secret;
  std::int64_t id = 0;      // rebuild id
  int wait = 0;             // ?wait=N
  std::optional<std::int64_t> version{};  // ?version=V (bundles)
  store::HostPage page{};   // ?limit=N&after=NAME&status=S
  store::AuditQuery audit{};  // ?after=ID&limit=N&host=NAME&since=UNIX
};

constexpr std::int64_t k_max_host_page = 1000;  // also the default page

// "/v1/hosts/h/rebuilds/42": a positive decimal id without leading zeros.
std::optional<std::int64_t> parse_id(std::string_view text) {
  return text::parse_decimal(text, 1, std::numeric_limits<std::int64_t>::max());
}

std::optional<Match> match_rebuilds(const std::vector<std::string>& s, const std::string& host) {
  if (s.size() == 4) return Match{Route::list_rebuilds, host, {}};
  if (s.size() == 5 && s[4] == "next") return Match{Route::next_rebuild, host, {}};
  auto id = s.size() >= 5 ? parse_id(s[4]) : std::nullopt;
  if (!id) return std::nullopt;
  if (s.size() == 5) return Match{Route::show_rebuild, host, {}, *id};
  if (s.size() == 6 && s[5] == "status") return Match{Route::report_rebuild, host, {}, *id};
  return std::nullopt;
}

// Applies the query string to a matched route: which parameters each route takes, parsed in
// this one place (query.hpp). The failure is the 400 to send.
tl::expected<void, Response> apply_query(Match& m, std::optional<std::string_view> text) {
  using Unexpected = tl::unexpected<Response>;
  if (!text) return {};
  auto bad = [](const std::string& why) { return Unexpected(error_response(400, "invalid query: " + why)); };
  if (m.route == Route::next_rebuild) {
    auto query = parse_query(*text, {"wait"});
    if (!query) return bad(query.error());
    auto wait = text::parse_decimal(query->at("wait"), 0, k_max_rebuild_wait_seconds);
    if (!wait) return bad("'wait' must be whole seconds from 0 to " + std::to_string(k_max_rebuild_wait_seconds));
    m.wait = static_cast<int>(*wait);
    return {};
  }
  if (m.route == Route::list_bundles) {
    auto query = parse_query(*text, {"wait", "version"});
    if (!query) return bad(query.error());
    if (auto it = query->find("wait"); it != query->end()) {
      // Clamped to the rebuild poll's maximum: a host asking for longer just polls again sooner.
      auto wait = text::parse_decimal(it->second, 0, std::numeric_limits<std::int64_t>::max());
      if (!wait) return bad("'wait' must be whole seconds");
      m.wait = static_cast<int>(std::min<std::int64_t>(*wait, k_max_rebuild_wait_seconds));
    }
    if (auto it = query->find("version"); it != query->end()) {
      auto version = text::parse_decimal(it->second, 0, std::numeric_limits<std::int64_t>::max());
      if (!version) return bad("'version' must be a non-negative integer");
      m.version = *version;
    }
    return {};
  }
  if (m.route == Route::list_hosts) {
    auto query = parse_query(*text, {"limit", "after", "status"});
    if (!query) return bad(query.error());
    if (auto it = query->find("limit"); it != query->end()) {
      auto limit = text::parse_decimal(it->second, 1, k_max_host_page);
      if (!limit) return bad("'limit' must be from 1 to " + std::to_string(k_max_host_page));
      m.page.limit = static_cast<std::size_t>(*limit);
    }
    if (auto it = query->find("after"); it != query->end()) {
      if (!valid_host_name(it->second)) return bad("'after' must be a host name");
      m.page.after = it->second;
    }
    if (auto it = query->find("status"); it != query->end()) {
      auto status = store::parse_host_status(it->second);
      if (!status) return bad("'status' must be pending, approved, rejected or revoked");
      m.page.status = *status;
    }
    return {};
  }
  if (m.route == Route::export_audit) {
    auto query = parse_query(*text, {"after", "limit", "host", "since"});
    if (!query) return bad(query.error());
    const auto max = std::numeric_limits<std::int64_t>::max();
    if (auto it = query->find("after"); it != query->end()) {
      auto after = text::parse_decimal(it->second, 0, max);
      if (!after) return bad("'after' must be an audit entry id");
      m.audit.after = *after;
    }
    if (auto it = query->find("limit"); it != query->end()) {
      auto limit = text::parse_decimal(it->second, 1, protocol::k_max_audit_page);
      if (!limit) return bad("'limit' must be from 1 to " + std::to_string(protocol::k_max_audit_page));
      m.audit.limit = static_cast<std::size_t>(*limit);
    }
    if (auto it = query->find("host"); it != query->end()) {
      if (!valid_host_name(it->second)) return bad("'host' must be a host name");
      m.audit.target = it->second;
    }
    if (auto it = query->find("since"); it != query->end()) {
      auto since = text::parse_decimal(it->second, 0, max);
      if (!since) return bad("'since' must be Unix seconds");
      m.audit.since = *since;
    }
    return {};
  }
  return bad("this path takes no query string");
}

// A matched path with the wrong method is 405; an unknown path 404; a bad name or query 400.
tl::expected<Match, Response> match_path(const Request& request, std::string_view target) {
  using Unexpected = tl::unexpected<Response>;
  auto segments = split_path(target);
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
  if (s.size() == 2 && s[1] == "audit") return want("GET", Route::export_audit);
  if (s[1] != "hosts") return Unexpected(error_response(404, "not found"));
  if (s.size() == 2) return want("GET", Route::list_hosts);
  if (!valid_host_name(s[2])) return Unexpected(error_response(400, "invalid host name"));
  const std::string& host = s[2];
  if (s.size() == 3) return want("GET", Route::show_host, host);
  if (s.size() == 4 && s[3] == "approve") return want("POST", Route::approve, host);
  if (s.size() == 4 && s[3] == "reject") return want("POST", Route::reject, host);
  if (s.size() == 4 && s[3] == "revoke") return want("POST", Route::revoke, host);
  if (s.size() == 5 && s[3] == "secrets" && s[4] == "report") return want("POST", Route::report_secrets, host);
  if (s.size() == 4 && s[3] == "status") return want("GET", Route::status, host);
  if (s.size() == 4 && s[3] == "bundles") return want("GET", Route::list_bundles, host);
  if (s.size() >= 4 && s[3] == "rebuilds") {
    auto r = match_rebuilds(s, host);
    if (!r) return Unexpected(error_response(404, "not found"));
    const bool post = r->route == Route::report_rebuild || (r->route == Route::list_rebuilds && m == "POST");
    if (post && r->route == Route::list_rebuilds) r->route = Route::create_rebuild;
    if (m != (post ? "POST" : "GET")) return Unexpected(error_response(405, "method not allowed"));
    return *r;
  }
  if (s.size() == 5 && s[3] == "bundles") {
    if (!valid_bundle_name(s[4])) return Unexpected(error_response(400, "invalid bundle name"));
    if (m == "PUT") return Match{Route::put_bundle, host, s[4]};
    return want("GET", Route::get_bundle, host, s[4]);
  }
  return Unexpected(error_response(404, "not found"));
}

tl::expected<Match, Response> match(const Request& request) {
  std::string_view target = request.target;
  std::optional<std::string_view> query;
  if (const auto q = target.find('?'); q != std::string_view::npos) {
    query = target.substr(q + 1);
    target = target.substr(0, q);
  }
  auto matched = match_path(request, target);
  if (!matched) return matched;
  if (matched->route == Route::list_hosts) matched->page.limit = k_max_host_page;  // unless ?limit= says less
  if (matched->route == Route::export_audit) matched->audit.limit = protocol::k_max_audit_page;
  if (auto applied = apply_query(*matched, query); !applied) return tl::unexpected(std::move(applied).error());
  return matched;
}

std::size_t body_limit(Route route, const Policy& policy) {
  if (route == Route::put_bundle) return policy.max_bundle_bytes;
  if (route == Route::publish) return protocol::k_max_publication_bytes;
  if (route == Route::report_rebuild) return k_max_rebuild_report_body;
  // Room above the report's own bound, so an oversized report gets the parser's specific 400.
  if (route == Route::report_secrets) return 2 * protocol::k_max_secrets_report_bytes;
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
    case Route::create_rebuild: return create_rebuild(ctx, caller, m.host);
    case Route::list_rebuilds: return list_rebuilds(ctx, caller, m.host);
    case Route::show_rebuild: return show_rebuild(ctx, caller, m.host, m.id);
    case Route::next_rebuild: return next_rebuild(ctx, caller, m.host);
    case Route::report_rebuild: return report_rebuild(ctx, caller, m.host, m.id);
    case Route::revoke: return revoke_host(ctx, caller, m.host);
    case Route::report_secrets: return report_secrets(ctx, caller, m.host);
    case Route::export_audit: return export_audit(ctx, caller);
  }
  return error_response(404, "not found");
}

}  // namespace

std::int64_t system_now() { return clock::unix_seconds(); }

Api::Api(store::Store& store, auth::OperatorsFile operators, Policy policy, Clock clock)
    : m_store(store),
      m_operators(std::move(operators)),
      m_policy(policy),
      m_clock(std::move(clock)),
      m_publish_rate(policy.publish_rate) {}

Api::Api(store::Store& store, auth::Operators operators, Policy policy, Clock clock)
    : Api(store, auth::OperatorsFile::fixed(std::move(operators)), std::move(policy), std::move(clock)) {}

Response Api::handle(const Request& request) {
  std::optional<LongPoll> ignored;
  return handle(request, ignored);
}

namespace {

// What internal_error() names in its log line: the request being handled on this thread (the
// server handles requests on one I/O thread; route handlers only see an Error).
thread_local std::string t_current_request;

class CurrentRequest {
 public:
  explicit CurrentRequest(std::string label) : m_previous(std::exchange(t_current_request, std::move(label))) {}
  ~CurrentRequest() { t_current_request = std::move(m_previous); }
  CurrentRequest(const CurrentRequest&) = delete;
  CurrentRequest& operator=(const CurrentRequest&) = delete;

 private:
  std::string m_previous;
};

std::string label_of(const Request& request) { return request.method + " " + request.target; }

}  // namespace

Response Api::answer(const LongPoll& poll) {
  const CurrentRequest current("GET /v1/hosts/" + poll.host +
                               (poll.kind == WaitKind::rebuild ? "/rebuilds/next" : "/bundles") + " (parked long poll)");
  try {
    auto tx = m_store.transaction();
    if (!tx) return internal_error(tx.error());
    // The key may have been revoked or replaced while the request waited.
    if (auto refused = refuse_retired_key(m_store, poll.fingerprint)) return std::move(*refused);
    auto host = m_store.find_host(poll.host);
    if (!host) return internal_error(host.error());
    if (!*host || (*host)->key.fingerprint != poll.fingerprint || (*host)->status != store::HostStatus::approved) {
      return error_response(403, "key " + poll.fingerprint + " may not read host '" + poll.host + "'");
    }
    Response response = poll.kind == WaitKind::rebuild ? poll_rebuild_queue(m_store, poll.host, m_clock())
                                                       : bundle_listing(m_store, poll.host);
    if (response.status >= 500) return response;
    if (auto committed = tx->commit(); !committed) return internal_error(committed.error());
    return response;
  } catch (const std::exception& e) {
    return internal_error(Error{Errc::internal, std::string("unexpected exception: ") + e.what()});
  }
}

Response Api::handle(const Request& request, std::optional<LongPoll>& park) {
  park.reset();
  const CurrentRequest current(label_of(request));
  // A route that throws (a bug: e.g. a JSON dump of invalid UTF-8) still gets a logged 500,
  // and its transaction rolls back; the nonce, committed before, stays consumed.
  try {
    return respond(request, park);
  } catch (const std::exception& e) {
    park.reset();
    return internal_error(Error{Errc::internal, std::string("unexpected exception: ") + e.what()});
  }
}

auth::AuthResult Api::authenticate_committed(const Request& request, const auth::Operators& operators,
                                             std::int64_t now) {
  auto tx = m_store.transaction();
  if (!tx) {
    (void)internal_error(tx.error().context("authentication"));
    return tl::unexpected(auth::Denial{500, "internal error"});
  }
  auto caller = auth::authenticate(request, m_store, operators, m_policy.auth, now);
  if (!caller && caller.error().status >= 500) return caller;  // nothing recorded (already logged)
  if (caller && !m_operators.problem().empty()) caller->operators_unusable = true;
  if (auto committed = tx->commit(); !committed) {
    (void)internal_error(committed.error().context("recording the nonce"));
    return tl::unexpected(auth::Denial{500, "internal error"});
  }
  return caller;
}

Response Api::respond(const Request& request, std::optional<LongPoll>& park) {
  const std::int64_t now = m_clock();
  prune_if_due(now);
  auto matched = match(request);
  if (!matched) return std::move(matched).error();
  const std::string source = source_address(request);
  if (matched->route == Route::publish) {
    // Before the publication is parsed or its signature checked: over the limit costs a lookup.
    if (auto retry_after = m_publish_rate.take(source, now)) return throttle(request, source, now, *retry_after);
  }
  if (request.body.size() > body_limit(matched->route, m_policy)) return error_response(413, "request body too large");
  // The list as the file says now: a key removed from it is refused from this request on.
  const std::shared_ptr<const auth::Operators> operators = m_operators.current();
  std::optional<auth::Caller> caller;
  if (matched->route != Route::publish) {  // publish is authenticated by the publication's own signature
    auto authenticated = authenticate_committed(request, *operators, now);
    if (!authenticated) {
      if (authenticated.error().status < 500) {
        log::info("refused " + request.method + " " + request.target + " from " + request.remote_address + ": " +
                  authenticated.error().reason);
      }
      return error_response(authenticated.error().status, authenticated.error().reason);
    }
    caller = std::move(*authenticated);
  }
  auto tx = m_store.transaction();
  if (!tx) return internal_error(tx.error());
  RouteContext ctx{m_store, *operators, m_policy, request, now};
  ctx.wait_seconds = matched->wait;
  ctx.known_version = matched->version;
  ctx.source = source;
  ctx.refusals = &m_refusals;
  ctx.host_page = matched->page;
  ctx.audit_query = matched->audit;
  Response response = caller ? dispatch(ctx, *matched, *caller) : publish(ctx);
  if (response.status >= 500) return response;  // the transaction rolls back; the nonce stays consumed
  if (auto committed = tx->commit(); !committed) return internal_error(committed.error());
  park = std::move(ctx.long_poll);
  for (const std::string& host : ctx.queued_rebuilds) {
    if (m_rebuild_listener) m_rebuild_listener(host);
  }
  for (const std::string& host : ctx.changed_bundles) {
    if (m_bundles_listener) m_bundles_listener(host);
  }
  return response;
}

Response Api::throttle(const Request& request, const std::string& source, std::int64_t now, std::int64_t retry_after) {
  // The database is touched only when the refusal is to be audited (see RefusalAudit), so a
  // flood of refused publications costs no transaction each.
  std::optional<store::Transaction> tx;
  if (m_refusals.would_write(Refusal::rate_limited, now)) {
    auto begun = m_store.transaction();
    if (!begun) return internal_error(begun.error());
    tx.emplace(std::move(*begun));
  }
  const std::shared_ptr<const auth::Operators> operators = m_operators.current();
  RouteContext ctx{m_store, *operators, m_policy, request, now};
  ctx.source = source;
  ctx.refusals = &m_refusals;
  const RateLimit& rate = m_policy.publish_rate;
  Response response = refuse_publication(ctx, Refusal::rate_limited, 429, retry_after, "-",
                                         "too many publications from this source address (limit " +
                                             std::to_string(rate.per_minute) + " a minute, bursts of " +
                                             std::to_string(rate.burst) + "); retry in " +
                                             std::to_string(retry_after) + " s");
  if (tx && response.status < 500) {
    if (auto committed = tx->commit(); !committed) return internal_error(committed.error());
  }
  return response;
}

Response internal_error(const Error& error) {
  log::error("enrollment endpoint: 500 on " + (t_current_request.empty() ? std::string("a request") : t_current_request) +
             ": " + error.message);
  return error_response(500, "internal error");
}

Status audit(store::Store& store, std::int64_t now, std::string actor, std::string action, std::string target,
             std::string detail) {
  log::notice("audit: " + actor + " " + action + " " + target + (detail.empty() ? "" : " (" + detail + ")"));
  return store.append_audit(
      store::AuditEntry{0, now, std::move(actor), std::move(action), std::move(target), std::move(detail)});
}

Status audit(RouteContext& ctx, std::string actor, std::string action, std::string target, std::string detail) {
  return audit(ctx.store, ctx.now, std::move(actor), std::move(action), std::move(target), std::move(detail));
}

}  // namespace vps::enroll::routes
