// Day two at the endpoint, through the real vps-enroll and a loopback server: revocation,
// replacement of a host's key, the bundles long poll (continuous delivery) and the host's
// secrets report. Waits are bounded; no timing check is tighter than a few seconds.
#include <future>
#include <thread>

#include <vps/base/base64.hpp>
#include <vps/protocol/rebuild_request.hpp>

#include "server_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

std::string age_of(const crypto::Ed25519KeyPair& key) { return protocol::age_recipient_for(key.public_key).value(); }

// An approved host "web1" with one bundle (app.age) and one queued rebuild.
struct DayTwo : ServerFixture {
  crypto::Ed25519KeyPair web = key_pair();
  std::int64_t rebuild_id = 0;

  DayTwo() : DayTwo(std::vector<std::string>{"--request-timeout", "1", "--idle-timeout", "2"}) {}
  explicit DayTwo(std::vector<std::string> args, const ServerProcess::Files& files = {})
      : ServerFixture(std::move(args), std::nullopt, files) {
    REQUIRE(publish(web, "web1").status == 202);
    REQUIRE(cli({"approve", "web1", "--fingerprint", fingerprint(web)}).exit_code == 0);
    REQUIRE(push(web, "web1", "app.age", k_age_ciphertext).status == 201);
    auto queued = queue_rebuild(web, 1);
    REQUIRE(queued.status == 201);
    rebuild_id = Json::parse(queued.body)["id"].get<std::int64_t>();
  }

  net::http::Response queue_rebuild(const crypto::Ed25519KeyPair& host_key, std::int64_t sequence) {
    protocol::RebuildRequest r;
    r.host = "web1";
    r.host_key = fingerprint(host_key);
    r.revision = "abc";
    r.sequence = sequence;
    r.expires = unix_now() + 3600;
    auto s = protocol::sign_rebuild_request(r, crypto::SeedSigner(alice.seed)).value();
    return signed_as(alice, "POST", "/v1/hosts/web1/rebuilds",
                     Json{{"request", s.text}, {"signature", base64::encode(s.signature)}}.dump());
  }

  std::int64_t version() {
    auto listing = signed_as(web, "GET", "/v1/hosts/web1/bundles");
    REQUIRE(listing.status == 200);
    return Json::parse(listing.body)["version"].get<std::int64_t>();
  }

  Json show() {
    auto shown = cli({"show", "web1", "--json"});
    REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
    return Json::parse(shown.out);
  }
};

// Every way a key signs something, as that key: each must be refused with 403.
void check_refused_everywhere(DayTwo& f, const crypto::Ed25519KeyPair& key, std::int64_t rebuild_id,
                              const std::string& code) {
  auto published = f.publish(key, "web1");
  CHECK(published.status == 403);
  CHECK_MESSAGE(Json::parse(published.body).value("code", "") == code, published.body);
  CHECK(f.publish(key, "other1").status == 403);  // under any name
  CHECK(f.signed_as(key, "GET", "/v1/hosts/web1/bundles").status == 403);
  CHECK(f.signed_as(key, "GET", "/v1/hosts/web1/bundles/app.age").status == 403);
  CHECK(f.signed_as(key, "GET", "/v1/hosts/web1/rebuilds/next?wait=0").status == 403);
  CHECK(f.signed_as(key, "POST", "/v1/hosts/web1/rebuilds/" + std::to_string(rebuild_id) + "/status",
                    R"({"state":"running"})")
            .status == 403);
  CHECK(f.signed_as(key, "POST", "/v1/hosts/web1/secrets/report",
                    R"({"generation":1,"updated_at":1,"pending":[],"bundles":[]})")
            .status == 403);
}

const std::string k_sha = std::string(64, 'a');

std::string report_body(std::uint64_t generation, std::int64_t updated_at, const std::string& refused_detail) {
  return Json{{"generation", generation},
              {"updated_at", updated_at},
              {"pending", Json::array({Json{{"secret", "db_password"}, {"source", "db.yaml"},
                                            {"reason", "no identity opens db.yaml"}}})},
              {"bundles", Json::array({Json{{"name", "app.age"}, {"sha256", k_sha}, {"sequence", 7},
                                            {"outcome", "refused"}, {"detail", refused_detail}}})}}
      .dump();
}

}  // namespace

