#include <vps/enroll/routes/rate_limiter.hpp>

#include <algorithm>
#include <cmath>

namespace vps::enroll::routes {

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_keys)
    : m_limit{std::max<std::int64_t>(1, limit.per_minute), std::max<std::int64_t>(1, limit.burst)},
      m_max_keys(std::max<std::size_t>(1, max_keys)) {}

double RateLimiter::tokens_at(const Bucket& bucket, std::int64_t now) const {
  // A clock that steps back refills nothing (and never drains).
  const auto elapsed = static_cast<double>(std::max<std::int64_t>(0, now - bucket.updated));
  return std::min(static_cast<double>(m_limit.burst),
                  bucket.tokens + elapsed * static_cast<double>(m_limit.per_minute) / 60.0);
}

void RateLimiter::make_room(std::int64_t now) {
  // Sweeping is linear in the table, so at most once a second; between sweeps a full table
  // gives up one arbitrary bucket per newcomer.
  if (now != m_last_sweep) {
    m_last_sweep = now;
    std::erase_if(m_buckets, [&](const auto& entry) {
      return tokens_at(entry.second, now) >= static_cast<double>(m_limit.burst);
    });
  }
  if (m_buckets.size() >= m_max_keys) m_buckets.erase(m_buckets.begin());
}

std::optional<std::int64_t> RateLimiter::take(const std::string& key, std::int64_t now) {
  auto found = m_buckets.find(key);
  if (found == m_buckets.end()) {
    if (m_buckets.size() >= m_max_keys) make_room(now);
    found = m_buckets.emplace(key, Bucket{static_cast<double>(m_limit.burst), now}).first;
  }
  Bucket& bucket = found->second;
  bucket.tokens = tokens_at(bucket, now);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double seconds = (1.0 - bucket.tokens) * 60.0 / static_cast<double>(m_limit.per_minute);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(seconds)));
}

}  // namespace vps::enroll::routes
