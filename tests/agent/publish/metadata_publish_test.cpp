// vps-agent publish with a fake Linode metadata service on 127.0.0.1, and the plain-http
// policy: nothing is ever sent to a non-loopback address.
#include <doctest/doctest.h>

#include <chrono>

#include "fake_metadata.hpp"
#include "publish_fixture.hpp"

using namespace vps;
using namespace vps::test;

namespace {

std::string metadata_config(const std::string& base_url) { return "metadata:\n  base_url: " + base_url + "\n"; }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_SUITE("agent::publish::metadata") {
  TEST_CASE("token and instance id come from the metadata service (gzip user-data)") {
    FakeMetadata metadata;
    metadata.user_data_body =
        base64_of(gzip_bytes("#cloud-config\nvps_agent:\n  enrollment_token: tok-from-user-data\n"));
    metadata.start();
    FakeEndpoint endpoint({200});
    PublishHost host;
    host.configure(endpoint.url(), "", metadata_config(metadata.base_url()));
    auto result = host.publish();
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(metadata.token_requests == 1);
    CHECK(metadata.unauthorized == 0);
    auto publication = endpoint.last_publication();
    CHECK(publication.publication.instance_id == "51234567");
    CHECK(publication.publication.token == "tok-from-user-data");
    CHECK_FALSE(contains(result.err, "tok-from-user-data"));  // the token is never logged
  }
  TEST_CASE("endpoint from user-data when the config has none") {
    FakeEndpoint endpoint({200});
    FakeMetadata metadata;
    metadata.user_data_body =
        base64_of("#!/bin/sh\nVPS_ENROLLMENT_TOKEN=t1\nVPS_ENROLLMENT_ENDPOINT=" + endpoint.url() + "\n");
    metadata.start();
    PublishHost host;
    host.configure("", "", metadata_config(metadata.base_url()));
    auto result = host.publish();
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(endpoint.requests == 1);
  }
  TEST_CASE("unreachable metadata falls back to DMI, without a token") {
    std::string dead;
    {
      FakeMetadata gone;
      gone.start();
      dead = gone.base_url();
    }
    FakeEndpoint endpoint({200});
    PublishHost host;
    host.configure(endpoint.url(), "", metadata_config(dead));
    auto result = host.publish();
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(contains(result.err, "falling back to DMI"));
    auto publication = endpoint.last_publication();
    CHECK(publication.publication.instance_id == "98765432");
    CHECK_FALSE(publication.publication.token);
  }
  TEST_CASE("require_token with unreachable metadata: retryable, nothing published") {
    std::string dead;
    {
      FakeMetadata gone;
      gone.start();
      dead = gone.base_url();
    }
    FakeEndpoint endpoint({200});
    PublishHost host;
    host.configure(endpoint.url(), "  require_token: true\n", metadata_config(dead));
    auto result = host.publish();
    CHECK(result.exit_code == exit_code(Errc::retry));
    CHECK(contains(result.err, "enrollment token required"));
    CHECK(endpoint.requests == 0);
  }
  TEST_CASE("plain http to a non-loopback endpoint from user-data is refused before any traffic") {
    FakeMetadata metadata;
    // 192.0.2.1 is TEST-NET-1: nothing may be sent there; the check must fail at once.
    metadata.user_data_body = base64_of("VPS_ENROLLMENT_ENDPOINT=http://192.0.2.1:8080\n");
    metadata.start();
    PublishHost host;
    host.configure("", "", metadata_config(metadata.base_url()));
    const auto start = std::chrono::steady_clock::now();
    auto result = host.publish();
    INFO(result.err);
    CHECK(result.exit_code == exit_code(Errc::config));
    CHECK(contains(result.err, "refusing plain http://"));
    CHECK(seconds_since(start) < 5);
  }
  TEST_CASE("plain http to a non-loopback endpoint in the config is refused") {
    PublishHost host;
    host.configure("http://192.0.2.1:8080");
    const auto start = std::chrono::steady_clock::now();
    auto result = host.publish();
    INFO(result.err);
    CHECK(result.exit_code == exit_code(Errc::config));
    CHECK(seconds_since(start) < 5);
  }
}
