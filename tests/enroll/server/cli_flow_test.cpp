// The operator CLI against the real server: publish, list, approve with the console
// fingerprint, tokens, push, and a host fetching its bundle with its own key.
#include <vps/net/api/signed_client.hpp>

#include "server_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

TEST_SUITE("enroll::server::cli") {
  TEST_CASE("list, show and approve with a fingerprint check") {
    ServerFixture f;
    auto host = key_pair();
    REQUIRE(f.publish(host, "web1").status == 202);

    auto list = f.cli({"list"});
    CHECK(list.exit_code == 0);
    CHECK(list.out.find("web1") != std::string::npos);
    CHECK(list.out.find("pending") != std::string::npos);

    auto wrong = f.cli({"approve", "web1", "--fingerprint", fingerprint(key_pair())});
    CHECK(wrong.exit_code == 76);
    CHECK(wrong.err.find("fingerprint mismatch") != std::string::npos);

    auto right = f.cli({"approve", "web1", "--fingerprint", fingerprint(host)});
    CHECK(right.exit_code == 0);
    CHECK(right.out.find("approved web1") != std::string::npos);

    auto show = f.cli({"show", "web1", "--json"});
    REQUIRE(show.exit_code == 0);
    auto j = Json::parse(show.out);
    CHECK(j["status"] == "approved");
    CHECK(j["decided_by"] == "alice");
    CHECK(j["fingerprint"] == fingerprint(host));

    auto human = f.cli({"show", "web1"});
    CHECK(human.out.find("operator:alice") != std::string::npos);  // audit trail
  }

  TEST_CASE("an unknown operator key is refused with exit 77") {
    ServerFixture f;
    REQUIRE(f.publish(key_pair(), "web1").status == 202);
    auto before = f.snap();
    auto r = f.cli({"approve", "web1"}, "mallory.key");
    CHECK(r.exit_code == 77);
    CHECK(r.err.find("not an authorized operator") != std::string::npos);
    CHECK(f.snap() == before);
  }

  TEST_CASE("token create prints a token that enrolls the host once") {
    ServerFixture f;
    auto created = f.cli({"token", "create", "web1", "--ttl", "1h"});
    REQUIRE(created.exit_code == 0);
    std::string token = created.out;
    while (!token.empty() && token.back() == '\n') token.pop_back();
    CHECK(token.size() == 64);
    auto first = f.publish(key_pair(), "web1", token);
    CHECK(first.status == 201);
    CHECK(Json::parse(first.body)["status"] == "approved");
    auto before = f.snap();
    CHECK(f.publish(key_pair(), "web1", token).status == 403);  // reused
    CHECK(f.snap() == before);
  }

  TEST_CASE("push, then the host fetches its own bundle and nobody else's") {
    ServerFixture f;
    auto web = key_pair();
    auto db = key_pair();
    REQUIRE(f.publish(web, "web1").status == 202);
    REQUIRE(f.publish(db, "db1").status == 202);
    REQUIRE(f.cli({"approve", "web1"}).exit_code == 0);
    REQUIRE(f.cli({"approve", "db1"}).exit_code == 0);
    write_text(f.dir / "app.age", k_age_ciphertext);
    write_text(f.dir / "plain.txt", "password=hunter2\n");
    auto pushed = f.cli({"push", "web1", (f.dir / "app.age").string()});
    CHECK(pushed.exit_code == 0);
    CHECK(pushed.out.find("pushed app.age to web1") != std::string::npos);
    CHECK(f.cli({"push", "web1", (f.dir / "plain.txt").string()}).exit_code == 76);

    auto own = f.signed_as(web, "GET", "/v1/hosts/web1/bundles/app.age");
    CHECK(own.status == 200);
    CHECK(own.body == k_age_ciphertext);
    auto before = f.snap();
    CHECK(f.signed_as(db, "GET", "/v1/hosts/web1/bundles/app.age").status == 403);
    CHECK(f.signed_as(db, "GET", "/v1/hosts/web1/bundles").status == 403);
    CHECK(f.snap() == before);
  }

  TEST_CASE("every command has --help and needs an endpoint") {
    for (const char* command : {"serve", "list", "show", "approve", "reject", "push"}) {
      auto help = run({enroll_binary().string(), command, "--help"});
      CHECK_MESSAGE(help.exit_code == 0, command);
    }
    CHECK(run({enroll_binary().string(), "token", "create", "--help"}).exit_code == 0);
    ProcessOptions no_env;
    no_env.env = {"VPS_ENROLL_ENDPOINT="};
    auto r = run({enroll_binary().string(), "list", "--key", "/nonexistent"}, no_env);
    CHECK(r.exit_code == 64);
  }

  TEST_CASE("serve takes the global --config after the subcommand") {
    TempDir dir;
    auto missing = (dir / "missing.yaml").string();
    auto r = run({enroll_binary().string(), "serve", "--config", missing});
    // Not a usage error (64) about an unexpected argument: serve read the option and says the
    // file is missing.
    CHECK(r.exit_code != 64);
    CHECK(r.exit_code != 0);
    CHECK_MESSAGE(r.err.find("missing.yaml") != std::string::npos, r.err);
  }

  TEST_CASE("SIGTERM stops the server cleanly") {
    ServerFixture f;
    CHECK(f.server->stop() == 0);
  }
}
