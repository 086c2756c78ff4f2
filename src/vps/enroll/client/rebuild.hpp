#pragma once
// The operator's side of rebuilds (vps-enroll rebuild): queue an operator-signed request for a
// host's `vps-agent watch`, follow it to its result, and say what that result means. The
// bodies are protocol/rebuild_report.hpp's; the commands only print.
//
// Sequence choice: max(last + 1, Unix time in milliseconds). Milliseconds keep sequences
// increasing across operators on different machines without coordination (the host refuses
// any sequence not above the last it applied), and last + 1 still wins when a clock is behind.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include <vps/base/duration.hpp>
#include <vps/base/result.hpp>
#include <vps/net/api/signed_client.hpp>
#include <vps/protocol/rebuild_report.hpp>

namespace vps::enroll::client {

struct RebuildOrder {
  std::string host;      // checked (host_path)
  std::string revision;  // checked (protocol::valid_revision): Errc::usage otherwise
  Millis expires;        // from now
};

struct QueuedRebuild {
  nlohmann::json answer;  // the endpoint's answer, as sent (for --json)
  protocol::RebuildView view;
  std::int64_t sequence = 0;
  std::int64_t expires = 0;  // Unix seconds
};

// Errc::usage for an invalid host name or revision (checked again by queue_rebuild).
Status check_rebuild_order(const std::string& host, const std::string& revision);

// Reads the host's rebuild history (its key, the last sequence), signs the request and queues
// it. Errc::missing when the host has not published a key yet; the endpoint's refusals as
// call_json maps them.
Result<QueuedRebuild> queue_rebuild(net::api::SignedClient& client, const RebuildOrder& order);

// One rebuild as the endpoint shows it (GET /v1/hosts/{host}/rebuilds/{id}); `answer` receives
// the JSON as sent when given (for --json).
Result<protocol::RebuildView> read_rebuild(net::api::SignedClient& client, const std::string& host, std::int64_t id,
                                           nlohmann::json* answer = nullptr);

struct WaitOptions {
  Millis timeout;
  std::string timeout_text;  // as the operator wrote it, for messages
  std::function<void(const std::string&)> progress;  // "picked up by web1", "running"
  Millis interval{250};
};

struct FinishedRebuild {
  nlohmann::json answer;  // the last record, as sent (for --json)
  protocol::RebuildView view;
};

// Follows rebuild `id` of `host` until it is final. Progress comes from the timestamps, so a
// quick rebuild that went from queued to succeeded between two polls still shows every step.
// Errc::not_picked_up when the host never picked it up within the timeout (saying when it last
// checked in and until when the request stays queued), Errc::timeout when it is still running.
Result<FinishedRebuild> wait_for_rebuild(net::api::SignedClient& client, const std::string& host, std::int64_t id,
                                         const WaitOptions& options);

// What a final rebuild means: success; Errc::not_picked_up when it expired queued;
// Errc::rebuild_failed with the host's reason and exit status otherwise.
Status rebuild_outcome(const protocol::RebuildView& view, const std::string& host);

// Why a rebuild did not succeed, as the host reported it: its reason and, when it has one, the
// exit status ("" for a success without a reason).
std::string failure_reason(const protocol::RebuildView& view);

// "it last checked in at ... (N s ago)" or "it has never checked in".
std::string checked_in(const protocol::RebuildView& view);

// The last `lines` lines of a host's output tail with control characters escaped (newlines
// kept: the host sent them), ending in a newline; "" for an empty tail.
std::string output_tail_lines(const std::string& raw, int lines);

}  // namespace vps::enroll::client
