#pragma once
// The one retry loop of the programs (publish, the watcher's reports, anything that must get a
// request through): run an attempt with its time budget; stop on success or on an error that
// retrying cannot fix; otherwise wait as the schedule says (backoff with jitter, a server's
// Retry-After hint honoured up to the cap) and try again, until the schedule's attempts or time
// run out. Callers say what an attempt is and hear about each wait (progress lines).

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

}  // namespace vps::net::http
