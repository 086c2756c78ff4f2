// Real sops files (getsops/sops functional-test fixtures) decrypted with their recorded data
// keys (unwrapped once with gpg, see shared/fixtures/sops/INDEX.md): values, comments and MAC.

#include <doctest/doctest.h>

#include <test_support.hpp>

#include <vps/base/hex.hpp>
#include <vps/formats/sops/sops.hpp>

using namespace vps;
using namespace vps::formats::sops;

namespace {

struct Fixture {
  const char* file;
  Format format;
  const char* key_hex;
};

const Fixture k_fixtures[] = {
    {"format.enc.yaml", Format::yaml, "af5e68dd342b72c6a0475f81a50da4fde898f4b7742c92cbcf1668211411f4e4"},
    {"format.enc.json", Format::json, "9f6aeda6383502c38f7dae6fbbb8cb6890582adb0335effa8952fe590d7a9596"},
    {"format.enc.env", Format::dotenv, "322d9a97997823fb2bf42f55a6c26100cbaf0520cf88bb7ebee1cf47dd6d318d"},
    {"format.enc.ini", Format::ini, "ce46fd76883106d55913ff2207e160bbeac65a71d6e1cf84c510614bed6f8ccd"},
    {"format-2.enc.ini", Format::ini, "200b251d35608cb3451d26d95d0f6c4580575d8f61d908b6d224fc488c65263f"},
    {"comments.enc.yaml", Format::yaml, "61bec946f5783fd4cea3d1b1ce407fce2b6e81fc301cc539c422015e27f6d1be"},
    {"multiple_keys.yaml", Format::yaml, "1e1db61c6b93c001caa9ce34a9d68448eee8a3c69336697eab36bb92327ce786"},
    {"example.yaml", Format::yaml, "8c68886c50b5b72965a3cb99c5172e1d74a8aca27b39ee880b535d6907e59f68"},
    {"example.json", Format::json, "faf6a891866fac550ef548b4e5f6fbc98fccc6827cd943cc8d7539747f1d87bd"},
    {"example.ini", Format::ini, "110e4d601e66ac7039e9ef32e6e8bb93fb1dbf833fb42003c93877ece3003575"},
    {"example.txt", Format::binary, "67788979caa78ea7c5ae7adae47eb9161bfd15c94a2f3d88c708bcfa19a85dd7"},
};

Bytes key_of(const char* hex_text) { return *hex::decode(hex_text); }

std::string str(const SecretString& s) { return std::string(s.begin(), s.end()); }

Result<PlainFile> open_fixture(const std::filesystem::path& dir, const Fixture& f) {
  auto text = vps::test::read_text(dir / "sops" / f.file);
  auto file = load(text, f.format);
  if (!file) return tl::unexpected(file.error());
  return decrypt_with_key(*file, key_of(f.key_hex));
}

const Fixture& fixture(std::string_view name) {
  for (const auto& f : k_fixtures)
    if (name == f.file) return f;
  throw std::logic_error("no such fixture");
}

}  // namespace

