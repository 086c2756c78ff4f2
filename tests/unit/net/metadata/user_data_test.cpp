#include <doctest/doctest.h>

#include <vps/net/metadata/gzip.hpp>
#include <vps/net/metadata/user_data.hpp>

#include "fake_metadata.hpp"

using namespace vps;
using namespace vps::net::metadata;

TEST_SUITE("net::metadata::user_data") {
  TEST_CASE("decodes plain, base64 and gzip+base64 bodies") {
    const std::string text = "#cloud-config\nvps_agent:\n  enrollment_token: abc\n";
    CHECK(*decode_user_data(text) == text);
    CHECK(*decode_user_data(test::base64_of(text)) == text);
    CHECK(*decode_user_data(test::base64_of(text) + "\n") == text);
    CHECK(*decode_user_data(test::base64_of(test::gzip_bytes(text))) == text);
  }
  TEST_CASE("rejects corrupt gzip and oversized output") {
    auto gz = test::gzip_bytes(std::string(5000, 'a'));
    auto truncated = gunzip(as_bytes(gz.substr(0, gz.size() / 2)), 1 << 20);
    REQUIRE_FALSE(truncated);
    CHECK(truncated.error().code == Errc::malformed);
    auto capped = gunzip(as_bytes(gz), 100);
    REQUIRE_FALSE(capped);
    CHECK(capped.error().code == Errc::malformed);
    auto trailing = gunzip(as_bytes(gz + "xx"), 1 << 20);
    REQUIRE_FALSE(trailing);
    CHECK(gunzip(as_bytes(gz), 1 << 20)->size() == 5000);
  }
  TEST_CASE("cloud-config form") {
    auto hints = parse_enrollment_hints(
        "#cloud-config\npackages: [htop]\nvps_agent:\n  enrollment_token: \"tok.EN-1\"\n"
        "  endpoint: https://enroll.example.org\n");
    REQUIRE(hints);
    CHECK(hints->token == "tok.EN-1");
    CHECK(hints->endpoint == "https://enroll.example.org");
  }
  TEST_CASE("line form inside a script") {
    auto hints = parse_enrollment_hints("#!/bin/sh\necho hi\nVPS_ENROLLMENT_TOKEN=tok2\r\n");
    REQUIRE(hints);
    CHECK(hints->token == "tok2");
    CHECK_FALSE(hints->endpoint);
  }
  TEST_CASE("no hints in unrelated user-data") {
    auto hints = parse_enrollment_hints("#cloud-config\npackages: [htop]\n");
    REQUIRE(hints);
    CHECK_FALSE(hints->token);
    CHECK_FALSE(parse_enrollment_hints("#!/bin/sh\n# VPS_ENROLLMENT_TOKEN=commented\n")->token);
  }
  TEST_CASE("conflicting or invalid values are rejected without echoing them") {
    auto conflict =
        parse_enrollment_hints("#vps-agent\nvps_agent:\n  enrollment_token: one\nVPS_ENROLLMENT_TOKEN=two\n");
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().code == Errc::malformed);
    auto invalid = parse_enrollment_hints("VPS_ENROLLMENT_TOKEN=sec ret\n");
    REQUIRE_FALSE(invalid);
    CHECK(invalid.error().message.find("sec") == std::string::npos);
    CHECK_FALSE(parse_enrollment_hints("#cloud-config\nvps_agent:\n  enrolment_token: typo\n"));
    CHECK_FALSE(parse_enrollment_hints("#cloud-config\nvps_agent: [1]\n"));
    CHECK_FALSE(parse_enrollment_hints("#cloud-config\nvps_agent: {endpoint: ftp://x}\n"));
  }
}
