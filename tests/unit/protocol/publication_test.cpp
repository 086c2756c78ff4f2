#include <doctest/doctest.h>

#include <vps/crypto/curve25519.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/protocol/publication.hpp>

using namespace vps;
using namespace vps::protocol;

namespace {

Publication sample(const crypto::Ed25519Public& key) {
  Publication p;
  p.endpoint = "https://enroll.example.org:443";
  p.hostname = "web-1.example.org";
  p.instance_id = "51234567";
  p.ssh_public_key = ssh_public_key_field(key);
  p.age_recipient = *age_recipient_for(key);
  p.fingerprint = formats::openssh::sha256_fingerprint(key);
  p.boot_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  p.timestamp = 1795000000;
  p.nonce = "00112233445566778899aabbccddeeff";
  return p;
}

}  // namespace

TEST_SUITE("protocol::Publication") {
  TEST_CASE("a well-formed publication validates") {
    auto keys = crypto::ed25519_generate();
    auto p = sample(keys.public_key);
    CHECK(validate(p));
    p.token = "tok-EN_1.2~3+4/5=";
    CHECK(validate(p));
  }
  TEST_CASE("canonical JSON is sorted, compact and stable") {
    crypto::Ed25519Public key{};
    key.fill(7);
    Publication p;
    p.endpoint = "http://e:1";
    p.hostname = "h";
    p.instance_id = "1";
    p.ssh_public_key = "ssh-ed25519 K";
    p.age_recipient = "age1x";
    p.fingerprint = "SHA256:f";
    p.boot_id = "b";
    p.timestamp = 42;
    p.nonce = "n";
    CHECK(canonical_json(p) ==
          R"({"age_recipient":"age1x","boot_id":"b","endpoint":"http://e:1","fingerprint":"SHA256:f","hostname":"h",)"
          R"("instance_id":"1",)"
          R"("nonce":"n","ssh_public_key":"ssh-ed25519 K","timestamp":42})");
    p.token = "t";
    CHECK(canonical_json(p).ends_with(R"("timestamp":42,"token":"t"})"));
    auto bytes = signing_bytes(p);
    CHECK(std::string(bytes.begin(), bytes.end()).starts_with("vps-agent publication v2\n{"));
  }
  TEST_CASE("rejects each invalid field, naming it") {
    auto keys = crypto::ed25519_generate();
    auto other = crypto::ed25519_generate();
    struct Case {
      const char* field;
      std::function<void(Publication&)> mutate;
    };
    const std::vector<Case> cases = {
        {"endpoint", [](Publication& p) { p.endpoint = "https://enroll.example.org"; }},
        {"endpoint", [](Publication& p) { p.endpoint = ""; }},
        {"hostname", [](Publication& p) { p.hostname = "bad host"; }},
        {"hostname", [](Publication& p) { p.hostname = ""; }},
        {"hostname", [](Publication& p) { p.hostname = "a\"b"; }},
        {"instance_id", [](Publication& p) { p.instance_id = "12 34"; }},
        {"ssh_public_key", [](Publication& p) { p.ssh_public_key += " comment"; }},
        {"ssh_public_key", [](Publication& p) { p.ssh_public_key = "ssh-rsa AAAA"; }},
        {"fingerprint",
         [&](Publication& p) { p.fingerprint = formats::openssh::sha256_fingerprint(other.public_key); }},
        {"age_recipient", [&](Publication& p) { p.age_recipient = *age_recipient_for(other.public_key); }},
        {"boot_id", [](Publication& p) { p.boot_id = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"; }},
        {"timestamp", [](Publication& p) { p.timestamp = 0; }},
        {"nonce", [](Publication& p) { p.nonce = "short"; }},
        {"token", [](Publication& p) { p.token = "has space"; }},
        {"token", [](Publication& p) { p.token = std::string(257, 'a'); }},
    };
    for (const auto& c : cases) {
      auto p = sample(keys.public_key);
      c.mutate(p);
      auto status = validate(p);
      INFO(c.field);
      REQUIRE_FALSE(status);
      CHECK(status.error().code == Errc::malformed);
      CHECK(status.error().message.find(c.field) != std::string::npos);
    }
  }
  TEST_CASE("token values never appear in error messages") {
    auto keys = crypto::ed25519_generate();
    auto p = sample(keys.public_key);
    p.token = "secret value";
    auto status = validate(p);
    REQUIRE_FALSE(status);
    CHECK(status.error().message.find("secret") == std::string::npos);
  }
  TEST_CASE("nonces are fresh 32-digit lowercase hex") {
    auto a = new_nonce();
    auto b = new_nonce();
    CHECK(a.size() == 32);
    CHECK(a != b);
  }
}
