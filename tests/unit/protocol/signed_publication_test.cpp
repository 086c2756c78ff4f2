#include <doctest/doctest.h>

#include <vps/base/base64.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/protocol/signed_publication.hpp>

using namespace vps;
using namespace vps::protocol;

namespace {

Publication sample(const crypto::Ed25519Public& key) {
  Publication p;
  p.endpoint = "https://enroll.example.org:443";
  p.hostname = "web-1";
  p.instance_id = "51234567";
  p.ssh_public_key = ssh_public_key_field(key);
  p.age_recipient = *age_recipient_for(key);
  p.fingerprint = formats::openssh::sha256_fingerprint(key);
  p.boot_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  p.timestamp = 1795000000;
  p.nonce = new_nonce();
  p.token = "enroll-token-1";
  return p;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_SUITE("protocol::SignedPublication") {
  TEST_CASE("sign, serialize, parse and verify round-trip") {
    auto keys = crypto::ed25519_generate();
    auto signed_pub = sign(sample(keys.public_key), crypto::SeedSigner(keys.seed));
    REQUIRE(signed_pub);
    CHECK(verify(*signed_pub));
    auto text = serialize(*signed_pub);
    auto parsed = parse_signed_publication(text);
    REQUIRE(parsed);
    CHECK(verify(*parsed));
    CHECK(serialize(*parsed) == text);
    CHECK(parsed->publication.token == "enroll-token-1");
  }
  TEST_CASE("verification fails for any altered field") {
    auto keys = crypto::ed25519_generate();
    auto signed_pub = *sign(sample(keys.public_key), crypto::SeedSigner(keys.seed));
    SUBCASE("hostname") { signed_pub.publication.hostname = "web-2"; }
    SUBCASE("instance_id") { signed_pub.publication.instance_id = "51234568"; }
    SUBCASE("timestamp") { signed_pub.publication.timestamp += 1; }
    SUBCASE("nonce") { signed_pub.publication.nonce = new_nonce(); }
    SUBCASE("token removed") { signed_pub.publication.token.reset(); }
    SUBCASE("signature bit") { signed_pub.signature[10] ^= 1; }
    auto status = verify(signed_pub);
    REQUIRE_FALSE(status);
    CHECK(status.error().code == Errc::integrity);
  }
  TEST_CASE("a record signed by another key does not verify") {
    auto host = crypto::ed25519_generate();
    auto attacker = crypto::ed25519_generate();
    auto signed_pub = *sign(sample(attacker.public_key), crypto::SeedSigner(attacker.seed));
    // Swap in the victim's key and derived fields, keep the attacker's signature.
    signed_pub.publication.ssh_public_key = ssh_public_key_field(host.public_key);
    signed_pub.publication.fingerprint = formats::openssh::sha256_fingerprint(host.public_key);
    signed_pub.publication.age_recipient = *age_recipient_for(host.public_key);
    auto status = verify(signed_pub);
    REQUIRE_FALSE(status);
    CHECK(status.error().code == Errc::integrity);
  }
  TEST_CASE("signing with a key that is not the record's is refused") {
    auto host = crypto::ed25519_generate();
    auto other = crypto::ed25519_generate();
    auto signed_pub = sign(sample(host.public_key), crypto::SeedSigner(other.seed));
    REQUIRE_FALSE(signed_pub);
    CHECK(signed_pub.error().code == Errc::internal);
  }
  TEST_CASE("the signature covers the domain separator") {
    auto keys = crypto::ed25519_generate();
    auto p = sample(keys.public_key);
    auto json = canonical_json(p);
    // A signature over the bare canonical JSON (no domain) must not verify.
    SignedPublication forged{p, crypto::ed25519_sign(keys.seed, as_bytes(json))};
    CHECK_FALSE(verify(forged));
  }
  TEST_CASE("strict parser rejects malformed envelopes") {
    auto keys = crypto::ed25519_generate();
    auto text = serialize(*sign(sample(keys.public_key), crypto::SeedSigner(keys.seed)));
    const std::vector<std::string> bad = {
        "",
        "[]",
        "{",
        replace(text, "\"version\":2", "\"version\":1,\"extra\":2"),
        replace(text, "\"version\":2", "\"version\":\"1\""),
        replace(text, "\"version\":2", "\"version\":1.0"),
        replace(text, "{\"publication\":{", "{\"publication\":{\"hostname\":\"x\","),  // duplicate key
        replace(text, "\"timestamp\":", "\"timestamp\":-"),
        replace(text, "\"hostname\":\"web-1\"", "\"hostname\":1"),
        replace(text, "\"hostname\":\"web-1\"", "\"hostname\":\"web-1\",\"colour\":\"red\""),
        replace(text, "\"signature\":\"", "\"signature\":\"AAAA"),
        text.substr(0, text.size() - 1),
        text + std::string(k_max_publication_bytes, ' '),
    };
    for (const auto& candidate : bad) {
      INFO(candidate.substr(0, 200));
      auto parsed = parse_signed_publication(candidate);
      REQUIRE_FALSE(parsed);
      CHECK(parsed.error().code == Errc::malformed);
    }
    // Version 1 (not bound to an endpoint) is no longer accepted; neither is a future one.
    for (const char* version : {"1", "3"}) {
      auto other = parse_signed_publication(replace(text, "\"version\":2", std::string("\"version\":") + version));
      REQUIRE_FALSE(other);
      CHECK(other.error().code == Errc::unsupported);
    }
    auto no_endpoint = parse_signed_publication(replace(text, "\"endpoint\":\"https://enroll.example.org:443\",", ""));
    REQUIRE_FALSE(no_endpoint);
    CHECK(no_endpoint.error().code == Errc::malformed);
  }
  TEST_CASE("freshness window") {
    auto keys = crypto::ed25519_generate();
    auto p = sample(keys.public_key);
    CHECK(check_freshness(p, p.timestamp + 299, 300));
    CHECK(check_freshness(p, p.timestamp - 300, 300));
    auto late = check_freshness(p, p.timestamp + 301, 300);
    REQUIRE_FALSE(late);
    CHECK(late.error().code == Errc::refused);
  }
  TEST_CASE("enrollment reply") {
    CHECK(parse_enrollment_reply(R"({"status":"pending","id":7})")->status == "pending");
    CHECK(parse_enrollment_reply(serialize(EnrollmentReply{"approved"}))->status == "approved");
    CHECK_FALSE(parse_enrollment_reply(R"({"status":"maybe"})"));
    CHECK_FALSE(parse_enrollment_reply(R"({"status":"pending","status":"approved"})"));
    CHECK_FALSE(parse_enrollment_reply("not json"));
  }
}
