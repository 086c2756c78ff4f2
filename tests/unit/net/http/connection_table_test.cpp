// The server's admission and eviction decisions, without sockets.
#include <doctest/doctest.h>

#include <vps/net/http/connection_table.hpp>

using vps::net::http::ConnectionTable;
using Verdict = ConnectionTable::Verdict;

TEST_SUITE("net::http::ConnectionTable") {
  TEST_CASE("an address at its cap is refused: other addresses are not") {
    ConnectionTable table({8, 2});
    CHECK(table.admit("127.0.0.2").verdict == Verdict::admitted);
    CHECK(table.admit("127.0.0.2").verdict == Verdict::admitted);
    const auto third = table.admit("127.0.0.2");
    CHECK(third.verdict == Verdict::address_full);
    CHECK_FALSE(third.evicted);
    CHECK(table.count("127.0.0.2") == 2);
    CHECK(table.admit("127.0.0.3").verdict == Verdict::admitted);
    CHECK(table.size() == 3);
  }

  TEST_CASE("a closed connection frees its address's slot, once") {
    ConnectionTable table({8, 1});
    const auto first = table.admit("::1");
    REQUIRE(first.verdict == Verdict::admitted);
    CHECK(table.admit("::1").verdict == Verdict::address_full);
    table.remove(first.id);
    table.remove(first.id);  // idempotent
    CHECK(table.count("::1") == 0);
    CHECK(table.size() == 0);
    CHECK(table.admit("::1").verdict == Verdict::admitted);
  }

  TEST_CASE("when full, the longest-idle connection makes room") {
    ConnectionTable table({3, 3});
    const auto a = table.admit("10.0.0.1");
    const auto b = table.admit("10.0.0.2");
    const auto c = table.admit("10.0.0.3");
    // a starts a request and goes back to idle after its response: it is now the newest idle.
    table.set_idle(a.id, false);
    table.set_idle(a.id, true);
    const auto d = table.admit("10.0.0.4");
    REQUIRE(d.verdict == Verdict::admitted);
    REQUIRE(d.evicted);
    CHECK(d.evicted->id == b.id);
    CHECK(d.evicted->address == "10.0.0.2");
    CHECK(table.size() == 3);
    CHECK(table.count("10.0.0.2") == 0);
    const auto e = table.admit("10.0.0.5");
    REQUIRE(e.evicted);
    CHECK(e.evicted->id == c.id);
    table.remove(c.id);  // the evicted session closing later changes nothing
    CHECK(table.size() == 3);
  }

  TEST_CASE("idle again keeps its place in the eviction order") {
    ConnectionTable table({2, 2});
    const auto a = table.admit("x");
    const auto b = table.admit("y");
    table.set_idle(a.id, true);  // already idle since admission: still the oldest
    const auto c = table.admit("z");
    REQUIRE(c.evicted);
    CHECK(c.evicted->id == a.id);
    CHECK(table.count("y") == 1);
    (void)b;
  }

  TEST_CASE("busy connections are never evicted: all busy refuses the newcomer") {
    ConnectionTable table({2, 2});
    const auto a = table.admit("x");
    const auto b = table.admit("y");
    table.set_idle(a.id, false);  // reading or handled
    table.set_idle(b.id, false);  // parked long poll
    CHECK(table.idle_count() == 0);
    const auto c = table.admit("z");
    CHECK(c.verdict == Verdict::all_busy);
    CHECK_FALSE(c.evicted);
    CHECK(table.size() == 2);
    table.set_idle(b.id, true);
    const auto d = table.admit("z");
    REQUIRE(d.evicted);
    CHECK(d.evicted->id == b.id);
  }

  TEST_CASE("the per-address cap is checked before eviction") {
    // A flooding address at its cap cannot push others out by opening more.
    ConnectionTable table({2, 1});
    REQUIRE(table.admit("operator").verdict == Verdict::admitted);
    REQUIRE(table.admit("flood").verdict == Verdict::admitted);
    const auto more = table.admit("flood");
    CHECK(more.verdict == Verdict::address_full);
    CHECK_FALSE(more.evicted);
    CHECK(table.count("operator") == 1);
  }
}
