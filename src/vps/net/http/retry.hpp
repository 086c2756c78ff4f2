#pragma once
// The one retry loop of the programs, in its two forms:
//
// retry(): for anything that must get a request through (publish, the watcher's reports, an
// operator's request): run an attempt with its time budget; stop on success or on an error that
// retrying cannot fix; otherwise wait as the schedule says (backoff with jitter, a server's
// Retry-After hint honoured up to the cap) and try again, until the schedule's attempts or time
// run out. Callers say what an attempt is and hear about each wait (progress lines).
//
// poll_until(): for a loop that never gives up (the rebuild watcher's long poll, bundle
// delivery): run rounds until told to stop; a round that fails backs off (PollSchedule,
// retry_schedule.hpp), a round that succeeds lets the next one start at once. A poller that
// schedules its own wake-ups uses PollSchedule directly instead.

#include <functional>
#include <optional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/net/http/retry_schedule.hpp>

namespace vps::net::http {

// What one attempt ended with, when it did not succeed.
struct AttemptFailure {
  Error error;
  bool permanent = false;             // retrying cannot help (a refusal, a bad request)
  std::optional<Millis> retry_after;  // the server's hint
};

template <class T>
using AttemptResult = tl::expected<T, AttemptFailure>;

// Failed attempt `attempt` (1-based) and the wait before the next one.
using BeforeWait = std::function<void(unsigned attempt, const Error& error, Millis wait)>;

// The failure of the last attempt as is when it was permanent; when the schedule ran out,
// Errc::timeout (time) or Errc::retry (attempts) with the last attempt's message.
template <class T>
Result<T> retry(RetrySchedule& schedule, const std::function<AttemptResult<T>(Millis budget)>& attempt,
                const BeforeWait& before_wait = {}) {
  for (;;) {
    auto result = attempt(schedule.attempt_budget());
    if (result) return std::move(*result);
    AttemptFailure failure = std::move(result).error();
    if (failure.permanent) return fail(std::move(failure.error));
    const unsigned number = schedule.attempt();
    auto wait = schedule.next(failure.retry_after);
    if (!wait) {
      return fail(schedule.exhausted_by_time() ? Errc::timeout : Errc::retry, std::move(failure.error.message));
    }
    if (before_wait) before_wait(number, failure.error, *wait);
    schedule.sleep(*wait);
  }
}

// Runs `round` until `stop()` returns true (asked before every round and during every wait).
// A round's error is a setback: `before_wait(setbacks in a row, error, wait)` hears about it,
// then the loop sleeps the schedule's wait (cut short by stop). A round that returns success
// resets the backoff and the next round starts at once; a round that only waited for nothing
// (a long poll's 204) counts as success too: the long poll itself was the wait.
//
//   PollSchedule schedule(policy);
//   poll_until(schedule, [&] { return out_of_time(); },
//              [&]() -> Status { auto item = VPS_TRY(long_poll()); if (item) handle(*item); return {}; },
//              [&](unsigned n, const Error& e, Millis wait) { status("retrying in ..."); });
inline void poll_until(PollSchedule& schedule, const std::function<bool()>& stop, const std::function<Status()>& round,
                       const BeforeWait& before_wait = {}) {
  while (!stop()) {
    Status done = round();
    if (done) {
      schedule.after_progress();
      continue;
    }
    const Millis wait = schedule.after_setback();
    if (before_wait) before_wait(schedule.setbacks(), done.error(), wait);
    sleep_unless(wait, stop);
  }
}

}  // namespace vps::net::http
