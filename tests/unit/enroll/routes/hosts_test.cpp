#include "routes_fixture.hpp"

using namespace vps::test::enroll;
using Json = nlohmann::json;

TEST_SUITE("enroll::routes::hosts") {
  TEST_CASE("approve refuses a fingerprint mismatch and accepts the right one") {
    ApiFixture f;
    auto host = key_pair();
    REQUIRE(f.publish(host, "web1").status == 202);
    auto before = f.snap();
    auto wrong = f.op("POST", "/v1/hosts/web1/approve", Json{{"fingerprint", fingerprint(key_pair())}}.dump());
    CHECK(wrong.status == 409);
    CHECK(f.snap() == before);
    auto right = f.op("POST", "/v1/hosts/web1/approve", Json{{"fingerprint", fingerprint(host)}}.dump());
    CHECK(right.status == 200);
    CHECK(f.status_of("web1") == "approved");
    CHECK(f.db->find_host("web1").value()->decided_by == "alice");
    auto audit = f.db->audit_for("web1", 10).value();
    REQUIRE(!audit.empty());
    CHECK(audit[0].action == "approve");
    CHECK(audit[0].actor == "operator:alice");
  }

  TEST_CASE("approve without a body works and is idempotent") {
    ApiFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status == 202);
    CHECK(f.op("POST", "/v1/hosts/web1/approve").status == 200);
    auto again = f.op("POST", "/v1/hosts/web1/approve");
    CHECK(again.status == 200);
    CHECK(Json::parse(again.body)["changed"] == false);
  }

  TEST_CASE("operator routes need an operator signature") {
    ApiFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status == 202);
    auto before = f.snap();
    vps::net::http::Request unsigned_request;
    unsigned_request.method = "POST";
    unsigned_request.target = "/v1/hosts/web1/approve";
    CHECK(f.api.handle(unsigned_request).status == 401);
    auto stranger = f.as(key_pair(), "POST", "/v1/hosts/web1/approve");
    CHECK(stranger.status == 403);
    CHECK(error_of(stranger).find("not an authorized operator") != std::string::npos);
    auto bad = signed_request(f.alice, "POST", "/v1/hosts/web1/approve", "", f.now);
    bad.body = "{}";
    CHECK(f.api.handle(bad).status == 401);
    CHECK(f.as(key_pair(), "GET", "/v1/hosts").status == 403);
    CHECK(f.as(key_pair(), "POST", "/v1/tokens", Json{{"host", "web1"}, {"ttl_seconds", 600}}.dump()).status == 403);
    CHECK(f.snap() == before);
  }

  TEST_CASE("a host cannot approve itself") {
    ApiFixture f;
    auto host = key_pair();
    REQUIRE(f.publish(host, "web1").status == 202);
    CHECK(f.as(host, "POST", "/v1/hosts/web1/approve").status == 403);
    CHECK(f.status_of("web1") == "pending");
  }

  TEST_CASE("list and show") {
    ApiFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status == 202);
    REQUIRE(f.publish(key_pair(), "db1").status == 202);
    auto list = Json::parse(f.op("GET", "/v1/hosts").body);
    REQUIRE(list["hosts"].size() == 2);
    CHECK(list["hosts"][0]["name"] == "db1");
    auto show = f.op("GET", "/v1/hosts/web1");
    CHECK(show.status == 200);
    CHECK(Json::parse(show.body)["enrollments"].size() == 1);
    CHECK(f.op("GET", "/v1/hosts/nope").status == 404);
  }

  TEST_CASE("a host may read its own status, not another's") {
    ApiFixture f;
    auto web = key_pair();
    auto db = key_pair();
    REQUIRE(f.publish(web, "web1").status == 202);
    REQUIRE(f.publish(db, "db1").status == 202);
    auto own = f.as(web, "GET", "/v1/hosts/web1/status");
    CHECK(own.status == 200);
    CHECK(Json::parse(own.body)["status"] == "pending");
    CHECK(f.as(web, "GET", "/v1/hosts/db1/status").status == 403);
    CHECK(f.as(web, "GET", "/v1/hosts/ghost/status").status == 403);
  }

  TEST_CASE("bad paths, names, methods and bodies") {
    ApiFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status == 202);
    auto before = f.snap();
    CHECK(f.op("GET", "/v1/hosts/../etc").status == 400);
    CHECK(f.op("GET", "/v1/hosts/%2e%2e").status == 400);
    CHECK(f.op("GET", "/v1/hosts/Web1").status == 400);
    CHECK(f.op("GET", "/v1/hosts/.hidden").status == 400);
    CHECK(f.op("GET", "/v1/hosts/web1/").status == 400);
    CHECK(f.op("GET", "/v1/hosts?x=1").status == 400);
    CHECK(f.op("GET", "/v1/nothing").status == 404);
    CHECK(f.op("DELETE", "/v1/hosts/web1").status == 405);
    CHECK(f.op("POST", "/v1/hosts/web1/approve", "{not json").status == 400);
    CHECK(f.op("POST", "/v1/hosts/web1/approve", "[]").status == 400);
    CHECK(f.op("POST", "/v1/hosts/web1/approve", R"({"fingerprint":"a","fingerprint":"b"})").status == 400);
    CHECK(f.op("POST", "/v1/hosts/web1/approve", R"({"extra":1})").status == 400);
    CHECK(f.op("POST", "/v1/hosts/web1/approve", std::string(70 * 1024, ' ')).status == 413);
    CHECK(f.op("POST", "/v1/tokens", R"({"host":"../x","ttl_seconds":600})").status == 400);
    CHECK(f.op("POST", "/v1/tokens", R"({"host":"web1","ttl_seconds":1})").status == 400);
    CHECK(f.snap() == before);
  }

  TEST_CASE("the host list pages in name order: limit, after, status, next") {
    ApiFixture f;
    for (const char* name : {"d1", "a1", "c1", "b1", "e1"}) REQUIRE(f.publish(key_pair(), name).status == 202);
    REQUIRE(f.op("POST", "/v1/hosts/c1/approve").status == 200);
    auto page = [&](const std::string& target) {
      auto r = f.op("GET", target);
      REQUIRE_MESSAGE(r.status == 200, r.body);
      auto body = Json::parse(r.body);
      std::string names;
      for (const auto& h : body["hosts"]) names += h["name"].get<std::string>() + " ";
      return names + "next=" + (body["next"].is_null() ? "null" : body["next"].get<std::string>());
    };
    CHECK(page("/v1/hosts") == "a1 b1 c1 d1 e1 next=null");
    CHECK(page("/v1/hosts?limit=2") == "a1 b1 next=b1");
    CHECK(page("/v1/hosts?limit=2&after=b1") == "c1 d1 next=d1");
    CHECK(page("/v1/hosts?after=d1&limit=2") == "e1 next=null");
    CHECK(page("/v1/hosts?limit=5") == "a1 b1 c1 d1 e1 next=null");  // exactly full: no next
    CHECK(page("/v1/hosts?after=bz") == "c1 d1 e1 next=null");       // a name that does not exist
    CHECK(page("/v1/hosts?status=pending&limit=3") == "a1 b1 d1 next=d1");
    CHECK(page("/v1/hosts?status=approved") == "c1 next=null");
    CHECK(page("/v1/hosts?status=rejected") == "next=null");
    auto bad = f.op("GET", "/v1/hosts?limit=1001");
    CHECK(bad.status == 400);
    CHECK(error_of(bad) == "invalid query: 'limit' must be from 1 to 1000");
    CHECK(error_of(f.op("GET", "/v1/hosts?sort=name")) ==
          "invalid query: unknown query parameter 'sort' (this path accepts: limit, after, status)");
    CHECK(f.op("GET", "/v1/hosts/a1?limit=1").status == 400);
    CHECK(f.op("GET", "/v1/hosts/a1/rebuilds/next?wait=61").status == 400);
    CHECK(f.op("GET", "/v1/hosts/a1/rebuilds?wait=5").status == 400);
  }

  TEST_CASE("without a limit a page holds 1000 hosts") {
    ApiFixture f;
    for (int i = 0; i < 1001; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "h%04d", i);
      vps::enroll::store::HostRecord host;
      host.name = name;
      host.created_at = host.updated_at = host.last_seen_at = f.now;
      REQUIRE(f.db->insert_host(host));
    }
    auto r = f.op("GET", "/v1/hosts");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto body = Json::parse(r.body);
    CHECK(body["hosts"].size() == 1000);
    CHECK(body["next"] == "h0999");
  }
}
