#include <vps/protocol/signed_request.hpp>

#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/formats/openssh/fingerprint.hpp>

#include "test_support.hpp"

using namespace vps;

TEST_SUITE("protocol::signed_request") {
  TEST_CASE("signing bytes are the documented canonical string") {
    const Bytes bytes = protocol::request_signing_bytes("POST", "/v1/tokens", "{}", 1700000000,
                                                        "00112233445566778899aabbccddeeff", "SHA256:abc");
    const std::string expected = "vps-agent request v1\nPOST\n/v1/tokens\n" +
                                 hex::encode(crypto::sha256(as_bytes("{}"))) +
                                 "\n1700000000\n00112233445566778899aabbccddeeff\nSHA256:abc\n";
    CHECK(std::string(bytes.begin(), bytes.end()) == expected);
  }

  TEST_CASE("sign, parse and verify round-trip; any change breaks it") {
    auto key = crypto::ed25519_generate();
    auto h = protocol::sign_request("GET", "/v1/hosts", "", key.seed, 1700000000);
    auto creds = protocol::parse_request_headers(h.key, h.timestamp, h.nonce, h.signature);
    REQUIRE(creds);
    CHECK(creds->fingerprint == formats::openssh::sha256_fingerprint(key.public_key));
    CHECK(protocol::verify_request(*creds, "GET", "/v1/hosts", ""));
    CHECK(protocol::verify_request(*creds, "GET", "/v1/hosts/x", "").error().code == Errc::integrity);
    CHECK(protocol::verify_request(*creds, "GET", "/v1/hosts", "x").error().code == Errc::integrity);
    auto later = *creds;
    later.timestamp += 1;
    CHECK(!protocol::verify_request(later, "GET", "/v1/hosts", ""));
  }

  TEST_CASE("headers are parsed strictly") {
    auto key = crypto::ed25519_generate();
    auto h = protocol::sign_request("GET", "/", "", key.seed, 1700000000);
    CHECK(protocol::parse_request_headers(std::nullopt, h.timestamp, h.nonce, h.signature).error().code ==
          Errc::unauthorized);
    CHECK(protocol::parse_request_headers(h.key + " comment", h.timestamp, h.nonce, h.signature).error().code ==
          Errc::malformed);
    CHECK(!protocol::parse_request_headers(h.key, "-5", h.nonce, h.signature));
    CHECK(!protocol::parse_request_headers(h.key, "01700000000", h.nonce, h.signature));
    CHECK(!protocol::parse_request_headers(h.key, h.timestamp, "ABCDEF", h.signature));
    CHECK(!protocol::parse_request_headers(h.key, h.timestamp, h.nonce, h.signature.substr(4)));
  }

  TEST_CASE("freshness window is inclusive") {
    CHECK(protocol::check_request_freshness(100, 400, 300));
    CHECK(protocol::check_request_freshness(700, 400, 300));
    CHECK(protocol::check_request_freshness(99, 400, 300).error().code == Errc::refused);
  }
}
