#include <doctest/doctest.h>

#include <vps/base/duration.hpp>

using namespace vps;
using namespace std::chrono_literals;

TEST_SUITE("base::duration") {
  TEST_CASE("the one grammar: a whole number with ms, s, m, h or d, or bare seconds") {
    CHECK(parse_duration("500ms").value() == 500ms);
    CHECK(parse_duration("30s").value() == 30s);
    CHECK(parse_duration("90").value() == 90s);
    CHECK(parse_duration("5m").value() == 5min);
    CHECK(parse_duration("1h").value() == 1h);
    CHECK(parse_duration("7d").value() == 168h);
    CHECK(parse_duration("0").value() == 0ms);
  }

  TEST_CASE("anything else is malformed, saying what is accepted") {
    for (const char* bad : {"", "s", "1.5s", "-1s", "+1s", " 1s", "1s ", "1 s", "1h30m", "1S", "1sec", "1w",
                            "99999999999s", "1001d"}) {
      auto parsed = parse_duration(bad);
      REQUIRE_MESSAGE(!parsed, bad);
      CHECK(parsed.error().code == Errc::malformed);
    }
    CHECK(parse_duration("1x").error().message == "'1x' is not a duration like 500ms, 30s, 5m, 1h or 7d");
  }

  TEST_CASE("bounds name both ends in the grammar") {
    CHECK(parse_duration("2h", 1s, 1h).error().message == "'2h' is not between 1s and 1h");
    CHECK(parse_duration("1h", 1s, 1h).value() == 1h);
    CHECK(!parse_duration("0", 1s, 1h));
  }

  TEST_CASE("format_duration gives the shortest exact spelling, which parses back") {
    CHECK(format_duration(90s) == "90s");
    CHECK(format_duration(1h) == "1h");
    CHECK(format_duration(1500ms) == "1500ms");
    CHECK(format_duration(24h) == "1d");
    CHECK(format_duration(0ms) == "0s");
    for (auto d : {Millis(1), Millis(999), Millis(60000), Millis(86400000 * 3LL), Millis(3600000 + 1000)}) {
      CHECK(parse_duration(format_duration(d)).value() == d);
    }
  }

  TEST_CASE("describe_duration is for people") {
    CHECK(describe_duration(340ms) == "340 ms");
    CHECK(describe_duration(2500ms) == "2.5 s");
    CHECK(describe_duration(4200ms) == "4.2 s");
  }
}
