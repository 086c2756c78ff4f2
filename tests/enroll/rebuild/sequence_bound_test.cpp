// Rebuild requests are bound to the host key and to the signer's clock (issue 16, findings 7
// and 12), through the real endpoint, CLI and `vps-agent watch`:
//  - a sequence of 2^63-1 queued by an operator the endpoint trusts would refuse every later
//    rebuild; a lying endpoint reporting such a "last" sequence would get a host-trusted
//    operator's CLI to sign it (and lock the host's guard forever);
//  - a request signed for the host's previous key (a re-installed instance with the same name,
//    its guard back at 0) must not run on the new one.
#include <mutex>

#include <vps/net/http/server.hpp>

#include "rebuild_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

std::int64_t sequence_now() { return unix_now() * 1000; }

}  // namespace

TEST_SUITE("enroll::rebuild sequence and key binding") {
  TEST_CASE("the endpoint refuses a sequence far ahead of its clock: later rebuilds still work") {
    RebuildFixture f;
    // bob is an operator at the endpoint; he queues the largest possible sequence.
    auto lockout = f.signed_by(f.bob, INT64_MAX);
    const Json body{{"request", lockout.text}, {"signature", vps::base64::encode(lockout.signature)}};
    auto queued = f.server->signed_as(f.bob, "POST", "/v1/hosts/web1/rebuilds", body.dump());
    CHECK(queued.status == 409);
    CHECK(queued.body.find("24 h ahead") != std::string::npos);
    auto later = f.cli({"rebuild", "web1", "--revision", "after"});
    CHECK_MESSAGE(later.exit_code == 0, later.err);
  }

  TEST_CASE("the host refuses a far-future sequence even when the endpoint hands it out") {
    RebuildFixture f;
    const auto id = f.insert(f.signed_by(f.server->alice, INT64_MAX));
    CHECK(f.watch().exit_code == 0);
    CHECK(f.applied_text().empty());
    CHECK(f.rebuild(id)["reason"].get<std::string>().find("24 h ahead") != std::string::npos);
    // The guard was not moved: a normal request still runs. (The CLI itself now refuses to sign
    // above the forged row's sequence: the endpoint reports it as the last one.)
    f.insert(f.signed_by(f.server->alice, sequence_now(), "normal"));
    CHECK(f.watch().exit_code == 0);
    CHECK(f.applied_text() == "normal\n");
    CHECK(f.cli({"rebuild", "web1"}).exit_code == 76);
  }

  TEST_CASE("a lying endpoint cannot make the CLI sign a lock-out sequence") {
    RebuildFixture f;
    std::mutex mutex;
    std::vector<std::string> posted;
    auto liar = vps::net::http::Server::start({}, [&](const vps::net::http::Request& r) {
      std::lock_guard lock(mutex);
      if (r.method == "POST") {
        posted.push_back(r.body);
        return vps::net::http::Response::text(201, "{\"id\":1}");
      }
      return vps::net::http::Response::text(
          200, Json{{"host", "web1"}, {"host_key", fingerprint(f.host)}, {"last_sequence", INT64_MAX - 1},
                    {"rebuilds", Json::array()}}
                   .dump());
    });
    REQUIRE(liar);
    const std::string url = "http://127.0.0.1:" + std::to_string((*liar)->local_port());
    auto r = run({enroll_binary().string(), "rebuild", "web1", "--endpoint", url, "--key",
                  (f.server->dir / "alice.key").string()});
    CHECK(r.exit_code == 76);
    CHECK_MESSAGE(r.err.find("more than 24 h ahead") != std::string::npos, r.err);
    std::lock_guard lock(mutex);
    CHECK(posted.empty());  // nothing was signed and sent
  }

  TEST_CASE("a request signed for the host's previous key is refused by the re-installed host") {
    RebuildFixture f;
    // As if web1 was re-installed: alice signed for the old key; the running host has another.
    const auto old_key = fingerprint(key_pair());
    const auto id = f.insert(f.signed_by(f.server->alice, sequence_now(), "for-old", unix_now() + 3600, old_key));
    CHECK(f.watch().exit_code == 0);
    CHECK(f.applied_text().empty());
    CHECK(f.rebuild(id)["reason"].get<std::string>().find("host key") != std::string::npos);
    // And the endpoint itself refuses to queue one for a key the host does not have.
    auto stale = f.signed_by(f.server->alice, sequence_now() + 1, "for-old", unix_now() + 3600, old_key);
    const Json body{{"request", stale.text}, {"signature", vps::base64::encode(stale.signature)}};
    auto queued = f.server->signed_as(f.server->alice, "POST", "/v1/hosts/web1/rebuilds", body.dump());
    CHECK(queued.status == 409);
  }
}
