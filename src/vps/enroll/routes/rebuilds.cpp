// Rebuild requests (protocol/rebuild_request.hpp). Operators queue requests they signed; the
// host long-polls for its own and reports progress. The endpoint checks the operator's
// signature too (so it stores nothing an operator did not sign), but the host verifies it
// again against its own list: the endpoint's checks are a filter, not the authority.

#include <vps/enroll/routes/context.hpp>
#include <vps/base/text.hpp>
#include <vps/protocol/operator_sequence.hpp>
#include <vps/protocol/rebuild_request.hpp>

namespace vps::enroll::routes {

namespace {

using net::http::Response;
using store::RebuildRecord;
using store::RebuildState;

constexpr std::size_t k_history_limit = 100;
// The part of a reason quoted in the audit trail, cut on a UTF-8 character boundary (a cut inside
// a character is not UTF-8, and JSON output of it would fail); the stored reason is cut as
// protocol::parse_rebuild_report says.
constexpr std::size_t k_max_audit_reason = 200;

protocol::RebuildView view_of(const RebuildRecord& r, bool with_output) {
  protocol::RebuildView v;
  v.id = r.id;
  v.host = r.host;
  v.sequence = r.sequence;
  v.revision = r.revision;
  v.expires_at = r.expires_at;
  v.operator_name = r.operator_name;
  v.state = r.state;
  v.created_at = r.created_at;
  v.picked_at = r.picked_at;
  v.started_at = r.started_at;
  v.finished_at = r.finished_at;
  v.exit_status = r.exit_status;
  v.duration_ms = r.duration_ms;
  v.reason = r.reason;
  if (with_output) v.output_tail = r.output_tail;
  return v;
}

Json rebuild_json(const RebuildRecord& r, bool with_output) { return protocol::to_json(view_of(r, with_output)); }

// The host's own approved key, or 403 (the same for unknown and foreign hosts).
tl::expected<void, Response> require_own_host(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto refused = refuse_retired_key(ctx, caller.fingerprint)) return tl::unexpected(std::move(*refused));
  auto host = ctx.store.find_host(name);
  if (!host) return tl::unexpected(internal_error(host.error()));
  const bool own = *host && (*host)->key.fingerprint == caller.fingerprint;
  if (!own || (*host)->status != store::HostStatus::approved) {
    return tl::unexpected(error_response(403, "key " + caller.fingerprint + " may not poll rebuilds of host '" + name + "'"));
  }
  return {};
}

std::optional<std::int64_t> last_poll(RouteContext& ctx, const std::string& name) {
  auto polled = ctx.store.last_rebuild_poll(name);
  return polled && *polled ? std::optional<std::int64_t>(**polled) : std::nullopt;
}

Response deny(const auth::Denial& denial) { return error_response(denial.status, denial.reason); }

// Applies a host's report to the record; the error is the 409 to send.
tl::expected<void, Response> apply_report(RebuildRecord& r, const protocol::RebuildReport& report, std::int64_t now) {
  const RebuildState to = report.state;
  const RebuildState from = r.state;
  const bool allowed = (to == RebuildState::picked && from == RebuildState::queued) ||
                       (to == RebuildState::running && (from == RebuildState::queued || from == RebuildState::picked)) ||
                       (to == RebuildState::succeeded && from == RebuildState::running) ||
                       (to == RebuildState::failed && !store::is_final(from));
  if (!allowed) {
    return tl::unexpected(error_response(409, "rebuild " + std::to_string(r.id) + " is " +
                                                  std::string(store::to_string(from)) + ", cannot become " +
                                                  std::string(store::to_string(to))));
  }
  r.state = to;
  if (!r.picked_at) r.picked_at = now;
  if (to == RebuildState::running) r.started_at = now;
  if (store::is_final(to)) r.finished_at = now;
  if (report.exit_status) r.exit_status = *report.exit_status;
  if (report.duration_ms) r.duration_ms = *report.duration_ms;
  if (report.reason) r.reason = *report.reason;
  if (report.output_tail) r.output_tail = *report.output_tail;
  return {};
}

}  // namespace

