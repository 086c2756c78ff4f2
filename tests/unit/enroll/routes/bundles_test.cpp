#include "routes_fixture.hpp"

using namespace vps::test::enroll;
using Json = nlohmann::json;

TEST_SUITE("enroll::routes::bundles") {
  TEST_CASE("an approved host fetches its own bundle: others cannot") {
    ApiFixture f;
    auto web = key_pair();
    auto db = key_pair();
    REQUIRE(f.publish(web, "web1", f.token_for("web1")).status == 201);
    REQUIRE(f.publish(db, "db1", f.token_for("db1")).status == 201);
    auto put = f.push("web1", "app.age", k_age_ciphertext);
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
    REQUIRE(f.push("web1", "app.age", k_age_ciphertext).status == 201);
    CHECK(f.as(web, "GET", "/v1/hosts/web1/bundles/app.age").status == 403);
  }

  TEST_CASE("only operators upload, only ciphertext, only valid names") {
    ApiFixture f;
    auto web = key_pair();
    REQUIRE(f.publish(web, "web1", f.token_for("web1")).status == 201);
    auto before = f.snap();
    const std::string key = fingerprint(web);
    CHECK(f.api.handle(signed_upload(web, "web1", key, "app.age", k_age_ciphertext, f.now * 1000, f.now)).status == 403);
    CHECK(f.push("web1", "app.yaml", "password: hunter2\n").status == 415);
    CHECK(f.op("PUT", "/v1/hosts/web1/bundles/..", k_age_ciphertext).status == 400);
    CHECK(f.op("PUT", "/v1/hosts/web1/bundles/.env", k_age_ciphertext).status == 400);
    CHECK(f.op("PUT", "/v1/hosts/web1/bundles/a/b", k_age_ciphertext).status == 404);
    CHECK(f.push("ghost", "app.age", k_age_ciphertext).status == 404);
    CHECK(f.snap() == before);
  }

  TEST_CASE("uploads are audited and a sops file is accepted") {
    ApiFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status == 202);
    const std::string sops = "password: ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]\nsops:\n  mac: x\n";
    REQUIRE(f.push("web1", "app.yaml", sops).status == 201);
    auto audit = f.db->audit_for("web1", 10).value();
    REQUIRE(!audit.empty());
    CHECK(audit[0].action == "push");
  }

  TEST_CASE("an upload needs a manifest the caller signed for exactly these bytes, this host key and a newer sequence") {
    ApiFixture f;
    auto web = key_pair();
    REQUIRE(f.publish(web, "web1", f.token_for("web1")).status == 201);
    const std::string key = fingerprint(web);
    const std::int64_t seq = f.now * 1000;
    auto before = f.snap();
    // No manifest at all.
    auto bare = f.op("PUT", "/v1/hosts/web1/bundles/app.age", k_age_ciphertext);
    CHECK(bare.status == 400);
    CHECK(error_of(bare).find("operator-signed manifest") != std::string::npos);
    // Signed by an operator the endpoint knows, but not the caller.
    auto bob = key_pair();
    auto mixed = signed_request(f.alice, "PUT", "/v1/hosts/web1/bundles/app.age", k_age_ciphertext, f.now);
    for (auto& h : manifest_headers(bob, "web1", key, "app.age", k_age_ciphertext, seq)) mixed.headers.push_back(h);
    CHECK(f.api.handle(mixed).status == 403);
    // Another content, name, host or host key than the manifest says.
    auto other_bytes = signed_request(f.alice, "PUT", "/v1/hosts/web1/bundles/app.age", k_age_ciphertext, f.now);
    for (auto& h : manifest_headers(f.alice, "web1", key, "app.age", std::string(k_age_ciphertext) + "x", seq))
      other_bytes.headers.push_back(h);
    CHECK(f.api.handle(other_bytes).status == 400);
    auto other_name = signed_request(f.alice, "PUT", "/v1/hosts/web1/bundles/app.age", k_age_ciphertext, f.now);
    for (auto& h : manifest_headers(f.alice, "web1", key, "db.age", k_age_ciphertext, seq)) other_name.headers.push_back(h);
    CHECK(f.api.handle(other_name).status == 409);
    CHECK(f.api.handle(signed_upload(f.alice, "web1", fingerprint(key_pair()), "app.age", k_age_ciphertext, seq, f.now))
              .status == 409);
    // A sequence that would lock out every later push.
    CHECK(f.push("web1", "app.age", k_age_ciphertext, INT64_MAX).status == 409);
    CHECK(f.snap() == before);
    // Accepted, listed with its manifest; the same or an older sequence is refused afterwards.
    REQUIRE(f.push("web1", "app.age", k_age_ciphertext, seq).status == 201);
    auto list = Json::parse(f.as(web, "GET", "/v1/hosts/web1/bundles").body)["bundles"];
    REQUIRE(list.size() == 1);
    CHECK(list[0]["sequence"] == seq);
    CHECK(list[0]["manifest"].get<std::string>().starts_with("vps-bundle/v1\nhost: web1\nhost-key: " + key + "\n"));
    CHECK(list[0]["signature"].get<std::string>().size() == 88);
    CHECK(f.push("web1", "app.age", k_age_ciphertext, seq).status == 409);
    CHECK(f.push("web1", "app.age", k_age_ciphertext, seq - 1).status == 409);
    CHECK(f.push("web1", "app.age", k_age_ciphertext, seq + 1).status == 201);
  }
}