TEST_SUITE("enroll::server::day two") {
  TEST_CASE("revoke refuses the key everywhere, deletes its bundles and cancels its queued rebuilds") {
    DayTwo f;
    auto revoked = f.cli({"revoke", "web1", "--reason", "decommissioned", "--json"});
    REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.err);
    auto j = Json::parse(revoked.out);
    CHECK(j["status"] == "revoked");
    CHECK(j["fingerprint"] == fingerprint(f.web));
    CHECK(j["age_recipient"] == age_of(f.web));
    CHECK(j["deleted_bundles"] == Json::array({"app.age"}));
    CHECK(j["cancelled_rebuilds"] == Json::array({f.rebuild_id}));

    check_refused_everywhere(f, f.web, f.rebuild_id, "revoked");
    // The host may still read its own status, and sees why it gets nothing.
    auto status = f.signed_as(f.web, "GET", "/v1/hosts/web1/status");
    REQUIRE(status.status == 200);
    CHECK(Json::parse(status.body)["status"] == "revoked");

    auto shown = f.show();
    CHECK(shown["status"] == "revoked");
    CHECK(shown["bundles"].empty());
    CHECK(shown["retired_keys"].size() == 1);
    CHECK(shown["retired_keys"][0]["kind"] == "revoked");
    bool audited = false;
    for (const auto& a : shown["audit"]) {
      if (a["action"] != "revoke") continue;
      audited = true;
      const std::string detail = a["detail"];
      CHECK(a["actor"] == "operator:alice");
      CHECK(detail.find("decommissioned") != std::string::npos);
      CHECK(detail.find("app.age") != std::string::npos);
      CHECK(detail.find("#" + std::to_string(f.rebuild_id)) != std::string::npos);
    }
    CHECK(audited);
    auto rebuild = f.signed_as(f.alice, "GET", "/v1/hosts/web1/rebuilds/" + std::to_string(f.rebuild_id));
    CHECK(Json::parse(rebuild.body)["state"] == "cancelled");
    // Nothing can be pushed or queued for the revoked key.
    CHECK(f.push(f.web, "web1", "app.age", k_age_ciphertext).status == 409);

    auto list = f.cli({"list"});
    CHECK(list.out.find("revoked") != std::string::npos);
    auto only = f.cli({"list", "--status", "revoked", "--json"});
    REQUIRE(only.exit_code == 0);
    CHECK(Json::parse(only.out)["hosts"].size() == 1);
  }

  TEST_CASE("revoke prints the rekey command for the host's age recipient") {
    DayTwo f;
    auto revoked = f.cli({"revoke", "web1"});
    REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.err);
    CHECK_MESSAGE(revoked.out.find("vps-enroll rekey --remove " + age_of(f.web)) != std::string::npos, revoked.out);
    CHECK(revoked.out.find("app.age") != std::string::npos);
  }

  TEST_CASE("revoking twice is a specific error with its own exit code and changes nothing") {
    DayTwo f;
    REQUIRE(f.cli({"revoke", "web1"}).exit_code == 0);
    const auto before = f.snap();
    const auto audits = f.audit_count();
    auto again = f.cli({"revoke", "web1"});
    CHECK(again.exit_code == 88);
    CHECK_MESSAGE(again.err.find("already revoked") != std::string::npos, again.err);
    CHECK(f.snap() == before);
    CHECK(f.audit_count() == audits);
    CHECK(f.cli({"revoke", "nosuch"}).exit_code == 66);
  }

  TEST_CASE("replace without a fingerprint, or with one nobody published, is refused and changes nothing") {
    DayTwo f;
    auto fresh = key_pair();
    REQUIRE(f.publish(fresh, "web1").status == 202);  // flagged
    const auto before = f.snap();
    auto missing = f.cli({"approve", "web1", "--replace"});
    CHECK(missing.exit_code == 64);
    CHECK(missing.err.find("--fingerprint") != std::string::npos);
    auto wrong = f.cli({"approve", "web1", "--replace", "--fingerprint", fingerprint(key_pair())});
    CHECK(wrong.exit_code == 89);
    CHECK_MESSAGE(wrong.err.find("no new key") != std::string::npos, wrong.err);
    // The host's current key is not a new key either.
    CHECK(f.cli({"approve", "web1", "--replace", "--fingerprint", fingerprint(f.web)}).exit_code == 89);
    // The endpoint itself refuses a replace without a fingerprint.
    auto raw = f.signed_as(f.alice, "POST", "/v1/hosts/web1/approve", R"({"replace":true})");
    CHECK(raw.status == 400);
    CHECK(f.snap() == before);
    // Plain approval of the flagged key is still refused.
    CHECK(f.cli({"approve", "web1", "--fingerprint", fingerprint(fresh)}).exit_code == 76);
  }

  TEST_CASE("replace with the right fingerprint: the new key gets the host, the old key is refused everywhere") {
    DayTwo f;
    auto fresh = key_pair();
    REQUIRE(f.publish(fresh, "web1").status == 202);
    auto replaced = f.cli({"approve", "web1", "--replace", "--fingerprint", fingerprint(fresh), "--json"});
    REQUIRE_MESSAGE(replaced.exit_code == 0, replaced.err);
    auto j = Json::parse(replaced.out);
    CHECK(j["fingerprint"] == fingerprint(fresh));
    CHECK(j["age_recipient"] == age_of(fresh));
    CHECK(j["old_fingerprint"] == fingerprint(f.web));
    CHECK(j["old_age_recipient"] == age_of(f.web));
    CHECK(j["deleted_bundles"] == Json::array({"app.age"}));
    CHECK(j["cancelled_rebuilds"] == Json::array({f.rebuild_id}));

    // The operator pushes again for the new key; the new key fetches it.
    REQUIRE(f.push(fresh, "web1", "app.age", k_age_ciphertext).status == 201);
    auto fetched = f.signed_as(fresh, "GET", "/v1/hosts/web1/bundles/app.age");
    CHECK(fetched.status == 200);
    CHECK(fetched.body == k_age_ciphertext);
    CHECK(f.queue_rebuild(fresh, 2).status == 201);
    CHECK(f.publish(fresh, "web1").status == 200);

    check_refused_everywhere(f, f.web, f.rebuild_id, "retired");
    auto shown = f.show();
    CHECK(shown["fingerprint"] == fingerprint(fresh));
    CHECK(shown["status"] == "approved");
    REQUIRE(shown["retired_keys"].size() == 1);
    CHECK(shown["retired_keys"][0]["fingerprint"] == fingerprint(f.web));
    CHECK(shown["retired_keys"][0]["retired_by"] == "alice");

    auto human = f.cli({"approve", "web1", "--replace", "--fingerprint", fingerprint(fresh)});
    CHECK(human.exit_code == 89);  // already the host's key: nothing new to replace with
  }

  TEST_CASE("replace works for a revoked host and prints the rekey steps") {
    DayTwo f;
    REQUIRE(f.cli({"revoke", "web1"}).exit_code == 0);
    auto fresh = key_pair();
    REQUIRE(f.publish(fresh, "web1").status == 202);
    CHECK(f.cli({"approve", "web1", "--fingerprint", fingerprint(fresh)}).exit_code == 76);  // revoked: needs --replace
    auto replaced = f.cli({"approve", "web1", "--replace", "--fingerprint", fingerprint(fresh)});
    REQUIRE_MESSAGE(replaced.exit_code == 0, replaced.err);
    CHECK(replaced.out.find("vps-enroll rekey --recipient " + age_of(fresh)) != std::string::npos);
    CHECK(replaced.out.find("vps-enroll rekey --remove " + age_of(f.web)) != std::string::npos);
    CHECK(f.signed_as(fresh, "GET", "/v1/hosts/web1/bundles").status == 200);
    CHECK(f.publish(f.web, "web1").status == 403);
    auto shown = f.show();
    CHECK(shown["status"] == "approved");
    CHECK(shown["retired_keys"][0]["kind"] == "revoked");  // its first record stays
  }

  TEST_CASE("bundles long poll: answered at once when the version differs, at the end of a short wait otherwise") {
    DayTwo f;
    const auto v = f.version();
    auto start = SteadyClock::now();
    auto differs = f.signed_as(f.web, "GET", "/v1/hosts/web1/bundles?wait=30&version=" + std::to_string(v + 5));
    CHECK(differs.status == 200);
    CHECK(seconds_since(start) < 5);
    CHECK(Json::parse(differs.body)["version"] == v);

    start = SteadyClock::now();
    auto waited = f.signed_as(f.web, "GET", "/v1/hosts/web1/bundles?wait=1&version=" + std::to_string(v));
    const double took = seconds_since(start);
    CHECK(waited.status == 200);
    CHECK(took >= 0.9);
    CHECK(took < 6);
    auto listing = Json::parse(waited.body);
    CHECK(listing["version"] == v);
    CHECK(listing["bundles"].size() == 1);
    // An operator's poll is answered at once (the parked slot is the host's).
    start = SteadyClock::now();
    CHECK(f.signed_as(f.alice, "GET", "/v1/hosts/web1/bundles?wait=30&version=" + std::to_string(v)).status == 200);
    CHECK(seconds_since(start) < 5);
    CHECK(f.signed_as(f.web, "GET", "/v1/hosts/web1/bundles?wait=x").status == 400);
  }

  TEST_CASE("bundles long poll: a parked poll is answered soon after a push, with the new listing") {
    DayTwo f;
    const auto v = f.version();
    auto parked = std::async(std::launch::async, [&f, v] {
      const auto start = SteadyClock::now();
      auto response = f.try_send(f.sign(f.web, "GET", "/v1/hosts/web1/bundles?wait=20&version=" + std::to_string(v)));
      return std::make_pair(response ? *response : net::http::Response{0, {}, {}}, seconds_since(start));
    });
    std::this_thread::sleep_for(700ms);
    const auto pushed_at = SteadyClock::now();
    REQUIRE(f.push(f.web, "web1", "second.age", k_age_ciphertext).status == 201);
    REQUIRE(parked.wait_for(15s) == std::future_status::ready);
    auto [response, took] = parked.get();
    CHECK(response.status == 200);
    CHECK(seconds_since(pushed_at) < 5);
    CHECK(took < 10);
    auto listing = Json::parse(response.body);
    CHECK(listing["version"].get<std::int64_t>() > v);
    CHECK(listing["bundles"].size() == 2);
  }

  TEST_CASE("a revoke answers the host's parked bundles poll at once") {
    DayTwo f;
    const auto v = f.version();
    auto parked = std::async(std::launch::async, [&f, v] {
      auto response = f.try_send(f.sign(f.web, "GET", "/v1/hosts/web1/bundles?wait=30&version=" + std::to_string(v)));
      return response ? response->status : 0u;
    });
    std::this_thread::sleep_for(700ms);
    REQUIRE(f.cli({"revoke", "web1"}).exit_code == 0);
    REQUIRE(parked.wait_for(10s) == std::future_status::ready);
    CHECK(parked.get() == 403);
    CHECK(f.signed_as(f.web, "GET", "/v1/hosts/web1/bundles").status == 403);
  }

  TEST_CASE("the parked-poll limit is shared by rebuild and bundle polls") {
    // max_connections 4: at most one parked poll (a quarter), of either kind.
    TempDir setup;
    write_text(setup / "serve.yaml", "max_connections: 4\nmax_connections_per_address: 4\n");
    DayTwo f({"--request-timeout", "30", "--idle-timeout", "60"}, ServerProcess::Files{setup / "serve.yaml", {}});
    // Take the queued rebuild so the rebuild poll has nothing and parks.
    REQUIRE(f.signed_as(f.web, "GET", "/v1/hosts/web1/rebuilds/next?wait=0").status == 200);
    REQUIRE(f.signed_as(f.web, "POST", "/v1/hosts/web1/rebuilds/" + std::to_string(f.rebuild_id) + "/status",
                        R"({"state":"failed","reason":"test"})")
                .status == 200);
    auto parked = std::async(std::launch::async, [&f] {
      auto response = f.try_send(f.sign(f.web, "GET", "/v1/hosts/web1/rebuilds/next?wait=4"));
      return response ? response->status : 0u;
    });
    std::this_thread::sleep_for(700ms);
    const auto v = f.version();
    auto refused = f.signed_as(f.web, "GET", "/v1/hosts/web1/bundles?wait=4&version=" + std::to_string(v));
    CHECK(refused.status == 503);
    CHECK(refused.header("Retry-After").has_value());
    REQUIRE(parked.wait_for(15s) == std::future_status::ready);
    CHECK(parked.get() == 204);
    // Once the rebuild poll ended, the bundles poll parks (and ends with its short wait).
    CHECK(f.signed_as(f.web, "GET", "/v1/hosts/web1/bundles?wait=1&version=" + std::to_string(v)).status == 200);
  }

  TEST_CASE("secrets report: stored, shown by vps-enroll show, audited only when it changes") {
    DayTwo f;
    const auto audits = f.audit_count();
    auto first = f.signed_as(f.web, "POST", "/v1/hosts/web1/secrets/report", report_body(3, 1000, "bad signature"));
    REQUIRE_MESSAGE(first.status == 200, first.body);
    CHECK(f.audit_count() == audits + 1);
    // The same content, later: stored, not audited again.
    REQUIRE(f.signed_as(f.web, "POST", "/v1/hosts/web1/secrets/report", report_body(3, 2000, "bad signature")).status == 200);
    CHECK(f.audit_count() == audits + 1);

    auto shown = f.show();
    REQUIRE(shown["secrets_report"].is_object());
    CHECK(shown["secrets_report"]["generation"] == 3);
    CHECK(shown["secrets_report"]["updated_at"] == 2000);
    CHECK(shown["secrets_report"]["pending"][0]["reason"] == "no identity opens db.yaml");
    auto human = f.cli({"show", "web1"});
    CHECK(human.out.find("generation 3") != std::string::npos);
    CHECK(human.out.find("db_password (from db.yaml): no identity opens db.yaml") != std::string::npos);
    CHECK(human.out.find("bad signature") != std::string::npos);

    REQUIRE(f.signed_as(f.web, "POST", "/v1/hosts/web1/secrets/report", report_body(4, 3000, "bad signature")).status == 200);
    CHECK(f.audit_count() == audits + 2);
  }

  TEST_CASE("secrets report: oversized, malformed or foreign reports are refused and nothing is stored") {
    DayTwo f;
    auto other = key_pair();
    REQUIRE(f.publish(other, "db1").status == 202);
    REQUIRE(f.cli({"approve", "db1"}).exit_code == 0);
    REQUIRE(f.signed_as(f.web, "POST", "/v1/hosts/web1/secrets/report", report_body(1, 1000, "x")).status == 200);
    const auto stored = f.show()["secrets_report"];
    const auto audits = f.audit_count();

    const std::string huge = report_body(2, 1000, std::string(1000, 'x'));
    std::string oversized = R"({"generation":2,"updated_at":1,"pending":[)";
    for (int i = 0; i < 80; ++i) {
      oversized += std::string(i ? "," : "") + R"({"secret":")" + std::string(900, 's') + R"(","source":"a","reason":"b"})";
    }
    oversized += R"(],"bundles":[]})";
    REQUIRE(oversized.size() > 64 * 1024);
    CHECK(f.signed_as(f.web, "POST", "/v1/hosts/web1/secrets/report", oversized).status == 400);
    for (const std::string& bad :
         {std::string(R"({"generation":2,"updated_at":1,"pending":[],"bundles":[],"extra":1})"),
          std::string(R"({"generation":2,"updated_at":1,"pending":[]})"),
          std::string(R"({"generation":-1,"updated_at":1,"pending":[],"bundles":[]})"),
          std::string(R"({"generation":2,"updated_at":1,"pending":[{"secret":"a\u0007","source":"b","reason":"c"}],"bundles":[]})"),
          std::string(R"({"generation":2,"updated_at":1,"pending":[],"bundles":[{"name":"a","sha256":"xyz","sequence":1,"outcome":"installed"}]})"),
          std::string(R"({"generation":2,"updated_at":1,"pending":[],"bundles":[{"name":"a","sha256":")") + k_sha +
              R"(","sequence":1,"outcome":"maybe"}]})",
          std::string("not json")}) {
      auto r = f.signed_as(f.web, "POST", "/v1/hosts/web1/secrets/report", bad);
      CHECK_MESSAGE(r.status == 400, bad);
    }
    // Another host's key, and an operator, may not report for web1.
    CHECK(f.signed_as(other, "POST", "/v1/hosts/web1/secrets/report", huge).status == 403);
    CHECK(f.signed_as(f.alice, "POST", "/v1/hosts/web1/secrets/report", huge).status == 403);
    CHECK(f.show()["secrets_report"] == stored);
    CHECK(f.audit_count() == audits);
  }

  TEST_CASE("revoke, replace and --help are documented") {
    for (const char* command : {"revoke", "approve"}) {
      auto help = run({enroll_binary().string(), command, "--help"});
      CHECK_MESSAGE(help.exit_code == 0, command);
    }
    auto help = run({enroll_binary().string(), "approve", "--help"});
    CHECK(help.out.find("--replace") != std::string::npos);
  }
}