Response create_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = auth::require_operator(caller); !ok) return deny(ok.error());
  auto body = protocol::parse_rebuild_submission(ctx.request.body);
  if (!body) return error_response(400, body.error().message);
  auto parsed = protocol::parse_signed_rebuild_request(body->request, body->signature);
  if (!parsed) return error_response(400, parsed.error().message);
  const protocol::RebuildRequest& request = parsed->request;
  if (request.host != name) return error_response(400, "request is for host '" + request.host + "', not '" + name + "'");
  // The signed key must be the caller's: nobody queues a request in another operator's name.
  if (request.key != caller.key) return error_response(403, "request is signed for another key than the caller's");
  if (auto verified = protocol::verify_rebuild_signature(*parsed); !verified) return error_response(400, verified.error().message);
  if (request.expires <= ctx.now) return error_response(400, "request already expired");
  auto host = ctx.store.find_host(name);
  if (!host) return internal_error(host.error());
  if (!*host) return error_response(404, "no host named '" + name + "'");
  if ((*host)->status == store::HostStatus::rejected) return error_response(409, "host '" + name + "' is rejected");
  if ((*host)->status == store::HostStatus::revoked) {
    return error_response(409, "host '" + name + "' is revoked; approve a new key with approve --replace first");
  }
  if (request.host_key != (*host)->key.fingerprint) {
    return error_response(409, "request is for host key " + request.host_key + ", but '" + name + "' has " +
                                   (*host)->key.fingerprint);
  }
  auto last = ctx.store.last_rebuild_sequence(name);
  if (!last) return internal_error(last.error());
  if (request.sequence <= *last) {
    return error_response(409, "sequence " + std::to_string(request.sequence) + " is not above the host's last " +
                                   std::to_string(*last));
  }
  // Bounded by this clock too, so nobody can queue a sequence that locks out every later one.
  if (auto bounded = protocol::check_sequence_lead(request.sequence, ctx.now * 1000 + 999, "rebuild request"); !bounded)
    return error_response(409, bounded.error().message);
  RebuildRecord record;
  record.host = name;
  record.sequence = request.sequence;
  record.revision = request.revision;
  record.expires_at = request.expires;
  record.request = parsed->text;
  record.signature = body->signature;
  record.operator_name = *caller.operator_name;
  record.created_at = ctx.now;
  auto id = ctx.store.insert_rebuild(record);
  if (!id) return internal_error(id.error());
  record.id = *id;
  auto logged = audit(ctx, caller.actor(), "rebuild", name,
                      "#" + std::to_string(record.id) + " revision " + record.revision + " sequence " +
                          std::to_string(record.sequence));
  if (!logged) return internal_error(logged.error());
  ctx.queued_rebuilds.push_back(name);
  auto view = view_of(record, false);
  view.last_poll_at = last_poll(ctx, name);
  return json_response(201, protocol::to_json(view));
}

Response list_rebuilds(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = auth::require_operator(caller); !ok) return deny(ok.error());
  if (auto expired = ctx.store.expire_rebuilds(name, ctx.now); !expired) return internal_error(expired.error());
  auto list = ctx.store.rebuilds_for(name, k_history_limit);
  auto last = ctx.store.last_rebuild_sequence(name);
  if (!list) return internal_error(list.error());
  if (!last) return internal_error(last.error());
  auto host = ctx.store.find_host(name);
  if (!host) return internal_error(host.error());
  protocol::RebuildHistory history;
  history.host = name;
  if (*host) history.host_key = (*host)->key.fingerprint;
  history.last_sequence = *last;
  history.last_poll_at = last_poll(ctx, name);
  history.now = ctx.now;
  for (const auto& r : *list) history.rebuilds.push_back(view_of(r, false));
  return json_response(200, protocol::to_json(history));
}

