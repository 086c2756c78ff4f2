#include <vps/protocol/enrollment_token.hpp>

#include "test_support.hpp"

using namespace vps;

TEST_SUITE("protocol::TokenRequest") {
  TEST_CASE("round-trips, and refuses anything but a host name and an integer lifetime") {
    auto parsed = protocol::parse_token_request(protocol::to_json(protocol::TokenRequest{"web1", 3600}).dump());
    REQUIRE(parsed);
    CHECK(parsed->host == "web1");
    CHECK(parsed->ttl_seconds == 3600);
    for (const char* bad : {R"({"host":"Web 1","ttl_seconds":60})", R"({"host":"web1"})",
                            R"({"host":"web1","ttl_seconds":"60"})", R"({"host":"web1","ttl_seconds":60,"x":1})",
                            R"({"host":"web1","host":"web2","ttl_seconds":60})", "[]", ""}) {
      auto refused = protocol::parse_token_request(bad);
      CHECK_MESSAGE(!refused, bad);
      if (!refused) CHECK(refused.error().code == Errc::malformed);
    }
  }

  TEST_CASE("a grant needs its token, host and expiry") {
    auto grant = protocol::parse_token_grant(protocol::to_json(protocol::TokenGrant{"ab", "web1", 5}));
    REQUIRE(grant);
    CHECK(grant->token == "ab");
    CHECK(grant->expires_at == 5);
    CHECK_FALSE(protocol::parse_token_grant(nlohmann::json{{"token", "ab"}, {"host", "web1"}}));
  }
}
