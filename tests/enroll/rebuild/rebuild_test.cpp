// Rebuilds end to end on loopback: the real `vps-enroll serve`, the real operator CLI and the
// real `vps-agent watch` running a test "rebuild" script that records the revision it got.
#include "rebuild_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

std::int64_t sequence_now() { return unix_now() * 1000; }

}  // namespace

TEST_SUITE("enroll::rebuild") {
  TEST_CASE("an authorized rebuild runs the host's command and --wait sees success") {
    RebuildFixture f;
    ProcessResult agent;
    std::thread watcher([&] { agent = f.watch(1, 30); });
    auto r = f.cli({"rebuild", "web1", "--revision", "v1.2", "--wait", "--wait-timeout", "25s"});
    watcher.join();
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(r.out.find("picked up by web1") != std::string::npos);
    CHECK(r.out.find("succeeded") != std::string::npos);
    CHECK(agent.exit_code == 0);
    CHECK(f.applied_text() == "v1.2\n");  // the change the command made is visible

    auto history = f.cli({"rebuilds", "web1", "--json"});
    REQUIRE(history.exit_code == 0);
    auto j = Json::parse(history.out);
    REQUIRE(j["rebuilds"].size() == 1);
    CHECK(j["rebuilds"][0]["state"] == "succeeded");
    CHECK(j["rebuilds"][0]["operator"] == "alice");
    CHECK(j["rebuilds"][0]["exit_status"] == 0);
    auto human = f.cli({"rebuilds", "web1"});
    CHECK(human.out.find("succeeded") != std::string::npos);
    CHECK(f.rebuild(1)["output_tail"] == "rebuilt v1.2\n");
  }

  TEST_CASE("a failing command is reported failed and --wait exits 85 with the output") {
    RebuildFixture f("echo broken >&2\nexit 3\n");
    ProcessResult agent;
    std::thread watcher([&] { agent = f.watch(1, 30); });
    auto r = f.cli({"rebuild", "web1", "--wait", "--wait-timeout", "25s"});
    watcher.join();
    CHECK(r.exit_code == 85);
    CHECK(r.err.find("exit status 3") != std::string::npos);
    CHECK(r.err.find("broken") != std::string::npos);
  }

  TEST_CASE("unknown operator key: the server refuses, and a forged row is refused by the host") {
    RebuildFixture f;
    auto r = f.cli({"rebuild", "web1"}, "mallory.key");
    CHECK(r.exit_code == 77);
    auto mallory = f.server->mallory;
    const auto id = f.insert(f.signed_by(mallory, sequence_now()));
    CHECK(f.watch().exit_code == 0);
    CHECK(f.applied_text().empty());
    CHECK(f.rebuild(id)["state"] == "failed");
    CHECK(f.rebuild(id)["reason"].get<std::string>().find("not an authorized operator") != std::string::npos);
  }

  TEST_CASE("an operator the server trusts but the host does not is refused by the host") {
    RebuildFixture f;
    auto r = f.cli({"rebuild", "web1"}, "bob.key");
    REQUIRE(r.exit_code == 0);  // the server accepts bob
    CHECK(f.watch().exit_code == 0);
    CHECK(f.applied_text().empty());
    CHECK(f.rebuild(1)["state"] == "failed");
    CHECK(f.rebuild(1)["reason"].get<std::string>().find("not an authorized operator") != std::string::npos);
  }

  TEST_CASE("tampered revision, forged signature and shell metacharacters are refused, nothing runs") {
    RebuildFixture f;
    const auto seq = sequence_now();
    auto good = f.signed_by(f.server->alice, seq, "r1");
    std::string tampered = good.text;
    tampered.replace(tampered.find("revision: r1"), 12, "revision: r2");
    const auto id1 = f.insert(tampered, vps::base64::encode(good.signature), seq);
    // Claims alice's key, signed by mallory.
    std::string claimed = good.text;
    claimed.replace(claimed.find("revision: r1"), 12, "revision: r3");
    const auto forged_sig = vps::crypto::ed25519_sign(f.server->mallory.seed, vps::as_bytes(claimed));
    const auto id2 = f.insert(claimed, vps::base64::encode(forged_sig), seq + 1);
    // Validly signed by alice, but a revision outside the grammar (a shell would run it).
    std::string shell = good.text;
    shell.replace(shell.find("revision: r1"), 12, "revision: r1;touch$IFS/tmp/pwned");
    const auto shell_sig = vps::crypto::ed25519_sign(f.server->alice.seed, vps::as_bytes(shell));
    const auto id3 = f.insert(shell, vps::base64::encode(shell_sig), seq + 2);
    CHECK(f.watch(3).exit_code == 0);
    CHECK(f.applied_text().empty());
    for (auto id : {id1, id2, id3}) CHECK(f.rebuild(id)["state"] == "failed");
    CHECK(f.rebuild(id1)["reason"].get<std::string>().find("signature does not verify") != std::string::npos);
    CHECK(f.rebuild(id2)["reason"].get<std::string>().find("signature does not verify") != std::string::npos);
    CHECK(f.rebuild(id3)["reason"].get<std::string>().find("parsing rebuild request") != std::string::npos);
    // The CLI refuses such a revision before anything is sent.
    CHECK(f.cli({"rebuild", "web1", "--revision", "a;b"}).exit_code == 64);
  }

  TEST_CASE("a replayed request (re-queued by the server) is refused") {
    RebuildFixture f;
    REQUIRE(f.cli({"rebuild", "web1", "--revision", "r1"}).exit_code == 0);
    CHECK(f.watch().exit_code == 0);
    CHECK(f.applied_text() == "r1\n");
    {
      auto store = vps::enroll::store::Store::open(f.server->db_path).value();
      REQUIRE(store->database().exec("UPDATE rebuilds SET state = 'queued', finished_at = NULL WHERE id = 1"));
    }
    CHECK(f.watch().exit_code == 0);
    CHECK(f.applied_text() == "r1\n");  // not run again
    CHECK(f.rebuild(1)["state"] == "failed");
    CHECK(f.rebuild(1)["reason"].get<std::string>().find("replayed") != std::string::npos);
  }

  TEST_CASE("an expired request is refused by the host even if the server hands it out") {
    RebuildFixture f;
    auto old = f.signed_by(f.server->alice, sequence_now(), "r1", unix_now() - 10);
    const auto id = f.insert(old.text, vps::base64::encode(old.signature), old.request.sequence, unix_now() + 3600);
    CHECK(f.watch().exit_code == 0);
    CHECK(f.applied_text().empty());
    CHECK(f.rebuild(id)["reason"].get<std::string>().find("expired") != std::string::npos);
  }

  TEST_CASE("host offline: --wait exits 84 saying when it last checked in: the host applies it later") {
    RebuildFixture f;
    auto r = f.cli({"rebuild", "web1", "--revision", "late", "--wait", "--wait-timeout", "2s"});
    CHECK(r.exit_code == 84);
    CHECK(r.err.find("did not pick up") != std::string::npos);
    CHECK(r.err.find("never checked in") != std::string::npos);
    CHECK(f.watch().exit_code == 0);
    CHECK(f.applied_text() == "late\n");
    auto again = f.cli({"rebuild", "web1", "--revision", "later", "--wait", "--wait-timeout", "2s"});
    CHECK(again.exit_code == 84);
    CHECK(again.err.find("last checked in at") != std::string::npos);
  }
}
