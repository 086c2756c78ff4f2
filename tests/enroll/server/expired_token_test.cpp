// An expired enrollment token against the real server: the CLI's minimum TTL is 60 s, so the
// token is inserted into the store with an expiry already in the past (no sleeping). The
// publication is refused with the one answer for every bad token, and the store is unchanged.
#include <nlohmann/json.hpp>

#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>

#include "server_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::enroll;

namespace {

// Stores a token the way POST /v1/tokens does: only the SHA-256 of its text.
std::string insert_token(ServerFixture& f, const std::string& host, std::int64_t expires_at) {
  const std::string token(64, 'e');
  auto store = vps::enroll::store::Store::open(f.db_path).value();
  vps::enroll::store::TokenRecord record;
  record.hash = hex::encode(crypto::sha256(as_bytes(token)));
  record.host = host;
  record.created_by = "alice";
  record.created_at = unix_now() - 7200;
  record.expires_at = expires_at;
  REQUIRE(store->insert_token(record));
  return token;
}

}  // namespace

TEST_SUITE("enroll::server security") {
  TEST_CASE("an expired token is refused and the host is not created") {
    ServerFixture f;
    const std::string token = insert_token(f, "late1", unix_now() - 1);
    const auto before = f.snap();
    auto r = f.publish(key_pair(), "late1", token);
    CHECK(r.status == 403);
    CHECK(nlohmann::json::parse(r.body)["error"] == "enrollment token invalid, expired or already used");
    CHECK(f.snap() == before);
  }

  TEST_CASE("the same token inserted unexpired is accepted and approves the host") {
    ServerFixture f;
    const std::string token = insert_token(f, "late1", unix_now() + 600);
    auto r = f.publish(key_pair(), "late1", token);
    CHECK(r.status == 201);
    CHECK(nlohmann::json::parse(r.body)["status"] == "approved");
  }
}
