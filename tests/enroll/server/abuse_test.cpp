// Unauthenticated enrollment against the real server (issue 16, item 4): the answer to a
// publication does not tell whether the name exists, one client cannot create hosts without
// bound (rate limit, pending caps per source address and overall), and the host list pages.
#include <algorithm>
#include <chrono>

#include "loopback_source.hpp"
#include "server_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

// What an outsider can compare between two answers: status, content type and the body with
// the echoes of its own request (name, its own fingerprint) replaced by placeholders.
std::string shape(const vps::net::http::Response& r, const std::string& name, const std::string& own_fingerprint) {
  Json body = Json::parse(r.body, nullptr, false);
  if (body.is_object()) {
    for (auto& [key, value] : body.items()) {
      if (value == name) value = "<name>";
      if (value == own_fingerprint) value = "<own fingerprint>";
    }
  }
  return std::to_string(r.status) + " " + std::string(r.header("Content-Type").value_or("")) + " " + body.dump();
}

std::string config_file(const TempDir& dir, const std::string& text) {
  write_text(dir / "serve.yaml", text);
  return (dir / "serve.yaml").string();
}

std::size_t host_count(ServerFixture& f) {
  auto store = vps::enroll::store::Store::open(f.db_path).value();
  return store->list_hosts().value().size();
}

}  // namespace

