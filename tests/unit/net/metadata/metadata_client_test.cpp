#include <doctest/doctest.h>

#include <chrono>

#include <vps/net/metadata/instance_facts.hpp>
#include <vps/net/metadata/metadata_client.hpp>

#include "fake_metadata.hpp"
#include "test_support.hpp"

using namespace vps;
using namespace vps::net::metadata;
using namespace std::chrono_literals;

namespace {

DiscoveryOptions options_for(const std::string& base_url, const std::filesystem::path& dmi) {
  DiscoveryOptions options;
  options.metadata.base_url = base_url;
  options.metadata.timeout = 1000ms;
  options.dmi_path = dmi;
  return options;
}

MetadataOptions options_at(const std::string& base_url) {
  MetadataOptions options;
  options.base_url = base_url;
  return options;
}

// A loopback port where nothing listens (bound, then released).
std::string dead_url() {
  auto server = net::http::Server::start({}, [](const net::http::Request&) { return net::http::Response{}; });
  REQUIRE(server);
  auto port = (*server)->local_port();
  return "http://127.0.0.1:" + std::to_string(port);
}

}  // namespace

TEST_SUITE("net::metadata::MetadataClient") {
  TEST_CASE("token flow, instance id and user-data") {
    test::FakeMetadata fake;
    fake.user_data_body = test::base64_of("#cloud-config\nvps_agent:\n  enrollment_token: tok-1\n");
    fake.start();
    auto client = MetadataClient::create(options_at(fake.base_url()));
    REQUIRE(client);
    REQUIRE(client->authenticate());
    CHECK(fake.token_requests == 1);
    CHECK(*client->instance_id() == "51234567");
    auto user_data = client->user_data();
    REQUIRE(user_data);
    REQUIRE(*user_data);
    CHECK(user_data->value().find("tok-1") != std::string::npos);
    CHECK(fake.unauthorized == 0);
  }
  TEST_CASE("requests without the token are refused by the service") {
    test::FakeMetadata fake;
    fake.start();
    auto client = MetadataClient::create(options_at(fake.base_url()));
    REQUIRE(client);
    auto id = client->instance_id();  // no authenticate()
    REQUIRE_FALSE(id);
    CHECK(id.error().code == Errc::refused);
    CHECK(id.error().message.find("401") != std::string::npos);
  }
  TEST_CASE("base URL must be loopback or link-local when plain http") {
    auto client = MetadataClient::create(options_at("http://192.0.2.7"));
    REQUIRE_FALSE(client);
    CHECK(client.error().code == Errc::config);
    CHECK(MetadataClient::create(options_at("http://169.254.169.254")));
  }
}

TEST_SUITE("net::metadata::discover") {
  TEST_CASE("reads the token from plain, base64 and gzip user-data") {
    const std::string text = "#cloud-config\nvps_agent:\n  enrollment_token: tok-xyz\n  endpoint: https://e.example\n";
    for (const auto& body : {text, test::base64_of(text), test::base64_of(test::gzip_bytes(text))}) {
      test::FakeMetadata fake;
      fake.user_data_body = body;
      fake.start();
      auto facts = discover(options_for(fake.base_url(), "/nonexistent"), [](const std::string&) {});
      REQUIRE(facts);
      CHECK(facts->source == "metadata");
      CHECK(facts->instance_id == "51234567");
      CHECK(facts->token == "tok-xyz");
      CHECK(facts->endpoint == "https://e.example");
    }
  }
  TEST_CASE("no user-data: metadata id, no token") {
    test::FakeMetadata fake;
    fake.start();
    auto facts = discover(options_for(fake.base_url(), "/nonexistent"), [](const std::string&) {});
    REQUIRE(facts);
    CHECK_FALSE(facts->token);
    auto options = options_for(fake.base_url(), "/nonexistent");
    options.require_token = true;
    auto required = discover(options, [](const std::string&) {});
    REQUIRE_FALSE(required);
    CHECK(required.error().code == Errc::config);
  }
  TEST_CASE("unreachable service falls back to DMI without a token") {
    test::TempDir dir;
    test::write_text(dir / "product_serial", "98765432\n");
    std::string warning;
    const auto start = std::chrono::steady_clock::now();
    auto facts = discover(options_for(dead_url(), dir / "product_serial"), [&](const std::string& w) { warning = w; });
    REQUIRE(facts);
    CHECK(facts->source == "dmi");
    CHECK(facts->instance_id == "98765432");
    CHECK_FALSE(facts->token);
    CHECK(warning.find("falling back to DMI") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
  }
  TEST_CASE("unreachable service with require_token is retryable") {
    test::TempDir dir;
    test::write_text(dir / "product_serial", "98765432\n");
    auto options = options_for(dead_url(), dir / "product_serial");
    options.require_token = true;
    auto facts = discover(options, [](const std::string&) {});
    REQUIRE_FALSE(facts);
    CHECK(facts.error().code == Errc::retry);
  }
  TEST_CASE("no metadata and no DMI serial is reported") {
    auto options = options_for(dead_url(), "/nonexistent/product_serial");
    auto facts = discover(options, [](const std::string&) {});
    REQUIRE_FALSE(facts);
    CHECK(facts.error().message.find("no instance id") != std::string::npos);
  }
}
