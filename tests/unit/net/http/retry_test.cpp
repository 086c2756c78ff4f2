#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include <vps/net/http/retry.hpp>

using namespace vps;
using namespace vps::net::http;
using namespace std::chrono_literals;

namespace {

BackoffPolicy quick() {
  BackoffPolicy p;
  p.initial_delay = 10ms;
  p.max_delay = 40ms;
  p.max_attempts = 3;
  p.overall = 10s;
  p.attempt_timeout = 1s;
  return p;
}

}  // namespace

TEST_SUITE("net::http::retry") {
  TEST_CASE("retries what may pass, stops at a permanent failure or at the attempt count") {
    RetrySchedule schedule(quick(), [] { return 0.0; });
    int calls = 0;
    auto ok = retry<int>(schedule, [&](Millis) -> AttemptResult<int> {
      if (++calls < 3) return tl::unexpected(AttemptFailure{Error{Errc::retry, "down"}, false, std::nullopt});
      return 7;
    });
    REQUIRE(ok);
    CHECK(*ok == 7);
    CHECK(calls == 3);

    RetrySchedule again(quick(), [] { return 0.0; });
    calls = 0;
    auto refused = retry<int>(again, [&](Millis) -> AttemptResult<int> {
      ++calls;
      return tl::unexpected(AttemptFailure{Error{Errc::refused, "no"}, true, std::nullopt});
    });
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::refused);
    CHECK(calls == 1);

    RetrySchedule bounded(quick(), [] { return 0.0; });
    calls = 0;
    auto exhausted = retry<int>(bounded, [&](Millis) -> AttemptResult<int> {
      ++calls;
      return tl::unexpected(AttemptFailure{Error{Errc::retry, "down"}, false, std::nullopt});
    });
    REQUIRE_FALSE(exhausted);
    CHECK(exhausted.error().code == Errc::retry);
    CHECK(calls == 3);
  }
}

TEST_SUITE("net::http::PollSchedule") {
  TEST_CASE("setbacks back off up to the cap, progress starts over") {
    PollSchedule schedule(quick(), PollSchedule::Floor::none, [] { return 0.999; });
    CHECK(schedule.after_setback() == 9ms);   // ceiling 10 ms
    CHECK(schedule.after_setback() == 19ms);  // 20 ms
    CHECK(schedule.after_setback() == 39ms);  // 40 ms
    CHECK(schedule.after_setback() == 39ms);  // capped by max_delay
    CHECK(schedule.setbacks() == 4);
    CHECK(schedule.after_progress() == 0ms);
    CHECK(schedule.setbacks() == 0);
    CHECK(schedule.after_setback() == 9ms);
  }

  TEST_CASE("the initial-delay floor keeps idle rounds from spinning, still under the cap") {
    PollSchedule schedule(quick(), PollSchedule::Floor::initial_delay, [] { return 0.0; });
    CHECK(schedule.after_setback() == 10ms);
    PollSchedule high(quick(), PollSchedule::Floor::initial_delay, [] { return 0.999; });
    for (int i = 0; i < 40; ++i) CHECK(high.after_setback() <= 40ms);
  }

  TEST_CASE("poll_until backs off on failures, resets on success, and stops when told") {
    PollSchedule schedule(quick(), PollSchedule::Floor::none, [] { return 0.5; });
    std::vector<unsigned> setbacks;
    int rounds = 0;
    poll_until(
        schedule, [&] { return rounds >= 6; },
        [&]() -> Status {
          ++rounds;
          if (rounds == 3) return {};  // progress in between
          return fail(Errc::retry, "down");
        },
        [&](unsigned n, const Error& error, Millis wait) {
          CHECK(error.code == Errc::retry);
          CHECK(wait <= 40ms);
          setbacks.push_back(n);
        });
    CHECK(rounds == 6);
    CHECK(setbacks == std::vector<unsigned>{1, 2, 1, 2, 3});
  }

  TEST_CASE("a wait ends early when stop turns true") {
    BackoffPolicy slow = quick();
    slow.initial_delay = 60s;
    slow.max_delay = 60s;
    PollSchedule schedule(slow, PollSchedule::Floor::initial_delay);
    const auto started = std::chrono::steady_clock::now();
    int rounds = 0;
    poll_until(
        schedule, [&] { return rounds >= 1 && std::chrono::steady_clock::now() - started > 100ms; },
        [&]() -> Status {
          ++rounds;
          return fail(Errc::retry, "down");
        });
    CHECK(rounds == 1);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
  }
}