TEST_SUITE("enroll::server::abuse") {
  TEST_CASE("a new name and a name taken by another key get the same answer") {
    ServerFixture f;
    auto owner = key_pair();
    REQUIRE(f.publish(owner, "web1").status / 100 == 2);
    auto squatter = key_pair();
    auto stranger = key_pair();
    auto taken = f.publish(squatter, "web1");
    auto fresh = f.publish(stranger, "web2");
    CHECK(shape(taken, "web1", fingerprint(squatter)) == shape(fresh, "web2", fingerprint(stranger)));
    // Publishing again with the same keys tells no more: "web2" now holds the stranger's key,
    // "web1" still the owner's.
    auto taken_again = f.publish(squatter, "web1");
    auto fresh_again = f.publish(stranger, "web2");
    CHECK(shape(taken_again, "web1", fingerprint(squatter)) == shape(fresh_again, "web2", fingerprint(stranger)));
    auto store = vps::enroll::store::Store::open(f.db_path).value();
    CHECK(store->find_host("web1").value()->key.fingerprint == fingerprint(owner));
    // The other key is kept for the operators, as a flagged key of web1.
    auto keys = store->enrollments_for("web1").value();
    REQUIRE(keys.size() == 2);
    CHECK(keys[1].key.fingerprint == fingerprint(squatter));
    CHECK(keys[1].status == vps::enroll::store::EnrollmentStatus::flagged);
  }

  TEST_CASE("one client is rate limited per source address and nothing beyond the limit is stored") {
    ServerFixture f;  // default limits
    int accepted = 0;
    int limited = 0;
    std::string retry_after;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 60; ++i) {
      auto r = f.publish(key_pair(), "burst" + std::to_string(i));
      if (r.status / 100 == 2) {
        ++accepted;
      } else {
        REQUIRE_MESSAGE(r.status == 429, r.status << " " << r.body);
        ++limited;
        retry_after = std::string(r.header("Retry-After").value_or(""));
      }
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(limited > 0);
    CHECK(accepted >= 30);  // the default burst
    CHECK(accepted <= 31 + static_cast<int>(elapsed / 2));  // plus one every 2 s (30 a minute)
    CHECK(host_count(f) == static_cast<std::size_t>(accepted));
    CHECK_FALSE(retry_after.empty());
    CHECK(retry_after.find_first_not_of("0123456789") == std::string::npos);
    // Another source address has its own budget.
    auto other = send_from("127.0.0.2", f.server->port(), publish_request(publication_body(key_pair(), "elsewhere", unix_now(), {}, f.origin())));
    CHECK(other.status / 100 == 2);
  }

  TEST_CASE("pending caps per source address and overall refuse with Retry-After and store nothing") {
    TempDir config_dir;
    ServerFixture f({"--request-timeout", "1", "--idle-timeout", "2"}, std::nullopt,
                    {config_file(config_dir, "max_pending: 3\nmax_pending_per_address: 2\n"), std::nullopt});
    auto a1 = key_pair();
    REQUIRE(f.publish(a1, "a1").status / 100 == 2);
    REQUIRE(f.publish(key_pair(), "a2").status / 100 == 2);
    const auto before = f.snap();
    const auto audit_before = f.audit_count();

    // Over the per-address cap: a new name and a taken name get the same refusal.
    auto new_name = f.publish(key_pair(), "a3");
    auto taken_name = f.publish(key_pair(), "a1");
    CHECK(new_name.status == 429);
    CHECK(taken_name.status == 429);
    CHECK(new_name.body == taken_name.body);
    CHECK(new_name.header("Retry-After"));
    CHECK(Json::parse(new_name.body)["error"].get<std::string>().find("source address") != std::string::npos);
    CHECK(f.snap() == before);

    // Another address may add one more; then the overall cap is reached.
    auto b1 = send_from("127.0.0.2", f.server->port(), publish_request(publication_body(key_pair(), "b1", unix_now(), {}, f.origin())));
    CHECK(b1.status / 100 == 2);
    const auto full = f.snap();
    auto b2 = send_from("127.0.0.2", f.server->port(), publish_request(publication_body(key_pair(), "b2", unix_now(), {}, f.origin())));
    auto b3 = send_from("127.0.0.3", f.server->port(), publish_request(publication_body(key_pair(), "a1", unix_now(), {}, f.origin())));
    CHECK(b2.status == 503);
    CHECK(b3.status == 503);
    CHECK(b2.body == b3.body);
    CHECK(b2.header("Retry-After"));
    CHECK(f.snap() == full);

    // Refusals are audited at most once per kind and interval, however many there are.
    for (int i = 0; i < 10; ++i) CHECK(f.publish(key_pair(), "more" + std::to_string(i)).status == 429);
    CHECK(f.audit_count() <= audit_before + 1 /* b1 */ + 2 /* one per kind */);

    // Neither cap stands in the way of a key the endpoint already holds, or of a valid token.
    CHECK(f.publish(a1, "a1").status / 100 == 2);
    auto token = Json::parse(f.signed_as(f.alice, "POST", "/v1/tokens", R"({"host":"t1","ttl_seconds":600})").body)["token"];
    auto with_token = f.publish(key_pair(), "t1", token.get<std::string>());
    CHECK(with_token.status == 201);
    CHECK(Json::parse(with_token.body)["status"] == "approved");
  }

  TEST_CASE("the host list pages by name (limit, after, status) and vps-enroll list pages through") {
    ServerFixture f;
    {
      auto store = vps::enroll::store::Store::open(f.db_path).value();
      auto tx = store->transaction().value();
      for (int i = 0; i < 250; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "h%03d", i);
        vps::enroll::store::HostRecord host;
        host.name = name;
        host.status = i % 5 == 0 ? vps::enroll::store::HostStatus::approved : vps::enroll::store::HostStatus::pending;
        host.key.fingerprint = "SHA256:" + std::string(name);
        host.created_at = host.updated_at = host.last_seen_at = unix_now();
        REQUIRE(store->insert_host(host));
      }
      REQUIRE(tx.commit());
    }
    std::vector<std::string> seen;
    std::string target = "/v1/hosts?limit=100";
    for (int page = 0; page < 10 && !target.empty(); ++page) {
      auto r = f.signed_as(f.alice, "GET", target);
      REQUIRE_MESSAGE(r.status == 200, r.body);
      auto body = Json::parse(r.body);
      CHECK(body["hosts"].size() <= 100);
      for (const auto& h : body["hosts"]) seen.push_back(h["name"].get<std::string>());
      target = body["next"].is_string() ? "/v1/hosts?limit=100&after=" + body["next"].get<std::string>() : "";
    }
    CHECK(target.empty());
    REQUIRE(seen.size() == 250);
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());

    auto approved = f.signed_as(f.alice, "GET", "/v1/hosts?status=approved&limit=1000");
    REQUIRE(approved.status == 200);
    CHECK(Json::parse(approved.body)["hosts"].size() == 50);
    CHECK(Json::parse(approved.body)["next"].is_null());

    for (const char* bad : {"/v1/hosts?limit=0", "/v1/hosts?limit=1001", "/v1/hosts?limit=10&limit=20",
                            "/v1/hosts?after=..", "/v1/hosts?status=maybe", "/v1/hosts?sort=name", "/v1/hosts?limit=1x",
                            "/v1/hosts?after=h001&", "/v1/hosts?limit", "/v1/hosts?wait=5"}) {
      CHECK_MESSAGE(f.signed_as(f.alice, "GET", bad).status == 400, bad);
    }

    auto listed = f.cli({"list", "--json"});
    REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
    CHECK(Json::parse(listed.out)["hosts"].size() == 250);
    auto text = f.cli({"list"});
    REQUIRE_MESSAGE(text.exit_code == 0, text.err);
    CHECK(text.out.find("h000") != std::string::npos);
    CHECK(text.out.find("h249") != std::string::npos);
  }
}
