// serve.yaml: the connection limits and deadlines of the HTTP server.
#include <doctest/doctest.h>

#include <vps/enroll/server/serve_config.hpp>

using namespace vps;
using namespace std::chrono_literals;
using vps::enroll::server::parse_serve_config;

TEST_SUITE("enroll::server::ServeConfig connections") {
  TEST_CASE("defaults: short first-byte and header deadlines, per-address cap, room for a fleet") {
    auto config = parse_serve_config("", "serve.yaml").value();
    CHECK(config.http.first_byte_timeout == 10s);
    CHECK(config.http.header_timeout == 10s);
    CHECK(config.http.request_timeout == 30s);
    CHECK(config.http.idle_timeout == 60s);
    CHECK(config.http.max_connections == 2048);
    CHECK(config.http.max_connections_per_address == 32);
  }

  TEST_CASE("connection limits and deadlines are read") {
    auto config = parse_serve_config("first_byte_timeout_seconds: 5\nheader_timeout_seconds: 7\n"
                                     "max_connections: 4000\nmax_connections_per_address: 4000\n",
                                     "serve.yaml")
                      .value();
    CHECK(config.http.first_byte_timeout == 5s);
    CHECK(config.http.header_timeout == 7s);
    CHECK(config.http.max_connections == 4000);
    CHECK(config.http.max_connections_per_address == 4000);
  }

  TEST_CASE("out-of-range limits are configuration errors naming the key") {
    for (const std::string yaml : {"first_byte_timeout_seconds: 0", "header_timeout_seconds: 601",
                                   "max_connections_per_address: 0", "max_connections_per_address: many"}) {
      auto config = parse_serve_config(yaml, "serve.yaml");
      REQUIRE_FALSE(config);
      CHECK(config.error().code == Errc::config);
      CHECK(config.error().message.find(yaml.substr(0, yaml.find(':'))) != std::string::npos);
    }
  }
}