Response show_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& name, std::int64_t id) {
  if (auto ok = auth::require_operator(caller); !ok) return deny(ok.error());
  if (auto expired = ctx.store.expire_rebuilds(name, ctx.now); !expired) return internal_error(expired.error());
  auto record = ctx.store.find_rebuild(name, id);
  if (!record) return internal_error(record.error());
  if (!*record) return error_response(404, "no rebuild " + std::to_string(id) + " for host '" + name + "'");
  auto view = view_of(**record, true);
  view.last_poll_at = last_poll(ctx, name);
  view.now = ctx.now;
  return json_response(200, protocol::to_json(view));
}

Response next_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = require_own_host(ctx, caller, name); !ok) return std::move(ok).error();
  auto response = poll_rebuild_queue(ctx.store, name, ctx.now);
  if (response.status == 204 && ctx.wait_seconds > 0) {
    ctx.long_poll = LongPoll{name, ctx.wait_seconds, WaitKind::rebuild, caller.fingerprint};
  }
  return response;
}

namespace {

// The agent handles one request at a time and reports its result before it polls again, so a
// request still picked or running when its host polls will never be reported: the agent was
// restarted mid-rebuild, or its report was lost. Without this it would show "running" forever
// and `vps-enroll rebuild --wait` could not end.
constexpr std::string_view k_abandoned_reason =
    "no result reported: the host polled for its next rebuild while this one was unfinished "
    "(agent restarted mid-rebuild, its report was lost, or a second watcher runs); check the host's journal";

Status abandon_unfinished(store::Store& store, const std::string& name, std::int64_t now) {
  const auto abandoned = VPS_TRY(store.abandon_unfinished_rebuilds(name, now, k_abandoned_reason));
  if (abandoned == 0) return {};
  return audit(store, now, "endpoint", "rebuild-abandoned", name,
               std::to_string(abandoned) + " unfinished request(s) marked failed: " + std::string(k_abandoned_reason));
}

}  // namespace

Response poll_rebuild_queue(store::Store& store, const std::string& name, std::int64_t now) {
  Status polled = store.record_rebuild_poll(name, now);
  if (polled) polled = store.expire_rebuilds(name, now);
  if (polled) polled = abandon_unfinished(store, name, now);
  if (!polled) return internal_error(polled.error());
  auto next = store.next_queued_rebuild(name, now);
  if (!next) return internal_error(next.error());
  if (!*next) return Response{204, {}, {}};
  return json_response(200, protocol::to_json(protocol::RebuildOffer{(*next)->id, (*next)->request, (*next)->signature}));
}

Response report_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& name, std::int64_t id) {
  if (auto ok = require_own_host(ctx, caller, name); !ok) return std::move(ok).error();
  auto report = protocol::parse_rebuild_report(ctx.request.body);
  if (!report) return error_response(400, report.error().message);
  auto record = ctx.store.find_rebuild(name, id);
  if (!record) return internal_error(record.error());
  if (!*record) return error_response(404, "no rebuild " + std::to_string(id) + " for host '" + name + "'");
  RebuildRecord r = std::move(**record);
  if (auto applied = apply_report(r, *report, ctx.now); !applied) return std::move(applied).error();
  Status written = ctx.store.update_rebuild(r);
  if (written) {
    std::string detail = "#" + std::to_string(r.id) + " " + std::string(store::to_string(r.state));
    if (r.exit_status && store::is_final(r.state)) detail += " exit " + std::to_string(*r.exit_status);
    if (!r.reason.empty() && r.state == RebuildState::failed) detail += ": " + std::string(text::utf8_prefix(r.reason, k_max_audit_reason));
    written = audit(ctx, "host:" + name, "rebuild-report", name, detail);
  }
  if (!written) return internal_error(written.error());
  return json_response(200, rebuild_json(r, false));
}

}  // namespace vps::enroll::routes
