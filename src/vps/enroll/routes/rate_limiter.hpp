#pragma once
// A token bucket per key (a source address): each request takes one token; a bucket holds at
// most `burst` and refills at `per_minute`. In memory, per endpoint process: replicas each keep
// their own buckets (the database-backed pending caps bound what all of them store together),
// and a restart refills every bucket.
//
// Memory is bounded: at most `max_keys` buckets. When a new key finds the table full, buckets
// that have refilled completely are dropped (they hold no information); if none has, one
// arbitrary bucket is, so a client with more addresses than that gets fresh buckets rather than
// locking newcomers out. The caps still bound what such a client can store.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace vps::enroll::routes {

struct RateLimit {
  std::int64_t per_minute = 30;
  std::int64_t burst = 30;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit, std::size_t max_keys = 65536);

  // Takes a token from key's bucket at `now` (Unix seconds). nullopt: go ahead; otherwise the
  // whole seconds (at least 1) until the bucket has a token again.
  std::optional<std::int64_t> take(const std::string& key, std::int64_t now);

  std::size_t tracked() const { return m_buckets.size(); }
  const RateLimit& limit() const { return m_limit; }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t updated = 0;
  };
  double tokens_at(const Bucket& bucket, std::int64_t now) const;
  void make_room(std::int64_t now);

  RateLimit m_limit;
  std::size_t m_max_keys;
  std::unordered_map<std::string, Bucket> m_buckets;
  std::int64_t m_last_sweep = 0;
};

}  // namespace vps::enroll::routes
