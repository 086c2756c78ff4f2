#include <vps/protocol/signed_request.hpp>

#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/protocol/endpoint_origin.hpp>

#include "test_support.hpp"

using namespace vps;

namespace {

const std::string k_origin = "https://enroll.example.org:443";

protocol::RequestSignatureHeaders sign(const crypto::Ed25519KeyPair& key, const std::string& method,
                                       const std::string& target, const std::string& body,
                                       const std::string& origin = k_origin) {
  return protocol::sign_request(origin, method, target, body, crypto::SeedSigner(key.seed), 1700000000).value();
}

}  // namespace

TEST_SUITE("protocol::signed_request") {
  TEST_CASE("signing bytes are the documented canonical string, endpoint first") {
    const Bytes bytes = protocol::request_signing_bytes(k_origin, "POST", "/v1/tokens", "{}", 1700000000,
                                                        "00112233445566778899aabbccddeeff", "SHA256:abc");
    const std::string expected = "vps-agent request v2\nhttps://enroll.example.org:443\nPOST\n/v1/tokens\n" +
                                 hex::encode(crypto::sha256(as_bytes("{}"))) +
                                 "\n1700000000\n00112233445566778899aabbccddeeff\nSHA256:abc\n";
    CHECK(std::string(bytes.begin(), bytes.end()) == expected);
  }

  TEST_CASE("sign, parse and verify round-trip: any change breaks it, the endpoint included") {
    auto key = crypto::ed25519_generate();
    auto h = sign(key, "GET", "/v1/hosts", "");
    auto creds = protocol::parse_request_headers(h.endpoint, h.key, h.timestamp, h.nonce, h.signature);
    REQUIRE(creds);
    CHECK(creds->endpoint == k_origin);
    CHECK(creds->fingerprint == formats::openssh::sha256_fingerprint(key.public_key));
    CHECK(protocol::verify_request(*creds, "GET", "/v1/hosts", ""));
    CHECK(protocol::verify_request(*creds, "GET", "/v1/hosts/x", "").error().code == Errc::integrity);
    CHECK(protocol::verify_request(*creds, "GET", "/v1/hosts", "x").error().code == Errc::integrity);
    auto later = *creds;
    later.timestamp += 1;
    CHECK(!protocol::verify_request(later, "GET", "/v1/hosts", ""));
    // Presented to another endpoint under that endpoint's name: the signature no longer holds.
    auto relayed = protocol::parse_request_headers("https://staging.example.org:443", h.key, h.timestamp, h.nonce,
                                                   h.signature);
    REQUIRE(relayed);
    CHECK(protocol::verify_request(*relayed, "GET", "/v1/hosts", "").error().code == Errc::integrity);
  }

  TEST_CASE("headers are parsed strictly") {
    auto key = crypto::ed25519_generate();
    auto h = sign(key, "GET", "/", "");
    CHECK(protocol::parse_request_headers(h.endpoint, std::nullopt, h.timestamp, h.nonce, h.signature).error().code ==
          Errc::unauthorized);
    auto unbound = protocol::parse_request_headers(std::nullopt, h.key, h.timestamp, h.nonce, h.signature);
    REQUIRE(!unbound);
    CHECK(unbound.error().code == Errc::unauthorized);
    CHECK(unbound.error().message.find("not bound to an endpoint") != std::string::npos);
    CHECK(protocol::parse_request_headers(h.endpoint, h.key + " comment", h.timestamp, h.nonce, h.signature)
              .error()
              .code == Errc::malformed);
    CHECK(!protocol::parse_request_headers(h.endpoint, h.key, "-5", h.nonce, h.signature));
    CHECK(!protocol::parse_request_headers(h.endpoint, h.key, "01700000000", h.nonce, h.signature));
    CHECK(!protocol::parse_request_headers(h.endpoint, h.key, h.timestamp, "ABCDEF", h.signature));
    CHECK(!protocol::parse_request_headers(h.endpoint, h.key, h.timestamp, h.nonce, h.signature.substr(4)));
    for (const char* bad : {"https://enroll.example.org", "ftp://x:21", "https://Enroll.example.org:443",
                            "https://x:0443", "https://x:65536", "https://x:443/path", "https://[::1:443",
                            "https://x y:443", ""}) {
      INFO(bad);
      CHECK(protocol::parse_request_headers(bad, h.key, h.timestamp, h.nonce, h.signature).error().code ==
            Errc::malformed);
    }
    CHECK(protocol::valid_endpoint_origin("http://[::1]:8443"));
    CHECK(protocol::valid_endpoint_origin("http://127.0.0.1:8443"));
  }

  TEST_CASE("signing for an endpoint that is not a canonical origin is a caller bug") {
    auto key = crypto::ed25519_generate();
    auto r = protocol::sign_request("https://x", "GET", "/", "", crypto::SeedSigner(key.seed), 1700000000);
    REQUIRE(!r);
    CHECK(r.error().code == Errc::internal);
  }

  TEST_CASE("freshness window is inclusive") {
    CHECK(protocol::check_request_freshness(100, 400, 300));
    CHECK(protocol::check_request_freshness(700, 400, 300));
    CHECK(protocol::check_request_freshness(99, 400, 300).error().code == Errc::refused);
  }
}
