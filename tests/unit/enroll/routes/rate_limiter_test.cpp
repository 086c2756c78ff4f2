// The pieces behind the limits on unauthenticated publications: the per-source token bucket,
// the source address it is keyed by, and the rate-limited audit of refusals.
#include <vps/enroll/routes/rate_limiter.hpp>
#include <vps/enroll/routes/refusal_audit.hpp>
#include <vps/enroll/routes/source_address.hpp>

#include "test_support.hpp"

using namespace vps::enroll::routes;

TEST_SUITE("enroll::routes::RateLimiter") {
  TEST_CASE("a burst, then one request per refill interval, with the wait until the next") {
    RateLimiter limiter({/*per_minute=*/6, /*burst=*/3});
    const std::int64_t t = 1'000'000;
    for (int i = 0; i < 3; ++i) CHECK_FALSE(limiter.take("a", t));
    CHECK(limiter.take("a", t) == 10);  // one token every 10 s
    CHECK(limiter.take("a", t + 9) == 1);
    CHECK_FALSE(limiter.take("a", t + 10));
    CHECK(limiter.take("a", t + 10));
    CHECK_FALSE(limiter.take("b", t));  // another key has its own bucket
    // A long pause refills to the burst, never beyond it.
    for (int i = 0; i < 3; ++i) CHECK_FALSE(limiter.take("a", t + 3600));
    CHECK(limiter.take("a", t + 3600));
  }

  TEST_CASE("a clock stepping back neither refills nor fails") {
    RateLimiter limiter({60, 1});
    CHECK_FALSE(limiter.take("a", 1000));
    CHECK(limiter.take("a", 900));
    CHECK_FALSE(limiter.take("a", 1001));
  }

  TEST_CASE("the table of buckets stays bounded") {
    RateLimiter limiter({1, 1}, /*max_keys=*/100);
    for (int i = 0; i < 1000; ++i) limiter.take("k" + std::to_string(i), 5000);
    CHECK(limiter.tracked() <= 100);
    // Full buckets carry no information and go first.
    RateLimiter idle({60, 2}, 10);
    for (int i = 0; i < 10; ++i) idle.take("k" + std::to_string(i), 1000);
    idle.take("new", 1100);  // by now every bucket has refilled
    CHECK(idle.tracked() == 1);
  }
}

TEST_SUITE("enroll::routes::source_address") {
  vps::net::http::Request from(const std::string& address) {
    vps::net::http::Request r;
    r.remote_address = address;
    return r;
  }

  TEST_CASE("IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64") {
    CHECK(source_address(from("203.0.113.7")) == "203.0.113.7");
    CHECK(source_address(from("::ffff:203.0.113.7")) == "203.0.113.7");
    CHECK(source_address(from("2001:db8:1:2:aaaa:bbbb:cccc:dddd")) == "2001:db8:1:2::/64");
    CHECK(source_address(from("2001:0db8:0001:0002::1")) == "2001:db8:1:2::/64");
    CHECK(source_address(from("::1")) == "::/64");
    CHECK(source_address(from("")) == "");
    CHECK(source_address(from("not an address")) == "not an address");
  }
}

TEST_SUITE("enroll::routes::RefusalAudit") {
  TEST_CASE("one entry per kind and interval, counting the ones left out") {
    RefusalAudit audit(600);
    CHECK(audit.due(Refusal::rate_limited, 1000) == 0);
    CHECK_FALSE(audit.due(Refusal::rate_limited, 1001));
    CHECK_FALSE(audit.due(Refusal::rate_limited, 1599));
    CHECK(audit.due(Refusal::source_cap, 1001) == 0);  // kinds are counted apart
    CHECK_FALSE(audit.would_write(Refusal::rate_limited, 1599));
    CHECK(audit.would_write(Refusal::rate_limited, 1600));
    CHECK(audit.due(Refusal::rate_limited, 1600) == 2);
  }
}
