#include <doctest/doctest.h>

#include <vps/net/http/backoff.hpp>

using namespace vps;
using namespace vps::net::http;
using namespace std::chrono_literals;

TEST_SUITE("net::http::Backoff") {
  TEST_CASE("full jitter: delay is uniform up to the exponential ceiling, capped") {
    BackoffPolicy policy;
    policy.initial_delay = 1000ms;
    policy.max_delay = 10000ms;
    Backoff top(policy, [] { return 0.999999; });
    CHECK(top.delay_before(2) == 999ms);
    CHECK(top.delay_before(3) == 1999ms);
    CHECK(top.delay_before(4) == 3999ms);
    CHECK(top.delay_before(5) == 7999ms);
    CHECK(top.delay_before(6) == 9999ms);   // capped
    CHECK(top.delay_before(60) == 9999ms);  // no overflow for large attempt numbers
    Backoff bottom(policy, [] { return 0.0; });
    CHECK(bottom.delay_before(5) == 0ms);
    Backoff half(policy, [] { return 0.5; });
    CHECK(half.delay_before(3) == 1000ms);
  }
  TEST_CASE("server hint raises the delay but stays under the cap") {
    BackoffPolicy policy;
    policy.initial_delay = 100ms;
    policy.max_delay = 5000ms;
    Backoff backoff(policy, [] { return 0.0; });
    CHECK(backoff.delay_before(2, 3000ms) == 3000ms);
    CHECK(backoff.delay_before(2, 60000ms) == 5000ms);
  }
  TEST_CASE("default randomness stays within bounds") {
    BackoffPolicy policy;
    policy.initial_delay = 200ms;
    policy.max_delay = 1000ms;
    Backoff backoff(policy);
    for (unsigned attempt = 2; attempt < 50; ++attempt) {
      auto d = backoff.delay_before(attempt);
      CHECK(d >= 0ms);
      CHECK(d <= 1000ms);
    }
  }
  TEST_CASE("classifies HTTP statuses") {
    CHECK(classify_status(200) == Disposition::success);
    CHECK(classify_status(202) == Disposition::success);
    CHECK(classify_status(503) == Disposition::retry);
    CHECK(classify_status(500) == Disposition::retry);
    CHECK(classify_status(429) == Disposition::retry);
    CHECK(classify_status(408) == Disposition::retry);
    CHECK(classify_status(501) == Disposition::permanent);
    CHECK(classify_status(400) == Disposition::permanent);
    CHECK(classify_status(403) == Disposition::permanent);
    CHECK(classify_status(409) == Disposition::permanent);
    CHECK(classify_status(301) == Disposition::permanent);
    CHECK(is_retryable(Errc::retry));
    CHECK(is_retryable(Errc::timeout));
    CHECK_FALSE(is_retryable(Errc::integrity));
    CHECK_FALSE(is_retryable(Errc::config));
  }
  TEST_CASE("parses Retry-After delta seconds only") {
    CHECK(parse_retry_after("120") == 120000ms);
    CHECK(parse_retry_after(" 3 ") == 3000ms);
    CHECK(parse_retry_after("999999999") == 86400000ms);
    CHECK_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
    CHECK_FALSE(parse_retry_after("-1"));
    CHECK_FALSE(parse_retry_after(""));
    CHECK_FALSE(parse_retry_after("1.5"));
    CHECK(parse_retry_after("007") == 7000ms);  // delay-seconds may have leading zeros
    CHECK(parse_retry_after("\t0 ") == 0ms);
  }
}
