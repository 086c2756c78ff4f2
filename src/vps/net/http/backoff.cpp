#include <vps/net/http/backoff.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

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
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty() || value.size() > 9) return std::nullopt;
  unsigned seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
  return Millis(std::min(seconds, 86400u) * 1000LL);
}

}  // namespace vps::net::http
