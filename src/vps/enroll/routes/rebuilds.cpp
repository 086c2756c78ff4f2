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
// Stored reasons and the part of one quoted in the audit trail; both cut on a UTF-8 character
// boundary (a cut inside a character is not UTF-8, and JSON output of it would fail).
constexpr std::size_t k_max_reason = 1024;
constexpr std::size_t k_max_audit_reason = 200;

Json optional_json(const std::optional<std::int64_t>& value) { return value ? Json(*value) : Json(nullptr); }

Json rebuild_json(const RebuildRecord& r, bool with_output) {
  Json out{{"id", r.id},
           {"host", r.host},
           {"sequence", r.sequence},
           {"revision", r.revision},
           {"expires_at", r.expires_at},
           {"operator", r.operator_name},
           {"state", std::string(store::to_string(r.state))},
           {"created_at", r.created_at},
           {"picked_at", optional_json(r.picked_at)},
           {"started_at", optional_json(r.started_at)},
           {"finished_at", optional_json(r.finished_at)},
           {"exit_status", optional_json(r.exit_status)},
           {"duration_ms", optional_json(r.duration_ms)},
           {"reason", r.reason}};
  if (with_output) out["output_tail"] = r.output_tail;
  return out;
}

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

Json last_poll_json(RouteContext& ctx, const std::string& name) {
  auto polled = ctx.store.last_rebuild_poll(name);
  return polled && *polled ? Json(**polled) : Json(nullptr);
}

Response deny(const auth::Denial& denial) { return error_response(denial.status, denial.reason); }

// Applies a host's report to the record; the error is the 409/400 to send.
tl::expected<void, Response> apply_report(RebuildRecord& r, const Json& body, std::int64_t now) {
  auto state = store::parse_rebuild_state(body["state"].get<std::string>());
  if (!state || *state == RebuildState::queued || *state == RebuildState::expired) {
    return tl::unexpected(error_response(400, "state must be picked, running, succeeded or failed"));
  }
  const RebuildState from = r.state;
  const bool allowed = (*state == RebuildState::picked && from == RebuildState::queued) ||
                       (*state == RebuildState::running && (from == RebuildState::queued || from == RebuildState::picked)) ||
                       (*state == RebuildState::succeeded && from == RebuildState::running) ||
                       (*state == RebuildState::failed && !store::is_final(from));
  if (!allowed) {
    return tl::unexpected(error_response(409, "rebuild " + std::to_string(r.id) + " is " +
                                                  std::string(store::to_string(from)) + ", cannot become " +
                                                  std::string(store::to_string(*state))));
  }
  r.state = *state;
  if (!r.picked_at) r.picked_at = now;
  if (*state == RebuildState::running) r.started_at = now;
  if (store::is_final(*state)) r.finished_at = now;
  if (body.contains("exit_status")) r.exit_status = body["exit_status"].get<std::int64_t>();
  if (body.contains("duration_ms")) r.duration_ms = body["duration_ms"].get<std::int64_t>();
  if (body.contains("reason")) r.reason = text::utf8_prefix(body["reason"].get_ref<const std::string&>(), k_max_reason);
  if (body.contains("output_tail")) r.output_tail = body["output_tail"].get<std::string>();
  return {};
}

tl::expected<void, Response> check_report_types(const Json& body) {
  auto bad = [](std::string why) { return tl::unexpected(error_response(400, why)); };
  if (!body.contains("state") || !body["state"].is_string()) return bad("\"state\" (string) is required");
  for (const char* key : {"exit_status", "duration_ms"}) {
    if (body.contains(key) && !body[key].is_number_integer()) return bad(std::string("\"") + key + "\" must be an integer");
  }
  for (const char* key : {"reason", "output_tail"}) {
    if (body.contains(key) && !body[key].is_string()) return bad(std::string("\"") + key + "\" must be a string");
  }
  if (body.contains("output_tail") && body["output_tail"].get_ref<const std::string&>().size() > k_max_output_tail) {
    return bad("\"output_tail\" longer than 64 KiB");
  }
  return {};
}

}  // namespace

Response create_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = auth::require_operator(caller); !ok) return deny(ok.error());
  auto body = parse_object(ctx.request.body, {"request", "signature"}, /*allow_empty=*/false);
  if (!body) return std::move(body).error();
  if (!(*body)["request"].is_string() || !(*body)["signature"].is_string()) {
    return error_response(400, "\"request\" and \"signature\" (strings) are required");
  }
  auto parsed = protocol::parse_signed_rebuild_request((*body)["request"].get<std::string>(),
                                                       (*body)["signature"].get<std::string>());
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
  record.signature = (*body)["signature"].get<std::string>();
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
  Json out = rebuild_json(record, false);
  out["last_poll_at"] = last_poll_json(ctx, name);
  return json_response(201, out);
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
  Json items = Json::array();
  for (const auto& r : *list) items.push_back(rebuild_json(r, false));
  // host_key: what `vps-enroll rebuild` signs into the request (the host checks it again).
  return json_response(200, Json{{"host", name}, {"host_key", *host ? Json((*host)->key.fingerprint) : Json(nullptr)},
                                 {"last_sequence", *last}, {"last_poll_at", last_poll_json(ctx, name)},
                                 {"now", ctx.now}, {"rebuilds", std::move(items)}});
}

Response show_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& name, std::int64_t id) {
  if (auto ok = auth::require_operator(caller); !ok) return deny(ok.error());
  if (auto expired = ctx.store.expire_rebuilds(name, ctx.now); !expired) return internal_error(expired.error());
  auto record = ctx.store.find_rebuild(name, id);
  if (!record) return internal_error(record.error());
  if (!*record) return error_response(404, "no rebuild " + std::to_string(id) + " for host '" + name + "'");
  Json out = rebuild_json(**record, true);
  out["last_poll_at"] = last_poll_json(ctx, name);
  out["now"] = ctx.now;
  return json_response(200, out);
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
  return json_response(200, Json{{"id", (*next)->id}, {"request", (*next)->request}, {"signature", (*next)->signature}});
}

Response report_rebuild(RouteContext& ctx, const auth::Caller& caller, const std::string& name, std::int64_t id) {
  if (auto ok = require_own_host(ctx, caller, name); !ok) return std::move(ok).error();
  auto body = parse_object(ctx.request.body, {"state", "exit_status", "duration_ms", "reason", "output_tail"},
                           /*allow_empty=*/false);
  if (!body) return std::move(body).error();
  if (auto ok = check_report_types(*body); !ok) return std::move(ok).error();
  auto record = ctx.store.find_rebuild(name, id);
  if (!record) return internal_error(record.error());
  if (!*record) return error_response(404, "no rebuild " + std::to_string(id) + " for host '" + name + "'");
  RebuildRecord r = std::move(**record);
  if (auto applied = apply_report(r, *body, ctx.now); !applied) return std::move(applied).error();
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
