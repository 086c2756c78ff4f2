#include "routes_fixture.hpp"

using namespace vps::test::enroll;
using Json = nlohmann::json;

TEST_SUITE("enroll::routes::bundles") {
  TEST_CASE("an approved host fetches its own bundle; others cannot") {
    ApiFixture f;
    auto web = key_pair();
    auto db = key_pair();
    REQUIRE(f.publish(web, "web1", f.token_for("web1")).status == 201);
    REQUIRE(f.publish(db, "db1", f.token_for("db1")).status == 201);
    auto put = f.op("PUT", "/v1/hosts/web1/bundles/app.age", k_age_ciphertext);
    REQUIRE(put.status == 201);
    auto list = f.as(web, "GET", "/v1/hosts/web1/bundles");
    CHECK(list.status == 200);
    CHECK(Json::parse(list.body)["bundles"].size() == 1);
    auto got = f.as(web, "GET", "/v1/hosts/web1/bundles/app.age");
    CHECK(got.status == 200);
    CHECK(got.body == k_age_ciphertext);
    CHECK(got.header("X-Vps-Sha256").has_value());
    CHECK(f.as(db, "GET", "/v1/hosts/web1/bundles/app.age").status == 403);
    CHECK(f.as(db, "GET", "/v1/hosts/web1/bundles").status == 403);
    CHECK(f.as(key_pair(), "GET", "/v1/hosts/web1/bundles").status == 403);
    CHECK(f.as(web, "GET", "/v1/hosts/web1/bundles/missing.age").status == 404);
  }

  TEST_CASE("a pending host cannot fetch yet") {
    ApiFixture f;
    auto web = key_pair();
    REQUIRE(f.publish(web, "web1").status == 202);
    REQUIRE(f.op("PUT", "/v1/hosts/web1/bundles/app.age", k_age_ciphertext).status == 201);
    CHECK(f.as(web, "GET", "/v1/hosts/web1/bundles/app.age").status == 403);
  }

  TEST_CASE("only operators upload, only ciphertext, only valid names") {
    ApiFixture f;
    auto web = key_pair();
    REQUIRE(f.publish(web, "web1", f.token_for("web1")).status == 201);
    auto before = f.snap();
    CHECK(f.as(web, "PUT", "/v1/hosts/web1/bundles/app.age", k_age_ciphertext).status == 403);
    CHECK(f.op("PUT", "/v1/hosts/web1/bundles/app.yaml", "password: hunter2\n").status == 415);
    CHECK(f.op("PUT", "/v1/hosts/web1/bundles/..", k_age_ciphertext).status == 400);
    CHECK(f.op("PUT", "/v1/hosts/web1/bundles/.env", k_age_ciphertext).status == 400);
    CHECK(f.op("PUT", "/v1/hosts/web1/bundles/a/b", k_age_ciphertext).status == 404);
    CHECK(f.op("PUT", "/v1/hosts/ghost/bundles/app.age", k_age_ciphertext).status == 404);
    CHECK(f.snap() == before);
  }

  TEST_CASE("uploads are audited and a sops file is accepted") {
    ApiFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status == 202);
    const std::string sops = "password: ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]\nsops:\n  mac: x\n";
    REQUIRE(f.op("PUT", "/v1/hosts/web1/bundles/app.yaml", sops).status == 201);
    auto audit = f.db->audit_for("web1", 10).value();
    REQUIRE(!audit.empty());
    CHECK(audit[0].action == "push");
  }
}
