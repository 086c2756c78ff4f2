#include <doctest/doctest.h>

#include <vps/formats/age/age.hpp>
#include <vps/formats/openssh/private_key.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::formats::age;

TEST_SUITE("formats::age::X25519Identity") {
  TEST_CASE("ssh-to-age derives the exact identity and recipient of the sops fixture key") {
    VPS_REQUIRE_FIXTURES(fixtures);
    auto text = test::read_text(fixtures / "sops/age_keysource_test.mockSshIdentity");
    auto key = formats::openssh::parse_private_key(text, "mockSshIdentity");
    REQUIRE(key);
    auto id = X25519Identity::from_ed25519_seed(key->seed);
    CHECK(id.encode() == "AGE-SECRET-KEY-1FY6V0R0NC3GKS3QQXREXJARWLKDN7UVF865YMP5XSRKAGZT42LJSJF4QX9");
    CHECK(id.recipient().encode() == "age1csmf6palnf8uaa6rrun229d85lz5s8lygpegpd530swfck76k43snrhyf9");
  }
  TEST_CASE("parses and re-encodes age-keygen keys: recipient matches the fixture") {
    auto id = X25519Identity::parse("AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7");
    REQUIRE(id);
    CHECK(id->encode() == "AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7");
    CHECK(id->recipient().encode() == "age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun");
    CHECK(id->describe() == "X25519 age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun");
  }
  TEST_CASE("rejects wrong case and wrong types, without echoing the key") {
    auto lower = X25519Identity::parse("age-secret-key-1g0q5k9tv4req3zsqrmtmg8nswqgyt0t7tz33razee0gzyvzn0apsu24rk7");
    REQUIRE(!lower);
    CHECK(lower.error().message.find("g0q5k9") == std::string::npos);
    CHECK(!X25519Recipient::parse("AGE1LZD99UKLCJNC0E7D860AXEVET2CZ99CE9PQ6TZUZD05L5NR28AMS36NVUN"));
    CHECK(!X25519Recipient::parse("AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7"));
    CHECK(X25519Recipient::parse("age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun").has_value());
  }
}

TEST_SUITE("formats::age::identity_file") {
  TEST_CASE("reads age-keygen output with comments, blank lines and CRLF") {
    auto ids = parse_identity_file(
        "# created: 2024-01-01\r\n# public key: age1...\r\n\r\n"
        "AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7\r\n",
        "keys.txt");
    REQUIRE(ids);
    CHECK(ids->size() == 1);
  }
  TEST_CASE("an OpenSSH ed25519 key gives an ssh-ed25519 and an ssh-to-age identity") {
    VPS_REQUIRE_FIXTURES(fixtures);
    auto ids = parse_identity_file(test::read_text(fixtures / "sops/age_keysource_test.mockSshIdentity"), "key");
    REQUIRE(ids);
    REQUIRE(ids->size() == 2);
    CHECK((*ids)[0]->describe().starts_with("ssh-ed25519 SHA256:"));
    CHECK((*ids)[1]->describe() == "X25519 age1csmf6palnf8uaa6rrun229d85lz5s8lygpegpd530swfck76k43snrhyf9");
  }
  TEST_CASE("names the line of a bad entry and reports unsupported kinds") {
    auto bad = parse_identity_file("# x\nAGE-SECRET-KEY-1QQQQ\n", "keys.txt");
    REQUIRE(!bad);
    CHECK(bad.error().code == Errc::malformed);
    CHECK(bad.error().message.starts_with("keys.txt:2: "));
    CHECK(parse_identity_file("AGE-SECRET-KEY-PQ-1ABC\n", "k").error().code == Errc::unsupported);
    CHECK(parse_identity_file("AGE-PLUGIN-YUBIKEY-1ABC\n", "k").error().code == Errc::unsupported);
    CHECK(parse_identity_file("# nothing\n", "k").error().code == Errc::malformed);
  }
  TEST_CASE("parses recipients and rejects unsupported ones") {
    CHECK(parse_recipient("age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun").has_value());
    CHECK(parse_recipient("ssh-rsa AAAAB3NzaC1yc2E").error().code == Errc::unsupported);
    CHECK(parse_recipient("age1pq1qqqq").error().code == Errc::unsupported);
    CHECK(parse_recipient("nonsense").error().code == Errc::malformed);
    auto file = parse_recipients_file("# team\n\nage1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun\n", "r.txt");
    REQUIRE(file);
    CHECK(file->size() == 1);
    CHECK(parse_recipients_file("# only comments\n", "r.txt").error().code == Errc::malformed);
  }
}
