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

}  // namespace vps::net::http