TEST_SUITE("formats::sops fixtures") {
  TEST_CASE("every fixture decrypts and its MAC verifies") {
    VPS_REQUIRE_FIXTURES(dir);
    for (const auto& f : k_fixtures) {
      CAPTURE(f.file);
      auto plain = open_fixture(dir, f);
      if (!plain) FAIL_CHECK(plain.error().message);
    }
  }

  TEST_CASE("format.enc.* render like sops -d") {
    VPS_REQUIRE_FIXTURES(dir);
    CHECK(str(*render(*open_fixture(dir, fixture("format.enc.yaml")))) == "foo: bar\n");
    CHECK(str(*render(*open_fixture(dir, fixture("format.enc.json")))) == "{\n\t\"foo\": \"bar\"\n}\n");
    CHECK(str(*render(*open_fixture(dir, fixture("format.enc.env")))) == "foo = bar\n");
    CHECK(str(*render(*open_fixture(dir, fixture("format.enc.ini")))) == "[foo]\nbar = baz\n");
    CHECK(str(*render(*open_fixture(dir, fixture("format-2.enc.ini")))) == "[foo]\nbar = baz\n");
  }

  TEST_CASE("encrypted comments decrypt with the enclosing path as additional data") {
    VPS_REQUIRE_FIXTURES(dir);
    auto plain = open_fixture(dir, fixture("comments.enc.yaml"));
    REQUIRE(plain);
    const auto& doc = plain->documents.at(0);
    REQUIRE(doc.entries.at(0).is_comment());
    CHECK(str(doc.entries[0].value.text) == " first comment in file");
    CHECK(str(*extract(*plain, "lorem")) == "ipsum");
    CHECK(str(*extract(*plain, "dolor")) == "sit");
  }

  TEST_CASE("example.yaml: types, lists, nesting, comments, _unencrypted") {
    VPS_REQUIRE_FIXTURES(dir);
    auto plain = open_fixture(dir, fixture("example.yaml"));
    REQUIRE(plain);
    CHECK(str(*extract(*plain, "myapp1")) == "t00m4nys3cr3tzupdated");
    CHECK(str(*extract(*plain, "app2/db/user")) == "eve");
    CHECK(str(*extract(*plain, "app2/db/password")) == "c4r1b0u");
    CHECK(str(*extract(*plain, "[\"app2\"][\"db\"][\"password\"]")) == "c4r1b0u");
    const Node* number = plain->documents[0].find("number");
    REQUIRE(number);
    CHECK(number->kind == Kind::floating);
    CHECK(str(number->text) == "1234568000");
    CHECK(str(*extract(*plain, "somebooleans/0")) == "true");
    CHECK(str(*extract(*plain, "somebooleans/1")) == "false");
    CHECK(str(*extract(*plain, "somelist_unencrypted/1")) == "remain in clear text");
    CHECK(str(*extract(*plain, "nested_unencrypted/this/is/all")) == "going to remain in clear text");
    const Node* db = plain->documents[0].find("app2")->find("db");
    REQUIRE(db);
    CHECK(db->entries.back().is_comment());
    CHECK(str(db->entries.back().value.text) == " private key for secret operations in app2");
    auto missing = extract(*plain, "app2/db/nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == Errc::missing);
  }

  TEST_CASE("example.json: floats, lists of objects, empty string") {
    VPS_REQUIRE_FIXTURES(dir);
    auto plain = open_fixture(dir, fixture("example.json"));
    REQUIRE(plain);
    CHECK(str(*extract(*plain, "firstName")) == "John");
    CHECK(str(*extract(*plain, "age")) == "25.4");
    CHECK(str(*extract(*plain, "anEmptyValue")).empty());
    CHECK(str(*extract(*plain, "phoneNumbers/1/type")).size() > 0);
  }

  TEST_CASE("example.ini and example.txt") {
    VPS_REQUIRE_FIXTURES(dir);
    auto ini = open_fixture(dir, fixture("example.ini"));
    REQUIRE(ini);
    CHECK(str(*extract(*ini, "name/firstName")) == "John");
    CHECK(str(*extract(*ini, "not private/notsecret_unencrypted")) == "hi there!");
    auto txt = open_fixture(dir, fixture("example.txt"));
    REQUIRE(txt);
    CHECK(str(*render(*txt)) ==
          "Welcome to SOPS!\n\nSOPS is a manager of encrypted files designed to help distribute secrets.\n"
          "Check it out, it's on github: https://github.com/mozilla/sops\n\n");
  }

  TEST_CASE("no_mac.yaml fails with an integrity error") {
    VPS_REQUIRE_FIXTURES(dir);
    auto text = vps::test::read_text(dir / "sops" / "no_mac.yaml");
    auto file = load(text, Format::yaml);
    REQUIRE(file);
    auto plain = decrypt_with_key(*file, key_of("87f9ee7ab041cfd1946fb50e6166b29858fcb4224ae3816186a129248558461f"));
    REQUIRE_FALSE(plain);
    CHECK(plain.error().code == Errc::integrity);
    CHECK(plain.error().message.find("no MAC") != std::string::npos);
  }

  TEST_CASE("recipients reports pgp keys as present but unusable") {
    VPS_REQUIRE_FIXTURES(dir);
    auto file = load(vps::test::read_text(dir / "sops" / "multiple_keys.yaml"), Format::yaml);
    REQUIRE(file);
    auto report = recipients(file->metadata);
    CHECK(report.age.empty());
    REQUIRE(report.unusable.size() == 2);
    CHECK(report.unusable[0] == "pgp FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4");
    auto key = unwrap_data_key(file->metadata, {});
    REQUIRE_FALSE(key);
    CHECK(key.error().code == Errc::no_identity);
    CHECK(key.error().message.find("pgp FBC7") != std::string::npos);
  }
}
