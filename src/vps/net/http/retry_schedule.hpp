#pragma once
// Bookkeeping for a bounded retry loop: which attempt this is, how long it may take, and how
// long to wait before the next one (Backoff), with both bounds of BackoffPolicy enforced.
//
//   RetrySchedule schedule(policy);
//   for (;;) {
//     auto result = attempt(schedule.attempt_budget());
//     if (done or permanent) break;
//     auto wait = schedule.next(retry_after_hint);
//     if (!wait) give up;           // out of attempts or out of time
//     report(...); schedule.sleep(*wait);
//   }

#include <chrono>
#include <functional>
#include <optional>

#include <vps/net/http/backoff.hpp>

namespace vps::net::http {

class RetrySchedule {
 public:
  explicit RetrySchedule(BackoffPolicy policy, std::function<double()> uniform01 = {});

  unsigned attempt() const { return m_attempt; }  // 1-based number of the current attempt
  // min(attempt_timeout, what is left of the overall budget), at least 1 ms.
  Millis attempt_budget() const;
  Millis elapsed() const;
  bool out_of_time() const { return elapsed() >= m_backoff.policy().overall; }

  // After a failed attempt: the wait before the next one, or nullopt when none is left
  // (max_attempts reached, or the wait plus a minimal attempt would overrun `overall`).
  // Advances attempt() when it returns a value.
  std::optional<Millis> next(std::optional<Millis> server_hint = std::nullopt);

  // Why next() returned nullopt: true if the time budget, false if the attempt count.
  bool exhausted_by_time() const { return m_exhausted_by_time; }

  void sleep(Millis duration) const;

 private:
  Backoff m_backoff;
  std::chrono::steady_clock::time_point m_start;
  unsigned m_attempt = 1;
  bool m_exhausted_by_time = false;
};

// Bookkeeping for a loop that never gives up (the rebuild watcher's long poll, bundle delivery's
// rounds): no attempt count and no overall budget, only the wait before the next round. A round
// that made progress resets the backoff (the next one may start at once); each setback in a row
// (a failure, or an idle round for a poller that asks again) waits as Backoff says for that
// many setbacks, capped at 2^30 times the initial delay and always by max_delay.
//
//   PollSchedule schedule(policy, PollSchedule::Floor::initial_delay);
//   schedule.after_progress();          // -> 0 ms
//   schedule.after_setback();           // -> in [initial, min(max, 2 * initial)] with the floor
//
// Floor::none draws from [0, ceiling] (full jitter, as RetrySchedule); Floor::initial_delay adds
// the initial delay first (capped by max_delay), so jitter never turns idle rounds into a busy
// loop. Non-blocking: callers that schedule their own wake-ups (delivery) keep the returned
// wait; poll_until (retry.hpp) sleeps it.
class PollSchedule {
 public:
  enum class Floor { none, initial_delay };

  explicit PollSchedule(BackoffPolicy policy, Floor floor = Floor::none, std::function<double()> uniform01 = {});

  // The wait before the next round: 0, and the setbacks counter starts over.
  Millis after_progress();
  // The wait before the next round after one more setback in a row.
  Millis after_setback(std::optional<Millis> server_hint = std::nullopt);

  unsigned setbacks() const { return m_setbacks; }  // in a row, since the last progress
  const BackoffPolicy& policy() const { return m_backoff.policy(); }

 private:
  Backoff m_backoff;
  Floor m_floor;
  unsigned m_setbacks = 0;
};

// Sleeps `duration`, waking every 50 ms to ask `stop`; returns early once it says true.
void sleep_unless(Millis duration, const std::function<bool()>& stop);

}  // namespace vps::net::http
