#include <vps/net/http/retry_schedule.hpp>

#include <algorithm>
#include <thread>

namespace vps::net::http {

RetrySchedule::RetrySchedule(BackoffPolicy policy, std::function<double()> uniform01)
    : m_backoff(policy, std::move(uniform01)), m_start(std::chrono::steady_clock::now()) {}

Millis RetrySchedule::elapsed() const {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - m_start);
}

Millis RetrySchedule::attempt_budget() const {
  const Millis left = m_backoff.policy().overall - elapsed();
  return std::max(Millis(1), std::min(m_backoff.policy().attempt_timeout, left));
}

std::optional<Millis> RetrySchedule::next(std::optional<Millis> server_hint) {
  if (m_attempt >= m_backoff.policy().max_attempts) {
    m_exhausted_by_time = false;
    return std::nullopt;
  }
  const Millis wait = m_backoff.delay_before(m_attempt + 1, server_hint);
  // Leave room for the next attempt to at least start; otherwise stop now rather than sleep
  // into a deadline we already know we will miss.
  if (elapsed() + wait + Millis(50) >= m_backoff.policy().overall) {
    m_exhausted_by_time = true;
    return std::nullopt;
  }
  ++m_attempt;
  return wait;
}

void RetrySchedule::sleep(Millis duration) const { std::this_thread::sleep_for(duration); }

PollSchedule::PollSchedule(BackoffPolicy policy, Floor floor, std::function<double()> uniform01)
    : m_backoff(policy, std::move(uniform01)), m_floor(floor) {}

Millis PollSchedule::after_progress() {
  m_setbacks = 0;
  return Millis(0);
}

Millis PollSchedule::after_setback(std::optional<Millis> server_hint) {
  m_setbacks = std::min(m_setbacks + 1, 31u);  // Backoff caps the exponent at 30 anyway
  const Millis drawn = m_backoff.delay_before(m_setbacks + 1, server_hint);
  if (m_floor == Floor::none) return drawn;
  return std::min(m_backoff.policy().max_delay, m_backoff.policy().initial_delay + drawn);
}

void sleep_unless(Millis duration, const std::function<bool()>& stop) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    if (stop && stop()) return;
    const auto left = std::chrono::duration_cast<Millis>(until - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::clamp(left, Millis(0), Millis(50)));
  }
}

}  // namespace vps::net::http
