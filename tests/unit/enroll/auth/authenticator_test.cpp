#include <vps/enroll/auth/authenticator.hpp>

#include "../enroll_fixture.hpp"
#include "test_support.hpp"

using namespace vps::enroll;
namespace fx = vps::test::enroll;

namespace {

constexpr std::int64_t k_now = 1'800'000'000;

struct Fixture {
  vps::crypto::Ed25519KeyPair alice = fx::key_pair();
  std::unique_ptr<store::Store> db = store::Store::open(":memory:").value();
  auth::Operators operators = auth::Operators::parse(fx::public_line(alice, "alice") + "\n", "ops").value();
  auth::AuthPolicy policy = fx::test_policy().auth;

  auth::AuthResult check(const vps::net::http::Request& r, std::int64_t now = k_now) {
    return auth::authenticate(r, *db, operators, policy, now);
  }
};

}  // namespace

TEST_SUITE("enroll::auth::authenticate") {
  TEST_CASE("accepts an operator's signed request once") {
    Fixture f;
    auto r = fx::signed_request(f.alice, "GET", "/v1/hosts", "", k_now);
    auto caller = f.check(r);
    REQUIRE(caller);
    CHECK(caller->is_operator());
    CHECK(caller->actor() == "operator:alice");
    auto replay = f.check(r);
    REQUIRE(!replay);
    CHECK(replay.error().status == 401);
    CHECK(replay.error().reason.find("nonce") != std::string::npos);
  }

  TEST_CASE("an unknown key authenticates but is not an operator") {
    Fixture f;
    auto caller = f.check(fx::signed_request(fx::key_pair(), "GET", "/v1/hosts", "", k_now));
    REQUIRE(caller);
    CHECK(!caller->is_operator());
    auto required = auth::require_operator(*caller);
    REQUIRE(!required);
    CHECK(required.error().status == 403);
  }

  TEST_CASE("missing headers are 401") {
    Fixture f;
    vps::net::http::Request r;
    r.target = "/v1/hosts";
    auto caller = f.check(r);
    REQUIRE(!caller);
    CHECK(caller.error().status == 401);
    CHECK(caller.error().reason == "unsigned request");
  }

  TEST_CASE("a signature over another path, method or body is 401") {
    Fixture f;
    auto r = fx::signed_request(f.alice, "POST", "/v1/hosts/a/approve", "{}", k_now);
    auto other_path = r;
    other_path.target = "/v1/hosts/b/approve";
    auto other_body = r;
    other_body.body = "{\"fingerprint\":\"x\"}";
    auto other_method = r;
    other_method.method = "PUT";
    for (const auto& bad : {other_path, other_body, other_method}) {
      auto caller = f.check(bad);
      REQUIRE(!caller);
      CHECK(caller.error().status == 401);
      CHECK(caller.error().reason == "bad signature");
    }
    CHECK(f.check(r));  // the bad attempts did not burn the real nonce
  }

  TEST_CASE("timestamps outside the window are 401") {
    Fixture f;
    CHECK(f.check(fx::signed_request(f.alice, "GET", "/v1/hosts", "", k_now - 301)).error().status == 401);
    CHECK(f.check(fx::signed_request(f.alice, "GET", "/v1/hosts", "", k_now + 301)).error().status == 401);
    CHECK(f.check(fx::signed_request(f.alice, "GET", "/v1/hosts", "", k_now + 300)));
    CHECK(f.check(fx::signed_request(f.alice, "GET", "/v1/hosts", "", k_now - 300)));
  }

  TEST_CASE("a replay after the window is refused by the timestamp") {
    Fixture f;
    auto r = fx::signed_request(f.alice, "GET", "/v1/hosts", "", k_now);
    REQUIRE(f.check(r));
    // Nonce expired and purged, but the timestamp is now stale.
    CHECK(f.check(r, k_now + 10'000).error().status == 401);
  }

  TEST_CASE("a request signed for another endpoint is 401 before its signature or nonce count") {
    Fixture f;
    auto relayed = fx::signed_request(f.alice, "POST", "/v1/tokens", "{}", k_now, "https://staging.example.org:443");
    auto caller = f.check(relayed);
    REQUIRE(!caller);
    CHECK(caller.error().status == 401);
    CHECK(caller.error().reason.find("signed for endpoint https://staging.example.org:443") != std::string::npos);
    // Presenting it under this endpoint's name does not help: the signature covers the name.
    auto renamed = relayed;
    for (auto& h : renamed.headers)
      if (h.name == "X-Vps-Endpoint") h.value = fx::k_test_endpoint;
    CHECK(f.check(renamed).error().reason == "bad signature");
    // Without the header at all: not bound, 401.
    auto unbound = relayed;
    std::erase_if(unbound.headers, [](const auto& h) { return h.name == "X-Vps-Endpoint"; });
    CHECK(f.check(unbound).error().reason.find("not bound to an endpoint") != std::string::npos);
  }
}
