#include <vps/net/http/backoff.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <vps/base/text.hpp>
#include <vps/crypto/random.hpp>

namespace vps::net::http {

namespace {
double csprng_uniform01() {
  // 2^24 steps is plenty of resolution for a delay.
  return static_cast<double>(crypto::random_uniform(1u << 24)) / static_cast<double>(1u << 24);
}
}  // namespace

Backoff::Backoff(BackoffPolicy policy, std::function<double()> uniform01)
    : m_policy(policy), m_uniform01(uniform01 ? std::move(uniform01) : csprng_uniform01) {}

Millis Backoff::delay_before(unsigned next_attempt, std::optional<Millis> server_hint) const {
  const unsigned exponent = std::min(next_attempt < 2 ? 0u : next_attempt - 2, 30u);
  const double ceiling =
      std::min(static_cast<double>(m_policy.max_delay.count()),
               static_cast<double>(m_policy.initial_delay.count()) * std::ldexp(1.0, static_cast<int>(exponent)));
  const double u = std::clamp(m_uniform01(), 0.0, 1.0);
  auto delay = Millis(static_cast<Millis::rep>(std::floor(ceiling * u)));
  if (server_hint) delay = std::max(delay, std::min(*server_hint, m_policy.max_delay));
  return delay;
}

Disposition classify_status(unsigned status) {
  if (status >= 200 && status < 300) return Disposition::success;
  if (status == 408 || status == 425 || status == 429) return Disposition::retry;
  if (status >= 500 && status < 600 && status != 501 && status != 505) return Disposition::retry;
  return Disposition::permanent;
}

bool is_retryable(Errc code) { return code == Errc::retry || code == Errc::timeout; }

std::optional<Millis> parse_retry_after(std::string_view value) {
  // HTTP's optional whitespace is space and tab.
  value = vps::text::trim(value, " \t");
  if (value.size() > 9) return std::nullopt;
  // delay-seconds is 1*DIGIT: leading zeros are allowed here, unlike in parse_decimal's numbers.
  while (value.size() > 1 && value.front() == '0') value.remove_prefix(1);
  auto seconds = vps::text::parse_decimal(value, 0, 999999999);
  if (!seconds) return std::nullopt;
  return Millis(std::min<std::int64_t>(*seconds, 86400) * 1000);
}

}  // namespace vps::net::http
