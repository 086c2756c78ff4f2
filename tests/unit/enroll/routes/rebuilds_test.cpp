// The rebuild routes over an in-memory store: queueing (operator signature, key binding,
// sequence), history, the host's poll and its reports.
#include <vps/base/base64.hpp>
#include <vps/protocol/rebuild_request.hpp>

#include "routes_fixture.hpp"

using namespace vps;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

struct RebuildFixture : ApiFixture {
  crypto::Ed25519KeyPair host = key_pair();

  RebuildFixture() {
    REQUIRE(publish(host, "web1").status == 202);
    REQUIRE(op("POST", "/v1/hosts/web1/approve").status == 200);
  }

  std::string body(const crypto::Ed25519KeyPair& signer, std::int64_t sequence, std::string revision = "abc",
                   std::string name = "web1", std::int64_t expires = k_now + 3600) {
    protocol::RebuildRequest r;
    r.host = name;
    r.host_key = fingerprint(host);
    r.revision = revision;
    r.sequence = sequence;
    r.expires = expires;
    auto s = protocol::sign_rebuild_request(r, crypto::SeedSigner(signer.seed)).value();
    return Json{{"request", s.text}, {"signature", base64::encode(s.signature)}}.dump();
  }
};

}  // namespace

TEST_SUITE("enroll::routes::rebuilds") {
  TEST_CASE("an operator queues a request: the host polls it, reports, and history shows it") {
    RebuildFixture f;
    auto created = f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 10));
    REQUIRE(created.status == 201);
    const auto id = Json::parse(created.body)["id"].get<std::int64_t>();
    CHECK(f.db->audit_for("web1", 10).value().front().action == "rebuild");

    auto next = f.as(f.host, "GET", "/v1/hosts/web1/rebuilds/next?wait=0");
    REQUIRE(next.status == 200);
    auto item = Json::parse(next.body);
    CHECK(item["id"] == id);
    CHECK(item["request"].get<std::string>().starts_with("vps-rebuild/v2\nhost: web1\nhost-key: SHA256:"));

    CHECK(f.as(f.host, "POST", "/v1/hosts/web1/rebuilds/" + std::to_string(id) + "/status", R"({"state":"running"})").status == 200);
    auto done = f.as(f.host, "POST", "/v1/hosts/web1/rebuilds/" + std::to_string(id) + "/status",
                     R"({"state":"succeeded","exit_status":0,"duration_ms":1200,"output_tail":"ok\n"})");
    CHECK(done.status == 200);
    auto shown = Json::parse(f.op("GET", "/v1/hosts/web1/rebuilds/" + std::to_string(id)).body);
    CHECK(shown["state"] == "succeeded");
    CHECK(shown["duration_ms"] == 1200);
    CHECK(shown["output_tail"] == "ok\n");
    CHECK(shown["last_poll_at"] == k_now);
    auto history = Json::parse(f.op("GET", "/v1/hosts/web1/rebuilds").body);
    CHECK(history["last_sequence"] == 10);
    CHECK(history["rebuilds"].size() == 1);
    // Nothing left to poll; a final state cannot change again.
    CHECK(f.as(f.host, "GET", "/v1/hosts/web1/rebuilds/next").status == 204);
    CHECK(f.as(f.host, "POST", "/v1/hosts/web1/rebuilds/" + std::to_string(id) + "/status", R"({"state":"failed"})").status == 409);
  }

  TEST_CASE("a long poll with nothing queued asks to park") {
    RebuildFixture f;
    std::optional<vps::enroll::routes::LongPoll> park;
    auto r = f.api.handle(signed_request(f.host, "GET", "/v1/hosts/web1/rebuilds/next?wait=25", "", f.now), park);
    CHECK(r.status == 204);
    REQUIRE(park);
    CHECK(park->host == "web1");
    CHECK(park->seconds == 25);
    CHECK(f.as(f.host, "GET", "/v1/hosts/web1/rebuilds/next?wait=61").status == 400);
    CHECK(f.as(f.host, "GET", "/v1/hosts/web1/rebuilds/next?x=1").status == 400);
    CHECK(f.op("GET", "/v1/hosts?wait=1").status == 400);
  }

  TEST_CASE("queueing wakes the listener after commit") {
    RebuildFixture f;
    std::vector<std::string> woken;
    f.api.set_rebuild_listener([&](const std::string& h) { woken.push_back(h); });
    REQUIRE(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 10)).status == 201);
    CHECK(woken == std::vector<std::string>{"web1"});
  }

  TEST_CASE("refused: non-operator, other signer, wrong host, old sequence, expired, bad revision") {
    RebuildFixture f;
    auto mallory = key_pair();
    CHECK(f.as(mallory, "POST", "/v1/hosts/web1/rebuilds", f.body(mallory, 10)).status == 403);
    CHECK(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(mallory, 10)).status == 403);  // signed by someone else
    CHECK(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 10, "abc", "web2")).status == 400);
    CHECK(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 10, "abc", "web1", k_now - 1)).status == 400);
    auto bad_revision = Json::parse(f.body(f.alice, 10));
    auto text = bad_revision["request"].get<std::string>();
    text.replace(text.find("revision: abc"), 13, "revision: a;b");
    bad_revision["request"] = text;
    CHECK(f.op("POST", "/v1/hosts/web1/rebuilds", bad_revision.dump()).status == 400);
    auto tampered = Json::parse(f.body(f.alice, 10));
    text = tampered["request"].get<std::string>();
    text.replace(text.find("revision: abc"), 13, "revision: abd");
    tampered["request"] = text;
    CHECK(f.op("POST", "/v1/hosts/web1/rebuilds", tampered.dump()).status == 400);
    REQUIRE(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 10)).status == 201);
    CHECK(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 10)).status == 409);
    CHECK(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 9)).status == 409);
  }

  TEST_CASE("other hosts and operators cannot poll or report a host's rebuilds") {
    RebuildFixture f;
    auto other = key_pair();
    REQUIRE(f.publish(other, "web2").status == 202);
    REQUIRE(f.op("POST", "/v1/hosts/web2/approve").status == 200);
    REQUIRE(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 10)).status == 201);
    CHECK(f.as(other, "GET", "/v1/hosts/web1/rebuilds/next").status == 403);
    CHECK(f.as(other, "POST", "/v1/hosts/web1/rebuilds/1/status", R"({"state":"failed"})").status == 403);
    CHECK(f.op("GET", "/v1/hosts/web1/rebuilds/next").status == 403);
    CHECK(f.as(f.host, "GET", "/v1/hosts/web1/rebuilds").status == 403);
  }

  TEST_CASE("a queued request past its expiry becomes expired and is not handed out") {
    RebuildFixture f;
    REQUIRE(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 10, "abc", "web1", k_now + 60)).status == 201);
    f.now += 61;
    CHECK(f.as(f.host, "GET", "/v1/hosts/web1/rebuilds/next").status == 204);
    CHECK(Json::parse(f.op("GET", "/v1/hosts/web1/rebuilds/1").body)["state"] == "expired");
  }

  TEST_CASE("a request left running when its host polls again is marked failed, with the reason and an audit entry") {
    RebuildFixture f;
    REQUIRE(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 10)).status == 201);
    REQUIRE(f.op("POST", "/v1/hosts/web1/rebuilds", f.body(f.alice, 11, "def")).status == 201);
    REQUIRE(f.as(f.host, "GET", "/v1/hosts/web1/rebuilds/next?wait=0").status == 200);
    REQUIRE(f.as(f.host, "POST", "/v1/hosts/web1/rebuilds/1/status", R"({"state":"running"})").status == 200);
    // The agent restarts mid-rebuild: its next poll hands out #2 and settles #1.
    f.now += 30;
    auto next = f.as(f.host, "GET", "/v1/hosts/web1/rebuilds/next?wait=0");
    REQUIRE(next.status == 200);
    CHECK(Json::parse(next.body)["id"] == 2);
    auto first = Json::parse(f.op("GET", "/v1/hosts/web1/rebuilds/1").body);
    CHECK(first["state"] == "failed");
    CHECK(first["finished_at"] == k_now + 30);
    CHECK(first["reason"].get<std::string>().starts_with("no result reported"));
    CHECK(f.db->audit_for("web1", 20).value().front().action == "rebuild-abandoned");  // newest first
    // A late report of the abandoned request is refused: its state is final.
    CHECK(f.as(f.host, "POST", "/v1/hosts/web1/rebuilds/1/status", R"({"state":"succeeded","exit_status":0})").status == 409);
    // #2 was only handed out: it stays queued until the host reports it picked.
    CHECK(Json::parse(f.op("GET", "/v1/hosts/web1/rebuilds/2").body)["state"] == "queued");
  }
}
