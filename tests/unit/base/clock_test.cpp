// base/clock: the strict UTC times operators type (`vps-enroll audit --since`).
#include <doctest/doctest.h>

#include <vps/base/clock.hpp>

using namespace vps;

TEST_SUITE("base::clock") {
  TEST_CASE("parse_utc: a date is its midnight UTC, a time needs the Z") {
    CHECK(clock::parse_utc("1970-01-01") == 0);
    CHECK(clock::parse_utc("2026-12-01") == 1796083200);
    CHECK(clock::parse_utc("2026-12-01T08:00:00Z") == 1796083200 + 8 * 3600);
    CHECK(clock::parse_utc("2024-02-29T23:59:59Z") == 1709251199);
    CHECK(clock::utc_readable(*clock::parse_utc("2026-11-27T03:30:00Z")) == "2026-11-27 03:30:00 UTC");
  }

  TEST_CASE("parse_utc: anything else is nullopt") {
    for (const char* bad : {"", "2026-12-1", "2026-13-01", "2025-02-29", "2026-12-01T08:00:00", "2026-12-01T24:00:00Z",
                            "2026-12-01 08:00:00Z", "2026-12-01T08:00:00+01:00", "x026-12-01", "2026-12-01T08:60:00Z"})
      CHECK_MESSAGE(!clock::parse_utc(bad), bad);
  }
}
