#include <doctest/doctest.h>

#include <vps/base/log_throttle.hpp>

using vps::log::Throttle;
using namespace std::chrono_literals;

TEST_SUITE("base::log::Throttle") {
  TEST_CASE("the first occurrence is logged, the rest of the interval only counted") {
    Throttle throttle(10s);
    const auto t0 = Throttle::Clock::time_point{} + 1h;
    CHECK(throttle.admit(t0) == std::optional<std::size_t>(0));
    CHECK_FALSE(throttle.admit(t0 + 1s));
    CHECK_FALSE(throttle.admit(t0 + 9s));
    // The next line reports the two left out, and starts a new interval.
    CHECK(throttle.admit(t0 + 10s) == std::optional<std::size_t>(2));
    CHECK_FALSE(throttle.admit(t0 + 19s));
    CHECK(throttle.admit(t0 + 31s) == std::optional<std::size_t>(1));
  }
}
