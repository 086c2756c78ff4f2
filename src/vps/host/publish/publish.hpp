#pragma once
// Publishing: tell the enrollment endpoint about this host (vps-agent publish). Builds a publication
// (protocol/publication.hpp) signed by the host key, POSTs it to <endpoint>/v1/enrollments and
// retries with backoff until the endpoint approves the key (2xx "approved"), refuses it (other
// 4xx: Errc::refused, no retry) or the retry budget runs out (Errc::timeout / Errc::retry).
//
// "pending" (2xx) means an operator has to decide, and the host cannot tell whether its key is
// the one the endpoint holds for its name or a flagged one next to a squatter's (the endpoint
// answers both alike, so outsiders cannot tell which names exist). Either way only publishing
// again lets the key take the name once the operator has rejected the other one, so publish
// keeps publishing on the same schedule until approved (or --no-wait: it returns at the first
// acknowledgement). What it waits for goes to state.json for `vps-agent status`. Each attempt is
// recorded there; once approved, publish is a no-op unless --force.
//
// Every attempt is signed afresh (new timestamp and nonce), so a retry hours later still falls
// inside the endpoint's replay window; the endpoint must treat a repeat from the same key as
// idempotent.

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::host::publish {

struct Options {
  bool force = false;
  bool no_wait = false;                               // return once acknowledged, even if pending
  unsigned max_attempts = 10000;                      // the time budget is the real bound by default
  std::optional<std::chrono::milliseconds> timeout;          // default enrollment.retry.overall_timeout
  std::optional<std::chrono::milliseconds> attempt_timeout;  // default enrollment.retry.attempt_timeout
};

// Receives one line per step ("attempt 2: ..."), for the log and sd_notify STATUS=.
using Progress = std::function<void(const std::string&)>;

// Publishes until approved (or acknowledged, with no_wait; a no-op when already approved unless
// force). Errc::refused for a permanent refusal, Errc::timeout / Errc::retry when the budget runs
// out, Errc::no_key before firstboot, Errc::config for a missing endpoint or token.
Status publish(const std::filesystem::path& root, const config::Config& config, const Options& options,
               const Progress& progress);

}  // namespace vps::host::publish
