// vps-agent secrets fetching bundles from a real `vps-enroll serve` on loopback: waiting while
// the host is not approved, fetching and activating once approved and pushed, refusing bundles
// that are not ciphertext this host can open, and hosts kept out of each other's bundles.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>

#include "delivery_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::delivery;
namespace sops = vps::formats::sops;

namespace {

const char* k_app_yaml = "token: tok-123\nother: x\n";

// Flips one base64 letter inside the first encrypted value: still sops-shaped, no longer valid.
std::string tamper(std::string sops_text) {
  const auto at = sops_text.find("ENC[AES256_GCM,data:");
  REQUIRE(at != std::string::npos);
  char& c = sops_text[at + 21];
  c = c == 'A' ? 'B' : 'A';
  return sops_text;
}

}  // namespace

TEST_SUITE("agent::delivery") {
  TEST_CASE("a published but unapproved host waits: the status says the endpoint has not approved it") {
    test::enroll::ServerFixture server;
    ScratchHost host("web1");
    host.config(server, k_two_sources);
    REQUIRE(server.publish(host.key, host.name).status == 202);
    auto r = host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);  // the source does not exist yet: a waiting state, not an error
    CHECK_MESSAGE(r.err.find("not approved yet") != std::string::npos, r.err);
    CHECK(!fs::exists(host.src("db.age")));
  }

  TEST_CASE("without an endpoint nothing is fetched and the waiting state is unchanged") {
    ScratchHost host("web1");
    host.config("", k_two_sources);
    auto r = host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);
    CHECK(r.err.find("endpoint") == std::string::npos);
  }

  TEST_CASE("approved and pushed: bundles are fetched, written as ciphertext and activated") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    test::enroll::ServerFixture server;
    ScratchHost host("web1");
    host.config(server, k_two_sources);
    publish_and_approve(server, host);
    const std::string age_file = secrets::age_encrypt("db-secret", host.recipient);
    const std::string sops_file = secrets::sops_encrypt(k_app_yaml, sops::Format::yaml, host.recipient);
    push(server, host.name, "db.age", age_file);
    push(server, host.name, "app.yaml", sops_file);
    push(server, host.name, "unrelated.age", secrets::age_encrypt("x", host.recipient));  // maps to no source

    auto r = host.agent({"secrets", "--once"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(read_text(host.src("db.age")) == age_file);  // the ciphertext, byte for byte
    CHECK(read_text(host.src("app.yaml")) == sops_file);
    CHECK(!fs::exists(host.src("unrelated.age")));
    CHECK((fs::status(host.src("db.age")).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(read_text(host.link() / "db") == "db-secret");
    CHECK(read_text(host.link() / "app/token") == "tok-123");
  }

  TEST_CASE("a waiting agent activates once the operator approves and pushes, without restart") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    test::enroll::ServerFixture server;
    ScratchHost host("web1");
    host.config(server,
                "  files:\n    - name: db\n      source: /srv/secrets/db.age\n");
    REQUIRE(server.publish(host.key, host.name).status == 202);
    auto waiting = std::async(std::launch::async, [&] { return host.agent({"secrets", "--timeout", "40s"}, 60); });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));  // a few refused rounds first
    auto approve = server.cli({"approve", host.name, "--fingerprint", test::enroll::fingerprint(host.key)});
    REQUIRE_MESSAGE(approve.exit_code == 0, approve.err);
    push(server, host.name, "db.age", secrets::age_encrypt("late-secret", host.recipient));
    REQUIRE(waiting.wait_for(std::chrono::seconds(50)) == std::future_status::ready);
    auto r = waiting.get();
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK_MESSAGE(r.err.find("not approved yet") != std::string::npos, r.err);
    CHECK(read_text(host.link() / "db") == "late-secret");
  }

  TEST_CASE("bundles for another key or tampered with are refused and the source is left as it was") {
    test::enroll::ServerFixture server;
    ScratchHost host("web1");
    host.config(server, k_two_sources);
    publish_and_approve(server, host);
    const std::string old_app = secrets::sops_encrypt(k_app_yaml, sops::Format::yaml, secrets::another_recipient());
    write_text(host.src("app.yaml"), old_app);  // pending: encrypted to someone else
    push(server, host.name, "db.age", secrets::age_encrypt("x", secrets::another_recipient()));
    push(server, host.name, "app.yaml", tamper(secrets::sops_encrypt(k_app_yaml, sops::Format::yaml, host.recipient)));

    auto r = host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);  // db.age is still absent
    CHECK_MESSAGE(r.err.find("refused bundle 'db.age'") != std::string::npos, r.err);
    CHECK_MESSAGE(r.err.find("not encrypted to this host") != std::string::npos, r.err);
    CHECK_MESSAGE(r.err.find("refused bundle 'app.yaml'") != std::string::npos, r.err);
    CHECK(!fs::exists(host.src("db.age")));
    CHECK(read_text(host.src("app.yaml")) == old_app);
  }

  TEST_CASE("a source the host can already decrypt is never replaced by a bundle") {
    test::enroll::ServerFixture server;
    ScratchHost host("web1");
    host.config(server, k_two_sources);
    publish_and_approve(server, host);
    const std::string local = secrets::sops_encrypt(k_app_yaml, sops::Format::yaml, host.recipient);
    write_text(host.src("app.yaml"), local);
    push(server, host.name, "app.yaml", secrets::sops_encrypt("token: other\n", sops::Format::yaml, host.recipient));
    auto r = host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);  // db.age: no bundle
    CHECK_MESSAGE(r.err.find("no new bundle") != std::string::npos, r.err);
    CHECK(read_text(host.src("app.yaml")) == local);
  }

  TEST_CASE("after a refused bundle the agent keeps waiting and activates a corrected push") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    test::enroll::ServerFixture server;
    ScratchHost host("web1");
    host.config(server, "  files:\n    - name: db\n      source: /srv/secrets/db.age\n");
    publish_and_approve(server, host);
    push(server, host.name, "db.age", secrets::age_encrypt("wrong", secrets::another_recipient()));
    auto waiting = std::async(std::launch::async, [&] { return host.agent({"secrets", "--timeout", "40s"}, 60); });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    push(server, host.name, "db.age", secrets::age_encrypt("right", host.recipient));
    REQUIRE(waiting.wait_for(std::chrono::seconds(50)) == std::future_status::ready);
    auto r = waiting.get();
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK_MESSAGE(r.err.find("not encrypted to this host") != std::string::npos, r.err);
    CHECK(read_text(host.link() / "db") == "right");
  }

  TEST_CASE("a host cannot list or read another host's bundles") {
    test::enroll::ServerFixture server;
    ScratchHost web1("web1");
    ScratchHost web2("web2");
    publish_and_approve(server, web1);
    publish_and_approve(server, web2);
    push(server, "web2", "db.age", secrets::age_encrypt("web2-only", web2.recipient));
    CHECK(server.signed_as(web1.key, "GET", "/v1/hosts/web2/bundles").status == 403);
    CHECK(server.signed_as(web1.key, "GET", "/v1/hosts/web2/bundles/db.age").status == 403);
    CHECK(server.signed_as(web2.key, "GET", "/v1/hosts/web2/bundles/db.age").status == 200);
    // And web1's agent, asking for its own bundles, finds nothing.
    web1.config(server, "  files:\n    - name: db\n      source: /srv/secrets/db.age\n");
    auto r = web1.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);
    CHECK(!fs::exists(web1.src("db.age")));
  }
}
