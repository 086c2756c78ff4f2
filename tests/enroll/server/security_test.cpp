// Hostile requests against the real server: each is refused with the right status and leaves
// the store (hosts, enrollments, tokens, bundles) unchanged.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "server_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

// A fixture with one approved host (web1) holding a bundle, one pending host (db1).
struct Populated : ServerFixture {
  vps::crypto::Ed25519KeyPair web = key_pair();
  vps::crypto::Ed25519KeyPair db = key_pair();
  Populated() {
    REQUIRE(publish(web, "web1").status == 202);
    REQUIRE(publish(db, "db1").status == 202);
    REQUIRE(signed_as(alice, "POST", "/v1/hosts/web1/approve").status == 200);
    REQUIRE(push(web, "web1", "app.age", k_age_ciphertext).status == 201);
  }
};

vps::net::http::Request raw(const std::string& method, const std::string& target, const std::string& body = "") {
  vps::net::http::Request r;
  r.method = method;
  r.target = target;
  r.body = body;
  return r;
}

}  // namespace

TEST_SUITE("enroll::server::security") {
  TEST_CASE("unsigned, badly signed and unknown-key requests") {
    Populated f;
    const auto before = f.snap();
    CHECK(f.send(raw("POST", "/v1/hosts/db1/approve")).status == 401);
    auto bad = f.sign(f.alice, "POST", "/v1/hosts/db1/approve");
    bad.target = "/v1/hosts/web1/reject";
    CHECK(f.send(bad).status == 401);
    auto unknown = f.signed_as(f.mallory, "POST", "/v1/hosts/db1/approve");
    CHECK(unknown.status == 403);
    CHECK(Json::parse(unknown.body)["error"].get<std::string>().find("not an authorized operator") != std::string::npos);
    CHECK(f.snap() == before);
  }

  TEST_CASE("expired and future timestamps, replayed nonces") {
    Populated f;
    const auto before = f.snap();
    CHECK(f.send(f.sign(f.alice, "POST", "/v1/hosts/db1/approve", "", unix_now() - 3600)).status == 401);
    CHECK(f.send(f.sign(f.alice, "POST", "/v1/hosts/db1/approve", "", unix_now() + 3600)).status == 401);
    CHECK(f.send(publish_request(publication_body(key_pair(), "new1", unix_now() - 3600, {}, f.origin()))).status == 401);
    CHECK(f.snap() == before);
    auto once = f.sign(f.alice, "POST", "/v1/hosts/db1/reject");
    CHECK(f.send(once).status == 200);
    const auto after = f.snap();
    CHECK(f.send(once).status == 401);  // replay
    CHECK(f.snap() == after);
    auto publication = publish_request(publication_body(key_pair(), "new2", unix_now(), {}, f.origin()));
    CHECK(f.send(publication).status == 202);
    const auto published = f.snap();
    CHECK(f.send(publication).status == 401);
    CHECK(f.snap() == published);
  }

  TEST_CASE("oversized bodies and malformed JSON") {
    Populated f;
    const auto before = f.snap();
    // Over the server's body limit (default 1 MiB): the server answers 413 before routing.
    // The server answers 413 as soon as it sees Content-Length and closes; a client still
    // writing the body may see that as a reset instead of reading the 413. Either way: refused.
    auto big = f.try_send(f.sign(f.alice, "PUT", "/v1/hosts/web1/bundles/big.age",
                                         std::string("age-encryption.org/v1\n") + std::string(2 * 1024 * 1024, 'x'),
                                         unix_now()));
    CHECK((!big || big->status == 413));
    CHECK(f.send(publish_request(std::string(64 * 1024, '{'))).status == 413);
    CHECK(f.send(publish_request("{\"publication\": [")).status == 400);
    CHECK(f.signed_as(f.alice, "POST", "/v1/hosts/db1/approve", "{\"fingerprint\":").status == 400);
    CHECK(f.signed_as(f.alice, "POST", "/v1/tokens", "null").status == 400);
    CHECK(f.snap() == before);
  }

  TEST_CASE("path traversal in host and secret names") {
    Populated f;
    const auto before = f.snap();
    for (const char* target : {"/v1/hosts/../../etc/passwd", "/v1/hosts/web1/bundles/..", "/v1/hosts/web1/bundles/%2e%2e%2fx",
                               "/v1/hosts/web1/bundles/.ssh", "/v1/hosts/WEB1/bundles", "/v1/hosts/web1//bundles"}) {
      auto r = f.signed_as(f.alice, "GET", target);
      CHECK_MESSAGE(r.status == 400, target);
    }
    CHECK(f.signed_as(f.alice, "PUT", "/v1/hosts/web1/bundles/..", k_age_ciphertext).status == 400);
    CHECK(f.cli({"push", "web1", "--name", "../x", (f.dir / "operators").string()}).exit_code == 64);
    CHECK(f.cli({"show", "../web1"}).exit_code == 64);
    CHECK(f.snap() == before);
  }

  TEST_CASE("a host cannot read another host's bundle or approve itself") {
    Populated f;
    const auto before = f.snap();
    CHECK(f.signed_as(f.db, "GET", "/v1/hosts/web1/bundles/app.age").status == 403);
    CHECK(f.signed_as(f.db, "GET", "/v1/hosts/web1/bundles").status == 403);
    CHECK(f.signed_as(f.db, "GET", "/v1/hosts/db1/bundles").status == 403);  // pending: nothing yet
    CHECK(f.signed_as(f.db, "POST", "/v1/hosts/db1/approve").status == 403);
    CHECK(f.signed_as(f.web, "GET", "/v1/hosts/web1/bundles/app.age").status == 200);
    CHECK(f.snap() == before);
  }

  TEST_CASE("reused token and a foreign key for an enrolled host") {
    Populated f;
    auto token = Json::parse(f.signed_as(f.alice, "POST", "/v1/tokens", R"({"host":"new1","ttl_seconds":600})").body)["token"]
                     .get<std::string>();
    REQUIRE(f.publish(key_pair(), "new1", token).status == 201);
    const auto before = f.snap();
    CHECK(f.publish(key_pair(), "new2", token).status == 403);
    CHECK(f.snap() == before);
    auto flagged = f.publish(key_pair(), "web1");
    CHECK(flagged.status == 202);  // answered like a new name: nobody learns web1 exists
    auto store = vps::enroll::store::Store::open(f.db_path).value();
    CHECK(store->find_host("web1").value()->key.fingerprint == fingerprint(f.web));
  }

  TEST_CASE("a slow client holding a connection is cut by the request timeout") {
    Populated f;
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(f.server->port());
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{8, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const std::string partial = "POST /v1/enrollments HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{";
    REQUIRE(write(fd, partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));
    const auto start = std::chrono::steady_clock::now();
    char buffer[256];
    const ssize_t n = read(fd, buffer, sizeof buffer);  // 0 (closed) or -1 (reset) once cut
    const auto waited = std::chrono::steady_clock::now() - start;
    close(fd);
    CHECK(n <= 0);
    CHECK(waited < std::chrono::seconds(6));
    // The server still serves others.
    CHECK(f.signed_as(f.alice, "GET", "/v1/hosts").status == 200);
  }

  TEST_CASE("state changes are audited") {
    Populated f;
    const auto count = f.audit_count();
    CHECK(count >= 4);  // two publications, an approval, an upload
    REQUIRE(f.signed_as(f.alice, "POST", "/v1/hosts/db1/reject").status == 200);
    CHECK(f.audit_count() == count + 1);
    CHECK(f.signed_as(f.mallory, "POST", "/v1/hosts/db1/approve").status == 403);
    CHECK(f.audit_count() == count + 1);
  }
}
