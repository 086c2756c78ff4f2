// formats::openssh private keys: every structural defect is Errc::malformed naming the source.
#include <doctest/doctest.h>

#include <functional>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/private_key.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/formats/openssh/wire.hpp>

using namespace vps;
using namespace vps::formats::openssh;

namespace {

// Builds a blob field by field so each test can break exactly one thing.
struct KeyParts {
  std::string magic{"openssh-key-v1\0", 15};
  std::string cipher = "none", kdf = "none", kdf_options;
  std::uint32_t count = 1;
  std::uint32_t check1 = 0x01020304, check2 = 0x01020304;
  std::string inner_type = "ssh-ed25519";
  bool corrupt_inner_public = false, corrupt_secret_public = false, corrupt_seed = false;
  std::string comment = "c";
  int padding_delta = 0;  // add wrong padding
  std::string trailing;
  crypto::Ed25519KeyPair pair = crypto::ed25519_generate();

  Bytes blob() const {
    Bytes section;
    put_u32(section, check1);
    put_u32(section, check2);
    put_string(section, as_bytes(inner_type));
    auto pub = pair.public_key;
    if (corrupt_inner_public) pub[0] ^= 1;
    put_string(section, pub);
    Bytes secret(pair.seed.data(), pair.seed.data() + 32);
    if (corrupt_seed) secret[0] ^= 1;
    secret.insert(secret.end(), pair.public_key.begin(), pair.public_key.end());
    if (corrupt_secret_public) secret[40] ^= 1;
    put_string(section, secret);
    put_string(section, as_bytes(comment));
    for (std::uint8_t p = 1; section.size() % 8 != 0; ++p) section.push_back(p);
    if (padding_delta == 1) section.back() = static_cast<std::uint8_t>(section.back() + 1);
    if (padding_delta == 8) for (std::uint8_t p = 0; p < 8; ++p) section.push_back(p);
    Bytes out(magic.begin(), magic.end());
    put_string(out, as_bytes(cipher));
    put_string(out, as_bytes(kdf));
    put_string(out, as_bytes(kdf_options));
    put_u32(out, count);
    put_string(out, wire_encoding(pair.public_key));
    put_string(out, section);
    out.insert(out.end(), trailing.begin(), trailing.end());
    return out;
  }
  std::string pem() const {
    auto b64 = base64::encode(blob());
    std::string out = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
    for (std::size_t i = 0; i < b64.size(); i += 70) out += b64.substr(i, 70) + "\n";
    return out + "-----END OPENSSH PRIVATE KEY-----\n";
  }
};

void expect(const std::function<void(KeyParts&)>& breaker, Errc code, const char* needle) {
  KeyParts parts;
  breaker(parts);
  auto key = parse_private_key(parts.pem(), "src");
  REQUIRE(!key);
  CHECK(key.error().code == code);
  CHECK(key.error().message.starts_with("src: "));
  INFO(key.error().message);
  CHECK(key.error().message.find(needle) != std::string::npos);
}

}  // namespace

TEST_SUITE("formats::openssh::PrivateKey malformed") {
  TEST_CASE("the builder makes a valid key") { CHECK(parse_private_key(KeyParts{}.pem(), "src")); }
  TEST_CASE("bad magic") { expect([](KeyParts& p) { p.magic[3] = 'X'; }, Errc::malformed, "magic"); }
  TEST_CASE("kdf options without kdf") {
    expect([](KeyParts& p) { p.kdf_options = "x"; }, Errc::malformed, "kdf options");
  }
  TEST_CASE("two keys are unsupported") {
    expect([](KeyParts& p) { p.count = 2; }, Errc::unsupported, "2 keys");
  }
  TEST_CASE("check integers differ") {
    expect([](KeyParts& p) { p.check2 = 7; }, Errc::malformed, "check integers");
  }
  TEST_CASE("inner key type differs") {
    expect([](KeyParts& p) { p.inner_type = "ssh-rsa"; }, Errc::malformed, "type");
  }
  TEST_CASE("inner public key differs") {
    expect([](KeyParts& p) { p.corrupt_inner_public = true; }, Errc::malformed, "public key");
  }
  TEST_CASE("secret's public half differs") {
    expect([](KeyParts& p) { p.corrupt_secret_public = true; }, Errc::malformed, "public half");
  }
  TEST_CASE("seed does not match the public key") {
    expect([](KeyParts& p) { p.corrupt_seed = true; }, Errc::malformed, "does not match");
  }
  TEST_CASE("wrong padding bytes") {
    expect([](KeyParts& p) { p.comment = "cc"; p.padding_delta = 1; }, Errc::malformed, "padding");
  }
  TEST_CASE("a whole block of padding") {
    expect([](KeyParts& p) { p.padding_delta = 8; }, Errc::malformed, "padding");
  }
  TEST_CASE("trailing bytes after the private section") {
    expect([](KeyParts& p) { p.trailing = "x"; }, Errc::malformed, "trailing");
  }
  TEST_CASE("NUL in comment") {
    expect([](KeyParts& p) { p.comment = std::string("a\0b", 3); }, Errc::malformed, "NUL");
  }

  TEST_CASE("armor defects") {
    auto good = KeyParts{}.pem();
    auto check = [](const std::string& text, const char* needle) {
      auto key = parse_private_key(text, "src");
      REQUIRE(!key);
      CHECK(key.error().code == Errc::malformed);
      INFO(key.error().message);
      CHECK(key.error().message.find(needle) != std::string::npos);
    };
    check("", "BEGIN");
    check(" " + good, "BEGIN");
    check(good.substr(0, good.rfind("-----END")), "END");
    check(good + "x\n", "after the END");
    check(good + "\n", "after the END");
    auto spaced = good;
    spaced.insert(spaced.find('\n') + 5, " ");
    check(spaced, "base64");
    auto blank = good;
    blank.insert(blank.find('\n') + 1, "\n");
    check(blank, "line length");
    check(std::string(20000, 'A'), "16 KiB");
  }

  TEST_CASE("every truncation is refused, never crashes") {
    auto blob = KeyParts{}.blob();
    for (std::size_t n = 0; n < blob.size(); ++n) {
      Bytes cut(blob.begin(), blob.begin() + static_cast<std::ptrdiff_t>(n));
      auto b64 = base64::encode(cut);
      std::string text = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
      for (std::size_t i = 0; i < b64.size(); i += 70) text += b64.substr(i, 70) + "\n";
      text += "-----END OPENSSH PRIVATE KEY-----\n";
      auto key = parse_private_key(text, "src");
      CHECK(!key);
    }
  }
}
