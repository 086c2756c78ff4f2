#include "routes_fixture.hpp"

using namespace vps::test::enroll;

TEST_SUITE("enroll::routes::publish") {
  TEST_CASE("a new host without a token is pending (202), re-publishing is idempotent") {
    ApiFixture f;
    auto host = key_pair();
    auto first = f.publish(host, "web1");
    CHECK(first.status == 202);
    CHECK(nlohmann::json::parse(first.body)["status"] == "pending");
    auto before = f.snap();
    f.now += 10;
    auto again = f.publish(host, "Web1");  // hostname case does not matter
    CHECK(again.status == 202);
    CHECK(nlohmann::json::parse(again.body)["status"] == "pending");
    CHECK(f.db->list_hosts().value().size() == 1);
    CHECK(f.db->enrollments_for("web1").value().size() == 1);
    CHECK(f.db->find_host("web1").value()->last_seen_at == k_now + 10);
    CHECK(before != f.snap());  // only last_seen moved
  }

  TEST_CASE("a valid token approves at once and is single use") {
    ApiFixture f;
    const std::string token = f.token_for("web1");
    auto r = f.publish(key_pair(), "web1", token);
    CHECK(r.status == 201);
    CHECK(nlohmann::json::parse(r.body)["status"] == "approved");
    CHECK(f.db->find_host("web1").value()->decided_by == "token");
    // Same token, another key for another host: refused, nothing changes.
    auto before = f.snap();
    auto reused = f.publish(key_pair(), "web2", token);
    CHECK(reused.status == 403);
    CHECK(f.snap() == before);
  }

  TEST_CASE("expired, unknown and other-host tokens get the same refusal") {
    ApiFixture f;
    const std::string expiring = f.token_for("web1", 60);
    const std::string other = f.token_for("web9");
    auto before = f.snap();
    f.now += 61;
    auto expired = f.publish(key_pair(), "web1", expiring);
    auto unknown = f.publish(key_pair(), "web1", std::string(64, 'a'));
    auto wrong_host = f.publish(key_pair(), "web1", other);
    CHECK(expired.status == 403);
    CHECK(unknown.status == 403);
    CHECK(wrong_host.status == 403);
    CHECK(error_of(expired) == error_of(unknown));
    CHECK(error_of(unknown) == error_of(wrong_host));
    CHECK(f.snap() == before);
  }

  TEST_CASE("a different key for an approved host is flagged, answered as pending, and never replaces it") {
    ApiFixture f;
    auto real = key_pair();
    REQUIRE(f.publish(real, "web1", f.token_for("web1")).status == 201);
    auto intruder = key_pair();
    auto r = f.publish(intruder, "web1", f.token_for("web1"));
    CHECK(r.status == 202);
    CHECK(nlohmann::json::parse(r.body)["status"] == "pending");
    auto host = f.db->find_host("web1").value();
    CHECK(host->key.fingerprint == fingerprint(real));
    CHECK(host->status == vps::enroll::store::HostStatus::approved);
    CHECK(f.db->count_flagged("web1").value() == 1);
    // The real host keeps working.
    CHECK(f.publish(real, "web1").status == 200);
  }

  TEST_CASE("a different key for a pending host is flagged too") {
    ApiFixture f;
    auto first = key_pair();
    REQUIRE(f.publish(first, "web1").status == 202);
    CHECK(f.publish(key_pair(), "web1").status == 202);
    CHECK(f.db->find_host("web1").value()->key.fingerprint == fingerprint(first));
  }

  TEST_CASE("after a reject the host may publish a new key, which is pending") {
    ApiFixture f;
    auto old_key = key_pair();
    REQUIRE(f.publish(old_key, "web1").status == 202);
    REQUIRE(f.op("POST", "/v1/hosts/web1/reject").status == 200);
    CHECK(f.publish(old_key, "web1").status == 403);  // the rejected key stays rejected
    auto new_key = key_pair();
    CHECK(f.publish(new_key, "web1").status == 202);
    CHECK(f.status_of("web1") == "pending");
    CHECK(f.db->find_host("web1").value()->key.fingerprint == fingerprint(new_key));
  }

  TEST_CASE("replayed, stale, future and tampered publications change nothing") {
    ApiFixture f;
    auto host = key_pair();
    const std::string body = publication_body(host, "web1", f.now);
    REQUIRE(f.api.handle(publish_request(body)).status == 202);
    auto before = f.snap();
    CHECK(f.api.handle(publish_request(body)).status == 401);  // replay
    CHECK(f.api.handle(publish_request(publication_body(host, "web1", f.now - 301))).status == 401);
    CHECK(f.api.handle(publish_request(publication_body(host, "web1", f.now + 301))).status == 401);
    std::string tampered = publication_body(key_pair(), "web2", f.now);
    tampered.replace(tampered.find("12345678"), 8, "87654321");
    CHECK(f.api.handle(publish_request(tampered)).status == 401);
    CHECK(f.api.handle(publish_request("{\"publication\":")).status == 400);
    CHECK(f.api.handle(publish_request(std::string(20000, ' '))).status == 413);
    CHECK(f.snap() == before);
  }

  TEST_CASE("publishing is audited") {
    ApiFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status == 202);
    auto audit = f.db->audit_for("web1", 10).value();
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].action == "publish");
    CHECK(audit[0].actor == "host:web1");
  }
}
