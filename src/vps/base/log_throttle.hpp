#pragma once
// At most one log line per interval for an event that repeats at a rate someone else chooses
// (a flood of refused connections must not flood the journal): the first occurrence is logged at
// once, later ones inside the interval are only counted, and the next line that is written says
// how many were left out. Not thread-safe: one owner, e.g. an I/O thread.

#include <chrono>
#include <cstddef>
#include <optional>
#include <utility>

namespace vps::log {

class Throttle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Throttle(Clock::duration interval) : m_interval(interval) {}

  // nullopt: stay quiet (the occurrence is counted). Otherwise write the line now; the value is
  // how many occurrences were left out since the previous line.
  std::optional<std::size_t> admit(Clock::time_point now = Clock::now()) {
    if (m_last && now - *m_last < m_interval) {
      ++m_left_out;
      return std::nullopt;
    }
    m_last = now;
    return std::exchange(m_left_out, 0);
  }

  Clock::duration interval() const { return m_interval; }

 private:
  Clock::duration m_interval;
  std::optional<Clock::time_point> m_last;
  std::size_t m_left_out = 0;
};

}  // namespace vps::log
