// A compromised endpoint cannot plant or roll back a secret (issue 16, finding 1; DESIGN.md's
// threat model): `vps-agent secrets` against a FAKE endpoint that serves bundles encrypted to
// the host's (public) recipient. The host installs a bundle only with a manifest signed by an
// operator in its own authorized_operators, for its name, its key and the bundle's exact bytes,
// with a sequence above what it installed before — and it downloads (let alone parses) no byte
// of a bundle whose manifest fails.
#include <doctest/doctest.h>

#include <mutex>

#include <vps/base/base64.hpp>
#include <vps/net/http/server.hpp>

#include "delivery_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::delivery;
using Json = nlohmann::json;

namespace {

// Serves one bundle for web1 ("db.age") with whatever manifest the test sets, and records the
// paths asked for.
struct FakeEndpoint {
  std::mutex mutex;
  std::string content;
  std::string manifest;   // canonical text; "" = none
  std::string signature;  // base64
  std::int64_t sequence = 0;
  std::vector<std::string> requested;
  std::unique_ptr<net::http::Server> server;

  FakeEndpoint() {
    auto started = net::http::Server::start({}, [this](const net::http::Request& request) {
      std::lock_guard lock(mutex);
      requested.push_back(request.target);
      if (request.target == "/v1/hosts/web1/bundles") {
        Json entry{{"name", "db.age"}, {"sha256", hex::encode(crypto::sha256(as_bytes(content)))},
                   {"size", content.size()}, {"uploaded_by", "alice"}, {"uploaded_at", 1}};
        if (!manifest.empty()) {
          entry["manifest"] = manifest;
          entry["signature"] = signature;
          entry["sequence"] = sequence;
        }
        auto response = net::http::Response::text(200, Json{{"host", "web1"}, {"bundles", Json::array({entry})}}.dump());
        return response;
      }
      if (request.target == "/v1/hosts/web1/bundles/db.age") return net::http::Response::text(200, content);
      return net::http::Response::text(404, "{\"error\":\"not found\"}");
    });
    REQUIRE(started);
    server = std::move(*started);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->local_port()); }
  bool downloaded() {
    std::lock_guard lock(mutex);
    return std::find(requested.begin(), requested.end(), "/v1/hosts/web1/bundles/db.age") != requested.end();
  }
  // A manifest for the current content signed by `op`.
  void sign(const crypto::Ed25519KeyPair& op, const std::string& host_key, std::int64_t seq,
            const std::string& name = "db.age", const std::string& host = "web1") {
    protocol::BundleManifest m;
    m.host = host;
    m.host_key = host_key;
    m.name = name;
    m.sha256 = hex::encode(crypto::sha256(as_bytes(content)));
    m.size = static_cast<std::int64_t>(content.size());
    m.sequence = seq;
    auto s = protocol::sign_bundle_manifest(m, crypto::SeedSigner(op.seed)).value();
    manifest = s.text;
    signature = base64::encode(s.signature);
    sequence = seq;
  }
};

const char* k_db_only = "  files:\n    - name: db\n      source: /srv/secrets/db.age\n";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Setup {
  FakeEndpoint endpoint;
  ScratchHost host{"web1"};
  crypto::Ed25519KeyPair alice = test::enroll::key_pair();
  crypto::Ed25519KeyPair mallory = test::enroll::key_pair();
  Setup() {
    host.config(endpoint.url(), k_db_only, {test::enroll::public_line(alice, "alice")});
    endpoint.content = secrets::age_encrypt("ssh-ed25519 AAAAATTACKERKEY attacker@evil", host.recipient);
  }
  std::string host_key() const { return test::enroll::fingerprint(host.key); }
};

}  // namespace

TEST_SUITE("agent::delivery operator-signed bundles") {
  TEST_CASE("an endpoint cannot plant a bundle that no operator signed") {
    Setup s;
    auto r = s.host.agent({"secrets", "--once"});
    INFO(r.err);
    CHECK(r.exit_code == 66);  // still waiting for db.age
    CHECK(r.err.find("no operator-signed manifest") != std::string::npos);
    CHECK(!fs::exists(s.host.src("db.age")));
    CHECK(!fs::exists(s.host.link()));
    CHECK_FALSE(s.endpoint.downloaded());  // refused before a byte of it was fetched
  }

  TEST_CASE("a manifest signed by a key the host does not trust, or for another host or key, is refused") {
    Setup s;
    s.endpoint.sign(s.mallory, s.host_key(), now_ms());
    auto r = s.host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);
    CHECK_MESSAGE(r.err.find("not an authorized operator") != std::string::npos, r.err);
    s.endpoint.sign(s.alice, test::enroll::fingerprint(test::enroll::key_pair()), now_ms());
    r = s.host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);
    CHECK_MESSAGE(r.err.find("not this host's") != std::string::npos, r.err);
    s.endpoint.sign(s.alice, s.host_key(), now_ms(), "db.age", "web2");
    r = s.host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);
    CHECK_MESSAGE(r.err.find("is for host 'web2'") != std::string::npos, r.err);
    CHECK(!fs::exists(s.host.src("db.age")));
    CHECK_FALSE(s.endpoint.downloaded());
  }

  TEST_CASE("bytes other than the signed ones are refused after download, before decryption") {
    Setup s;
    s.endpoint.sign(s.alice, s.host_key(), now_ms());
    s.endpoint.content = secrets::age_encrypt("swapped after signing", s.host.recipient);
    // The listing now reports the new bytes' sha256, but the manifest names the old ones.
    auto r = s.host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);
    CHECK_MESSAGE(r.err.find("differ from the signed manifest") != std::string::npos, r.err);
    CHECK(!fs::exists(s.host.src("db.age")));
  }

  TEST_CASE("a signed bundle is installed once, and never rolled back to an older sequence") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    Setup s;
    const std::int64_t seq = now_ms();
    s.endpoint.content = secrets::age_encrypt("new-secret", s.host.recipient);
    s.endpoint.sign(s.alice, s.host_key(), seq);
    auto r = s.host.agent({"secrets", "--once"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(read_text(s.host.link() / "db") == "new-secret");
    const auto sequences = Json::parse(read_text(s.host.root / "var/lib/vps-agent/bundle-sequences.json"));
    CHECK(sequences["db.age"] == seq);
    // The source disappears (a local clean-up); the endpoint offers an OLDER, validly signed bundle.
    fs::remove(s.host.src("db.age"));
    s.endpoint.content = secrets::age_encrypt("old-secret", s.host.recipient);
    s.endpoint.sign(s.alice, s.host_key(), seq - 1000);
    r = s.host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);
    CHECK_MESSAGE(r.err.find("a replay or a rollback") != std::string::npos, r.err);
    CHECK(!fs::exists(s.host.src("db.age")));
    CHECK(read_text(s.host.link() / "db") == "new-secret");  // the live generation is untouched
  }

  TEST_CASE("a sequence far ahead of the host's clock is refused (it would lock out every later push)") {
    Setup s;
    s.endpoint.sign(s.alice, s.host_key(), INT64_MAX);
    auto r = s.host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);
    CHECK_MESSAGE(r.err.find("more than 24 h ahead") != std::string::npos, r.err);
    CHECK_FALSE(s.endpoint.downloaded());
  }
}
