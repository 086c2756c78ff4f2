// The Api prunes the nonce cache and old audit entries on the request path, at most hourly.
#include "routes_fixture.hpp"

using namespace vps;
using namespace vps::test::enroll;

namespace {
constexpr std::int64_t k_day = 24 * 3600;
}

TEST_SUITE("enroll::routes::Api retention") {
  TEST_CASE("audit entries older than the retention are pruned: recent ones stay") {
    ApiFixture f;
    REQUIRE(f.db->append_audit({0, k_now - 400 * k_day, "operator:alice", "approve", "old", ""}));
    REQUIRE(f.db->append_audit({0, k_now - 300 * k_day, "operator:alice", "approve", "recent", ""}));
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);
    CHECK(f.db->audit_for("old", 10).value().empty());
    CHECK(f.db->audit_for("recent", 10).value().size() == 1);
  }

  TEST_CASE("the nonce cache keeps only nonces inside the clock-skew window") {
    ApiFixture f;
    for (int i = 0; i < 5; ++i) REQUIRE(f.op("GET", "/v1/hosts").status == 200);
    CHECK(f.db->nonce_count().value() == 5);
    f.now += 2 * 3600;  // past every nonce's expiry (timestamp + skew + 60 s) and the prune interval
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);
    CHECK(f.db->nonce_count().value() == 1);  // only this request's
  }

  TEST_CASE("pruning runs at most once per interval") {
    ApiFixture f;
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);  // first request prunes (nothing yet)
    REQUIRE(f.db->append_audit({0, k_now - 400 * k_day, "operator:alice", "approve", "old", ""}));
    f.now += 60;
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);
    CHECK(f.db->audit_for("old", 10).value().size() == 1);  // not yet due
    f.now += 3600;
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);
    CHECK(f.db->audit_for("old", 10).value().empty());
  }

  TEST_CASE("the retention is configurable") {
    ApiFixture f;
    vps::enroll::routes::Policy policy = test_policy();
    policy.audit_retention_days = 7;
    vps::enroll::routes::Api api{*f.db, vps::enroll::auth::Operators::parse(public_line(f.alice, "alice") + "\n", "ops").value(),
                                 policy, [&] { return f.now; }};
    REQUIRE(f.db->append_audit({0, k_now - 8 * k_day, "operator:alice", "approve", "week-old", ""}));
    REQUIRE(api.handle(signed_request(f.alice, "GET", "/v1/hosts", "", f.now)).status == 200);
    CHECK(f.db->audit_for("week-old", 10).value().empty());
  }
}
