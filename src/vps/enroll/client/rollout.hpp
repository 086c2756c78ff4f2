#pragma once
// Fleet rollouts (vps-enroll rebuild --hosts a,b,c): the same revision to several hosts, a few
// at a time, stopping at the first failure. Each host still gets its own operator-signed
// request (queue_rebuild) and verifies it itself; this only decides when to queue which.
//
//   canary:  the first `canary` hosts go alone, one batch, before anything else;
//   batches: then `batch` hosts at a time; a batch is queued at once and followed together;
//   stop:    after a batch in which a host failed, rolled back or could not be queued, nothing
//            more is queued (keep_going: carry on) and the rest are listed "not-started";
//   skip:    a host that does not pick its request up within `pickup` is "skipped": listed,
//            never blocking the others. Its request expires at that same moment (the request's
//            expiry IS the pick-up window), so a host that comes back later refuses it: a
//            skipped host never rebuilds behind the operator's back.
//
// Every wait is bounded: a batch ends when each host's rebuild is final, skipped, or has run
// longer than `run_timeout` after it was picked up ("timeout").

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <vps/base/duration.hpp>
#include <vps/base/result.hpp>
#include <vps/net/api/signed_client.hpp>

namespace vps::enroll::client {

struct RolloutOptions {
  std::vector<std::string> hosts;  // in rollout order, no duplicates (checked)
  std::string revision;
  std::size_t batch = 1;           // hosts per batch after the canaries (>= 1)
  std::size_t canary = 0;          // hosts in the first, lone batch
  bool keep_going = false;
  Millis pickup{std::chrono::minutes(5)};        // and each request's expiry
  Millis run_timeout{std::chrono::minutes(15)};  // from pick-up to a final state
  Millis interval{500};                          // between two looks at a batch
  std::function<void(const std::string&)> progress;
};

// What happened to one host. `outcome` is the rebuild's final state as the API names it
// (succeeded, failed, rolled-back, ...) or one of the rollout's own: "skipped" (not picked up
// in time), "not-started" (the rollout stopped before its batch), "refused" (could not be
// queued: unknown host, no key yet, revoked...), "timeout" (still running at run_timeout).
struct HostOutcome {
  std::string host;
  std::string revision;
  std::string outcome = "not-started";
  std::optional<std::int64_t> id;           // the rebuild's id at the endpoint, once queued
  std::optional<std::int64_t> duration_ms;  // the host's own figure when it reported one
  std::string reason;
  std::size_t batch = 0;                    // 1-based; 0 for not-started
  bool ok() const { return outcome == "succeeded"; }
  // A host whose outcome stops the rollout (everything but succeeded, skipped, not-started).
  bool stops() const;
};

struct RolloutResult {
  std::vector<HostOutcome> hosts;  // in rollout order
  std::size_t batches = 0;         // batches that ran
  bool stopped = false;            // the rollout stopped early
  std::string stop_reason;
  std::int64_t elapsed_ms = 0;
};

// Errc::usage for an empty or duplicated host list, an invalid host name or revision, a batch of
// 0: what run_rollout checks first, for a command to check before it connects.
Status check_rollout(const RolloutOptions& options);

// check_rollout first (nothing is queued on a usage error). Otherwise a result listing every
// host, whatever happened to it: a host's failure, and an endpoint lost mid-rollout ("refused",
// "timeout"), are outcomes.
Result<RolloutResult> run_rollout(net::api::SignedClient& client, const RolloutOptions& options);

// Exit status of a rollout: success when every host succeeded; Errc::rebuild_failed when any
// stopped it (failed, rolled back, refused, timed out); else Errc::not_picked_up when some were
// skipped. The message names the hosts.
Status rollout_outcome(const RolloutResult& result);

nlohmann::json to_json(const RolloutResult& result);
// The summary table (HOST REVISION STATE DURATION REASON), endpoint text escaped.
std::string summary_table(const RolloutResult& result);

// "a,b,c" -> {"a","b","c"}: Errc::usage for an empty item, a duplicate or an invalid name.
Result<std::vector<std::string>> parse_host_list(const std::string& text);

}  // namespace vps::enroll::client
