// serve.yaml: the limits on unauthenticated publications, bounded like every other setting.
#include <vps/enroll/server/serve_config.hpp>

#include "test_support.hpp"

using namespace vps::enroll::server;

TEST_SUITE("enroll::server::serve_config") {
  TEST_CASE("defaults bound what anyone can make the endpoint store") {
    auto config = parse_serve_config("", "serve.yaml");
    REQUIRE(config);
    CHECK(config->policy.max_pending == 10000);
    CHECK(config->policy.max_pending_per_address == 100);
    CHECK(config->policy.pending_expiry_days == 7);
    CHECK(config->policy.publish_rate.per_minute == 30);
    CHECK(config->policy.publish_rate.burst == 30);
  }

  TEST_CASE("the publication limits are configurable within bounds") {
    auto config = parse_serve_config(
        "max_pending: 50\nmax_pending_per_address: 5\npending_expiry_days: 2\npublish_rate_per_minute: 6\n"
        "publish_burst: 3\n",
        "serve.yaml");
    REQUIRE(config);
    CHECK(config->policy.max_pending == 50);
    CHECK(config->policy.max_pending_per_address == 5);
    CHECK(config->policy.pending_expiry_days == 2);
    CHECK(config->policy.publish_rate.per_minute == 6);
    CHECK(config->policy.publish_rate.burst == 3);
    for (const char* bad : {"max_pending: 0\n", "max_pending_per_address: -1\n", "pending_expiry_days: 0\n",
                            "pending_expiry_days: 3651\n", "publish_rate_per_minute: 0\n", "publish_burst: x\n",
                            "max_pending_per_adress: 5\n"}) {
      auto refused = parse_serve_config(bad, "serve.yaml");
      REQUIRE_MESSAGE(!refused, bad);
      CHECK(refused.error().code == vps::Errc::config);
      CHECK(refused.error().message.starts_with("serve.yaml: "));
    }
  }
}
