#include <doctest/doctest.h>

#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/public_key.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::formats::openssh;

namespace {
// From the sops fixtures (age_keysource_test.mockSshRecipient.pub).
constexpr const char* k_line =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID+Wi8WZw2bXfBpcs/WECttCzP39OkenS6pHWHWGFJvN Test";
}

TEST_SUITE("formats::openssh::PublicKey") {
  TEST_CASE("parses and formats a line byte-for-byte") {
    auto key = parse_public_key_line(std::string(k_line) + "\n");
    REQUIRE(key);
    CHECK(key->comment == "Test");
    CHECK(format_public_key_line(*key) == k_line);
  }
  TEST_CASE("comment may contain spaces: none at all is fine") {
    auto key = parse_public_key_line(std::string(k_line) + " more words  ");
    REQUIRE(key);
    CHECK(key->comment == "Test more words");
    auto bare = parse_public_key_line("ssh-ed25519\tAAAAC3NzaC1lZDI1NTE5AAAAID+Wi8WZw2bXfBpcs/WECttCzP39OkenS6pHWHWGFJvN");
    REQUIRE(bare);
    CHECK(bare->comment.empty());
    CHECK(format_public_key_line(*bare).ends_with("JvN"));
  }
  TEST_CASE("refuses other types as unsupported") {
    auto key = parse_public_key_line("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x");
    REQUIRE(!key);
    CHECK(key.error().code == Errc::unsupported);
    CHECK(key.error().message.find("'ssh-rsa'") != std::string::npos);
  }
  TEST_CASE("refuses a blob whose type differs from the line's") {
    // "ssh-ed25519" label with a blob that says ssh-rsa.
    auto key = parse_public_key_line("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x");
    REQUIRE(!key);
    CHECK(key.error().code == Errc::unsupported);
  }
  TEST_CASE("refuses malformed lines") {
    for (const char* line : {"", "ssh-ed25519", "ssh-ed25519 !!!!", "ssh-ed25519 AAAA",
                             "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID+Wi8WZw2bXfBpcs/WECttCzP39OkenS6pHWHWGFJ=",
                             "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID+Wi8WZw2bXfBpcs/WECttCzP39OkenS6pHWHWGFJvN\nx"}) {
      auto key = parse_public_key_line(line);
      CHECK(!key);
      if (!key) CHECK(key.error().code == Errc::malformed);
    }
  }
  TEST_CASE("fingerprint matches ssh-keygen -lf") {
    VPS_REQUIRE_PROGRAM(keygen, "ssh-keygen");
    test::TempDir dir;
    test::write_text(dir / "k.pub", std::string(k_line) + "\n");
    auto result = test::run({keygen.string(), "-l", "-f", (dir / "k.pub").string()});
    REQUIRE(result.exit_code == 0);
    auto key = parse_public_key_line(k_line);
    REQUIRE(key);
    CHECK(result.out == fingerprint_line(key->key, key->comment) + "\n");
    CHECK(result.out.find(sha256_fingerprint(key->key)) != std::string::npos);
  }
  TEST_CASE("wire encoding round-trips") {
    auto pair = crypto::ed25519_generate();
    auto blob = wire_encoding(pair.public_key);
    CHECK(blob.size() == 51);
    auto back = parse_wire_encoding(blob, "w");
    REQUIRE(back);
    CHECK(*back == pair.public_key);
    blob.push_back(0);
    CHECK(!parse_wire_encoding(blob, "w"));
  }
}
