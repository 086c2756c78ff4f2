// Bounds on unauthenticated publications over an in-memory store with a settable clock: the
// per-source rate limit, the pending caps (per source and overall) and their refusals, which
// reveal nothing about the name and store nothing.
#include "routes_fixture.hpp"

using namespace vps;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

vps::enroll::routes::Policy small_caps() {
  vps::enroll::routes::Policy policy;
  policy.max_pending = 4;
  policy.max_pending_per_address = 2;
  return policy;
}

}  // namespace

TEST_SUITE("enroll::routes::publish limits") {
  TEST_CASE("one source address holds at most 100 pending keys, more are refused with 429 and Retry-After") {
    ApiFixture f;
    for (int i = 0; i < 100; ++i) {
      f.now += 2;  // stay inside the publication rate limit
      REQUIRE(f.publish(key_pair(), "h" + std::to_string(i)).status / 100 == 2);
    }
    f.now += 2;
    const auto before = f.snap();
    auto fresh = f.publish(key_pair(), "h100");
    f.now += 2;
    auto taken = f.publish(key_pair(), "h0");
    CHECK(fresh.status == 429);
    CHECK(fresh.header("Retry-After"));
    CHECK(taken.status == fresh.status);
    CHECK(taken.body == fresh.body);
    CHECK(f.snap() == before);
    // Other addresses are not affected.
    CHECK(f.publish_from("192.0.2.7", key_pair(), "h100").status / 100 == 2);
  }

  TEST_CASE("the overall cap answers 503 with Retry-After, for new and taken names alike") {
    ApiFixture f(small_caps());
    REQUIRE(f.publish_from("192.0.2.1", key_pair(), "a1").status == 202);
    REQUIRE(f.publish_from("192.0.2.1", key_pair(), "a2").status == 202);
    REQUIRE(f.publish_from("192.0.2.2", key_pair(), "b1").status == 202);
    REQUIRE(f.publish_from("192.0.2.2", key_pair(), "a1").status == 202);  // flagged: counts too
    const auto before = f.snap();
    auto fresh = f.publish_from("192.0.2.3", key_pair(), "c1");
    auto taken = f.publish_from("192.0.2.3", key_pair(), "a2");
    CHECK(fresh.status == 503);
    CHECK(fresh.header("Retry-After") == "300");
    CHECK(taken.status == 503);
    CHECK(taken.body == fresh.body);
    CHECK(error_of(fresh).find("waiting for an operator's decision (limit 4)") != std::string::npos);
    CHECK(f.snap() == before);
    // Deciding frees room: an approved key no longer waits.
    REQUIRE(f.op("POST", "/v1/hosts/b1/approve").status == 200);
    CHECK(f.publish_from("192.0.2.3", key_pair(), "c1").status == 202);
  }

  TEST_CASE("the caps spare keys already held and token-backed publications") {
    ApiFixture f(small_caps());
    auto held = key_pair();
    REQUIRE(f.publish(held, "a1").status == 202);
    REQUIRE(f.publish(key_pair(), "a2").status == 202);
    REQUIRE(f.publish(key_pair(), "a3").status == 429);
    CHECK(f.publish(held, "a1").status == 202);  // its own key again: nothing new to hold
    auto with_token = f.publish(key_pair(), "t1", f.token_for("t1"));
    CHECK(with_token.status == 201);
    CHECK(Json::parse(with_token.body)["status"] == "approved");
  }

  TEST_CASE("an IPv6 client counts as its /64") {
    ApiFixture f(small_caps());
    REQUIRE(f.publish_from("2001:db8:1:2::a", key_pair(), "v1").status == 202);
    REQUIRE(f.publish_from("2001:db8:1:2::b", key_pair(), "v2").status == 202);
    CHECK(f.publish_from("2001:db8:1:2:ffff::c", key_pair(), "v3").status == 429);
    CHECK(f.publish_from("2001:db8:1:3::a", key_pair(), "v3").status == 202);
    auto stored = f.db->find_enrollment("v1", f.db->find_host("v1").value()->key.fingerprint).value();
    REQUIRE(stored);
    CHECK(stored->remote_address == "2001:db8:1:2::a");
    CHECK(stored->source == "2001:db8:1:2::/64");
  }

  TEST_CASE("the rate limit refuses before parsing, stores nothing and refills with time") {
    ApiFixture f;  // 30 a minute, bursts of 30
    for (int i = 0; i < 30; ++i) REQUIRE(f.publish(key_pair(), "r" + std::to_string(i)).status == 202);
    const auto before = f.snap();
    const auto nonces = f.db->nonce_count().value();
    auto limited = f.publish(key_pair(), "r30");
    CHECK(limited.status == 429);
    CHECK(limited.header("Retry-After") == "2");
    CHECK(error_of(limited).find("too many publications from this source address") != std::string::npos);
    CHECK(f.api.handle(publish_request("not even JSON")).status == 429);  // not parsed at all
    CHECK(f.snap() == before);
    CHECK(f.db->nonce_count().value() == nonces);
    f.now += 2;
    CHECK(f.publish(key_pair(), "r30").status == 202);
    // Operators are not rate limited by it.
    CHECK(f.op("GET", "/v1/hosts").status == 200);
  }

  TEST_CASE("refusals are audited at most once per kind and ten minutes, with the count left out") {
    ApiFixture f(small_caps());
    REQUIRE(f.publish(key_pair(), "a1").status == 202);
    REQUIRE(f.publish(key_pair(), "a2").status == 202);
    const auto count = f.db->audit_count().value();
    for (int i = 0; i < 20; ++i) REQUIRE(f.publish(key_pair(), "x" + std::to_string(i)).status == 429);
    CHECK(f.db->audit_count().value() == count + 1);
    f.now += 600;
    REQUIRE(f.publish(key_pair(), "y").status == 429);
    CHECK(f.db->audit_count().value() == count + 2);
    auto entries = f.db->audit_for("y", 1).value();
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].action == "publish-refused");
    CHECK(entries[0].actor == "source:127.0.0.1");
    CHECK(entries[0].detail.find("19 more refusal(s) of this kind since the last entry") != std::string::npos);
  }
}
