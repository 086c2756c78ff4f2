// Pending entries nobody acts on expire: a pending host, or a flagged key, that has not been
// published again for the configured time (default 7 days) is removed by the hourly pruning,
// and each removal is audited. Decided hosts and hosts an operator invested in stay.
#include "routes_fixture.hpp"

using namespace vps;
using namespace vps::test::enroll;

namespace {
constexpr std::int64_t k_day = 24 * 3600;

bool has_action(ApiFixture& f, const std::string& target, const std::string& action) {
  const auto entries = f.db->audit_for(target, 50).value();
  for (const auto& entry : entries) {
    if (entry.action == action) return true;
  }
  return false;
}
}  // namespace

TEST_SUITE("enroll::routes::Api pending expiry") {
  TEST_CASE("a pending host not published again for 7 days expires, audited") {
    ApiFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status / 100 == 2);
    f.now += 6 * k_day;
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);  // prunes: 6 days is not yet 7
    CHECK(f.status_of("web1") == "pending");
    f.now += 2 * k_day;
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);
    CHECK(f.status_of("web1") == "absent");
    CHECK(f.db->enrollments_for("web1").value().empty());
    CHECK(has_action(f, "web1", "expire"));
  }

  TEST_CASE("a pending host that keeps publishing, approved and rejected hosts do not expire") {
    ApiFixture f;
    auto live = key_pair();
    REQUIRE(f.publish(live, "live").status / 100 == 2);
    REQUIRE(f.publish(key_pair(), "kept").status / 100 == 2);
    REQUIRE(f.publish(key_pair(), "gone").status / 100 == 2);
    REQUIRE(f.op("POST", "/v1/hosts/kept/approve").status == 200);
    REQUIRE(f.op("POST", "/v1/hosts/gone/reject").status == 200);
    for (int day = 0; day < 20; ++day) {
      f.now += k_day;
      REQUIRE(f.publish(live, "live").status / 100 == 2);
    }
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);
    CHECK(f.status_of("live") == "pending");
    CHECK(f.status_of("kept") == "approved");
    CHECK(f.status_of("gone") == "rejected");
  }

  TEST_CASE("a flagged key not published again for 7 days expires, the host and its key stay") {
    ApiFixture f;
    auto owner = key_pair();
    REQUIRE(f.publish(owner, "web1", f.token_for("web1")).status == 201);
    auto other = key_pair();
    REQUIRE(f.publish(other, "web1").status / 100 == 2);
    REQUIRE(f.db->count_flagged("web1").value() == 1);
    f.now += 8 * k_day;
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);
    CHECK(f.db->count_flagged("web1").value() == 0);
    CHECK(f.status_of("web1") == "approved");
    CHECK(f.db->find_host("web1").value()->key.fingerprint == fingerprint(owner));
    CHECK(has_action(f, "web1", "expire"));
  }

  TEST_CASE("a pending host an operator pushed a bundle to is kept") {
    ApiFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status / 100 == 2);
    REQUIRE(f.push("web1", "app.age", k_age_ciphertext).status == 201);
    f.now += 30 * k_day;
    REQUIRE(f.op("GET", "/v1/hosts").status == 200);
    CHECK(f.status_of("web1") == "pending");
  }
}
