#include <doctest/doctest.h>

#include <vps/net/http/url.hpp>

using namespace vps;
using namespace vps::net::http;

TEST_SUITE("net::http::Url") {
  TEST_CASE("parses https with default port and path") {
    auto url = parse_url("https://Enroll.Example.org/api/");
    REQUIRE(url);
    CHECK(url->scheme == "https");
    CHECK(url->host == "enroll.example.org");
    CHECK(url->port == 443);
    CHECK(url->path == "/api");
    CHECK(url->target("/v1/enrollments") == "/api/v1/enrollments");
    CHECK(url->authority() == "enroll.example.org");
    CHECK(url->to_string() == "https://enroll.example.org/api");
  }
  TEST_CASE("parses IPv4 and bracketed IPv6 with ports") {
    auto v4 = parse_url("http://127.0.0.1:8080");
    REQUIRE(v4);
    CHECK(v4->port == 8080);
    CHECK(v4->target("/x") == "/x");
    CHECK(v4->authority() == "127.0.0.1:8080");
    auto v6 = parse_url("http://[::1]:9000/p");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->authority() == "[::1]:9000");
    CHECK(v6->host_is_ip());
  }
  TEST_CASE("rejects ambiguous or unsupported forms") {
    for (const char* bad : {"ftp://x", "https://", "https://user@host/", "https://host:0", "https://host:65536",
                            "https://host:08", "https://host:", "https://host/a?b", "https://host/a#f",
                            "https://host/%41", "https://host/a//b", "https://host/../x", "https://ho st/",
                            "https://[::1", "https://[x]/", "HTTPS://host", "https://-host/", "https://host/a b"}) {
      INFO(bad);
      auto url = parse_url(bad);
      REQUIRE_FALSE(url);
      CHECK(url.error().code == Errc::config);
    }
  }
  TEST_CASE("classifies loopback and link-local hosts") {
    CHECK(is_loopback_host("127.0.0.1"));
    CHECK(is_loopback_host("127.9.8.7"));
    CHECK(is_loopback_host("::1"));
    CHECK(is_loopback_host("localhost"));
    CHECK(is_loopback_host("::ffff:127.0.0.1"));
    CHECK_FALSE(is_loopback_host("10.0.0.1"));
    CHECK_FALSE(is_loopback_host("localhost.example.org"));
    CHECK(is_link_local_host("169.254.169.254"));
    CHECK(is_link_local_host("fe80::1"));
    CHECK_FALSE(is_link_local_host("169.253.1.1"));
    CHECK_FALSE(is_link_local_host("example.org"));
  }
}
