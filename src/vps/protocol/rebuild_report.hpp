#pragma once
// The REST API's rebuild bodies, defined once for the endpoint (routes/rebuilds.cpp), the agent's
// watcher (host/rebuild) and the operator CLI (enroll/client):
//
//   host -> endpoint  POST /v1/hosts/{host}/rebuilds/{id}/status    RebuildReport
//     {"state": "picked|running|succeeded|failed", "exit_status": 0, "duration_ms": 1200,
//      "reason": "...", "output_tail": "..."}            (all but state optional)
//   endpoint -> host  GET /v1/hosts/{host}/rebuilds/next (200)     RebuildOffer
//     {"id": 7, "request": "<canonical text>", "signature": "<base64>"}
//   operator -> endpoint  POST /v1/hosts/{host}/rebuilds            RebuildSubmission
//     {"request": "<canonical text>", "signature": "<base64>"}
//   endpoint -> operator  a rebuild record (RebuildView), and the history (RebuildHistory):
//     GET /v1/hosts/{host}/rebuilds, GET .../rebuilds/{id}, the answers to the POSTs above.
//
// Bodies the endpoint receives are parsed strictly (strict_json.hpp: one object, no duplicate or
// unknown field, typed, bounded). Answers the clients receive are typed field by field; fields a
// newer endpoint adds are ignored.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <vps/base/result.hpp>
#include <vps/protocol/rebuild_state.hpp>

namespace vps::protocol {

// The last bytes of a rebuild command's output that a host sends (after escaping, so the JSON
// text of a full tail stays under k_max_rebuild_report_body).
inline constexpr std::size_t k_max_output_tail = 64 * 1024;
inline constexpr std::size_t k_max_rebuild_report_body = 512 * 1024;
// A reported reason is kept up to this many bytes, cut on a UTF-8 character boundary.
inline constexpr std::size_t k_max_rebuild_reason = 1024;

struct RebuildReport {
  RebuildState state = RebuildState::picked;  // never queued or expired
  std::optional<std::int64_t> exit_status;
  std::optional<std::int64_t> duration_ms;
  std::optional<std::string> reason;
  std::optional<std::string> output_tail;
};

// The JSON text (invalid UTF-8 in reason or tail becomes U+FFFD: a report never fails to encode).
std::string to_json_text(const RebuildReport& report);
// Errc::malformed saying what is wrong: not a strict object, a missing or wrongly typed field, a
// state a host cannot report, a tail over k_max_output_tail. A longer reason is cut.
Result<RebuildReport> parse_rebuild_report(std::string_view body);

struct RebuildOffer {
  std::int64_t id = 0;
  std::string request;    // canonical text, verified by the host (rebuild_request.hpp)
  std::string signature;  // base64
};

nlohmann::json to_json(const RebuildOffer& offer);
// Errc::malformed when a field is missing or of another type.
Result<RebuildOffer> parse_rebuild_offer(std::string_view body);

struct RebuildSubmission {
  std::string request;
  std::string signature;
};

nlohmann::json to_json(const RebuildSubmission& submission);
Result<RebuildSubmission> parse_rebuild_submission(std::string_view body);

// One rebuild as the endpoint shows it to operators.
struct RebuildView {
  std::int64_t id = 0;
  std::string host;
  std::int64_t sequence = 0;
  std::string revision;
  std::int64_t expires_at = 0;
  std::string operator_name;  // "operator"
  RebuildState state = RebuildState::queued;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> picked_at;
  std::optional<std::int64_t> started_at;
  std::optional<std::int64_t> finished_at;
  std::optional<std::int64_t> exit_status;
  std::optional<std::int64_t> duration_ms;
  std::string reason;
  std::optional<std::string> output_tail;  // in the answer for one rebuild only
  // The endpoint's context, in answers about one rebuild: when the host last polled (null:
  // never) and the endpoint's clock.
  std::optional<std::optional<std::int64_t>> last_poll_at;
  std::optional<std::int64_t> now;
};

nlohmann::json to_json(const RebuildView& view);
// Errc::malformed naming the field that is missing or of another type.
Result<RebuildView> parse_rebuild_view(const nlohmann::json& value);

struct RebuildHistory {
  std::string host;
  std::optional<std::string> host_key;  // null until the host published
  std::int64_t last_sequence = 0;
  std::optional<std::int64_t> last_poll_at;
  std::int64_t now = 0;                // the endpoint's clock (0 when it does not say)
  std::vector<RebuildView> rebuilds;  // newest first
};

nlohmann::json to_json(const RebuildHistory& history);
Result<RebuildHistory> parse_rebuild_history(const nlohmann::json& value);

}  // namespace vps::protocol
