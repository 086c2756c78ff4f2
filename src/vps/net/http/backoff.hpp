#pragma once
// Retry policy for talking to an endpoint that may be down, booting, or overloaded:
// exponential backoff with "full jitter" (delay drawn uniformly from [0, min(cap, base * 2^n)]),
// so a fleet of instances booting together does not retry in lock-step. Every loop is bounded
// twice: by a number of attempts and by an overall time budget.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <vps/base/duration.hpp>
#include <vps/base/error.hpp>

namespace vps::net::http {

using vps::Millis;  // base/duration.hpp

struct BackoffPolicy {
  Millis initial_delay{1000};     // base: the first retry waits at most this long
  Millis max_delay{60000};        // cap on a single wait (also caps Retry-After)
  unsigned max_attempts = 10;     // including the first one
  Millis overall{600000};         // whole loop, waits included
  Millis attempt_timeout{30000};  // one attempt (connect + TLS + write + read)
};

class Backoff {
 public:
  // uniform01 returns a value in [0, 1); defaults to the CSPRNG. Tests pass a fixed source.
  explicit Backoff(BackoffPolicy policy, std::function<double()> uniform01 = {});

  // Wait before attempt number `next_attempt` (2 for the first retry). A server hint
  // (Retry-After) raises the wait to at least the hint, both capped by max_delay.
  Millis delay_before(unsigned next_attempt, std::optional<Millis> server_hint = std::nullopt) const;

  const BackoffPolicy& policy() const { return m_policy; }

 private:
  BackoffPolicy m_policy;
  std::function<double()> m_uniform01;
};

enum class Disposition { success, retry, permanent };

// 2xx success; 408, 425, 429 and 5xx except 501/505 retry (the endpoint may recover);
// everything else (other 4xx, 3xx redirects we never follow, 1xx) is permanent.
Disposition classify_status(unsigned status);

// Errors worth another attempt: Errc::retry (unreachable, reset) and Errc::timeout.
bool is_retryable(Errc code);

// Retry-After as delta-seconds ("120"); HTTP-dates and junk give nullopt. Capped at one day.
std::optional<Millis> parse_retry_after(std::string_view value);

}  // namespace vps::net::http
