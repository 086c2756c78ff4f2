#include <vps/protocol/rebuild_report.hpp>

#include <vps/base/text.hpp>
#include <vps/protocol/json_fields.hpp>
#include <vps/protocol/strict_json.hpp>

namespace vps::protocol {

namespace {

using Json = nlohmann::json;

using namespace json_fields;

Result<RebuildState> state_field(const Json& object, std::string_view what) {
  const auto name = VPS_TRY(required_string(object, "state", what));
  auto state = parse_rebuild_state(name);
  if (!state) return malformed(what, state.error().message);
  return *state;
}

// A signed request and its signature, as both the offer and the submission carry them.
Result<std::pair<std::string, std::string>> signed_pair(const Json& object, std::string_view what) {
  auto request = VPS_TRY(required_string(object, "request", what));
  auto signature = VPS_TRY(required_string(object, "signature", what));
  return std::pair<std::string, std::string>(std::move(request), std::move(signature));
}

}  // namespace

std::string to_json_text(const RebuildReport& report) {
  Json out{{"state", std::string(to_string(report.state))}};
  if (report.exit_status) out["exit_status"] = *report.exit_status;
  if (report.duration_ms) out["duration_ms"] = *report.duration_ms;
  if (report.reason) out["reason"] = *report.reason;
  if (report.output_tail) out["output_tail"] = *report.output_tail;
  // Reasons quote error messages, which may quote bytes from the endpoint: never let one
  // invalid UTF-8 byte turn a report into an exception.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<RebuildReport> parse_rebuild_report(std::string_view body) {
  constexpr std::string_view what = "rebuild report";
  if (body.size() > k_max_rebuild_report_body) return malformed(what, "longer than 512 KiB");
  auto object = VPS_TRY(parse_strict_object(body, "request body",
                                            {"state", "exit_status", "duration_ms", "reason", "output_tail"}));
  RebuildReport report;
  report.state = VPS_TRY(state_field(object, what));
  if (report.state == RebuildState::queued || report.state == RebuildState::expired)
    return malformed(what, "state must be picked, running, succeeded or failed");
  report.exit_status = VPS_TRY(optional_integer(object, "exit_status", what));
  report.duration_ms = VPS_TRY(optional_integer(object, "duration_ms", what));
  report.reason = VPS_TRY(optional_string(object, "reason", what));
  report.output_tail = VPS_TRY(optional_string(object, "output_tail", what));
  if (report.reason) report.reason = std::string(text::utf8_prefix(*report.reason, k_max_rebuild_reason));
  if (report.output_tail && report.output_tail->size() > k_max_output_tail)
    return malformed(what, "\"output_tail\" longer than 64 KiB");
  return report;
}

Json to_json(const RebuildOffer& offer) {
  return Json{{"id", offer.id}, {"request", offer.request}, {"signature", offer.signature}};
}

Result<RebuildOffer> parse_rebuild_offer(std::string_view body) {
  constexpr std::string_view what = "endpoint's rebuild offer";
  auto object = VPS_TRY(parse_json_strict(body, what));
  if (!object.is_object()) return malformed(what, "not a JSON object");
  RebuildOffer offer;
  offer.id = VPS_TRY(required_integer(object, "id", what));
  auto [request, signature] = VPS_TRY(signed_pair(object, what));
  offer.request = std::move(request);
  offer.signature = std::move(signature);
  return offer;
}

Json to_json(const RebuildSubmission& submission) {
  return Json{{"request", submission.request}, {"signature", submission.signature}};
}

Result<RebuildSubmission> parse_rebuild_submission(std::string_view body) {
  auto object = VPS_TRY(parse_strict_object(body, "request body", {"request", "signature"}));
  auto [request, signature] = VPS_TRY(signed_pair(object, "rebuild request"));
  return RebuildSubmission{std::move(request), std::move(signature)};
}

Json to_json(const RebuildView& v) {
  Json out{{"id", v.id},
           {"host", v.host},
           {"sequence", v.sequence},
           {"revision", v.revision},
           {"expires_at", v.expires_at},
           {"operator", v.operator_name},
           {"state", std::string(to_string(v.state))},
           {"created_at", v.created_at},
           {"picked_at", or_null(v.picked_at)},
           {"started_at", or_null(v.started_at)},
           {"finished_at", or_null(v.finished_at)},
           {"exit_status", or_null(v.exit_status)},
           {"duration_ms", or_null(v.duration_ms)},
           {"reason", v.reason}};
  if (v.output_tail) out["output_tail"] = *v.output_tail;
  if (v.last_poll_at) out["last_poll_at"] = or_null(*v.last_poll_at);
  if (v.now) out["now"] = *v.now;
  return out;
}

Result<RebuildView> parse_rebuild_view(const Json& value) {
  constexpr std::string_view what = "endpoint's rebuild record";
  if (!value.is_object()) return malformed(what, "not a JSON object");
  RebuildView v;
  v.id = VPS_TRY(required_integer(value, "id", what));
  v.host = VPS_TRY(required_string(value, "host", what));
  v.sequence = VPS_TRY(required_integer(value, "sequence", what));
  v.revision = VPS_TRY(required_string(value, "revision", what));
  v.expires_at = VPS_TRY(required_integer(value, "expires_at", what));
  v.operator_name = VPS_TRY(required_string(value, "operator", what));
  v.state = VPS_TRY(state_field(value, what));
  v.created_at = VPS_TRY(required_integer(value, "created_at", what));
  v.picked_at = VPS_TRY(optional_integer(value, "picked_at", what));
  v.started_at = VPS_TRY(optional_integer(value, "started_at", what));
  v.finished_at = VPS_TRY(optional_integer(value, "finished_at", what));
  v.exit_status = VPS_TRY(optional_integer(value, "exit_status", what));
  v.duration_ms = VPS_TRY(optional_integer(value, "duration_ms", what));
  v.reason = VPS_TRY(optional_string(value, "reason", what)).value_or("");
  v.output_tail = VPS_TRY(optional_string(value, "output_tail", what));
  if (value.contains("last_poll_at")) v.last_poll_at = VPS_TRY(optional_integer(value, "last_poll_at", what));
  v.now = VPS_TRY(optional_integer(value, "now", what));
  return v;
}

Json to_json(const RebuildHistory& h) {
  Json items = Json::array();
  for (const auto& r : h.rebuilds) items.push_back(to_json(r));
  // host_key: what `vps-enroll rebuild` signs into the request (the host checks it again).
  return Json{{"host", h.host},
              {"host_key", h.host_key ? Json(*h.host_key) : Json(nullptr)},
              {"last_sequence", h.last_sequence},
              {"last_poll_at", or_null(h.last_poll_at)},
              {"now", h.now},
              {"rebuilds", std::move(items)}};
}

Result<RebuildHistory> parse_rebuild_history(const Json& value) {
  constexpr std::string_view what = "endpoint's rebuild history";
  if (!value.is_object()) return malformed(what, "not a JSON object");
  RebuildHistory h;
  h.host = VPS_TRY(required_string(value, "host", what));
  h.host_key = VPS_TRY(optional_string(value, "host_key", what));
  h.last_sequence = VPS_TRY(required_integer(value, "last_sequence", what));
  h.last_poll_at = VPS_TRY(optional_integer(value, "last_poll_at", what));
  h.now = VPS_TRY(optional_integer(value, "now", what)).value_or(0);
  auto list = value.find("rebuilds");
  if (list == value.end() || !list->is_array()) return malformed(what, "\"rebuilds\" (array) is required");
  for (const auto& item : *list) h.rebuilds.push_back(VPS_TRY(parse_rebuild_view(item)));
  return h;
}

}  // namespace vps::protocol
