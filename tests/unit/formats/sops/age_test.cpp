// End to end with age: the data key wrapped for real age recipients (the age module).

#include <doctest/doctest.h>

#include <test_support.hpp>

#include <vps/formats/age/age.hpp>
#include <vps/formats/sops/sops.hpp>

using namespace vps;
using namespace vps::formats;
using namespace vps::formats::sops;

namespace {

std::string str(const SecretString& s) { return std::string(s.begin(), s.end()); }

age::IdentityList identities_from(const std::filesystem::path& file) {
  auto list = age::parse_identity_file(vps::test::read_text(file), file.string());
  REQUIRE(list);
  return std::move(*list);
}

}  // namespace

TEST_SUITE("formats::sops with age") {
  TEST_CASE("encrypts for age recipients and decrypts with the identity") {
    VPS_REQUIRE_FIXTURES(dir);
    auto ids = identities_from(dir / "sops" / "age_keysource_test.mockIdentity.txt");
    auto recipient = age::parse_recipient("age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun");
    REQUIRE(recipient);
    auto encrypted = encrypt("db:\n    password: hunter2\n", Format::yaml, {recipient->get()});
    REQUIRE(encrypted);
    CHECK(encrypted->find("recipient: age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun") != std::string::npos);
    CHECK(encrypted->find("-----BEGIN AGE ENCRYPTED FILE-----") != std::string::npos);
    auto plain = decrypt(*encrypted, Format::yaml, age::pointers(ids));
    REQUIRE(plain);
    CHECK(str(*extract(*plain, "db/password")) == "hunter2");
  }

  TEST_CASE("an identity that is not among the recipients: no_identity listing them") {
    VPS_REQUIRE_FIXTURES(dir);
    auto other = identities_from(dir / "sops" / "age_keysource_test.mockOtherIdentity.txt");
    auto recipient = age::parse_recipient("age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun");
    REQUIRE(recipient);
    auto encrypted = encrypt("a: b\n", Format::yaml, {recipient->get()});
    REQUIRE(encrypted);
    auto plain = decrypt(*encrypted, Format::yaml, age::pointers(other));
    REQUIRE_FALSE(plain);
    CHECK(plain.error().code == Errc::no_identity);
    CHECK(plain.error().message.find("age1lzd99") != std::string::npos);
    auto file = load(*encrypted, Format::yaml);
    REQUIRE(file);
    auto report = recipients(file->metadata);
    REQUIRE(report.age.size() == 1);
    CHECK(report.age[0] == "age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun");
  }

  TEST_CASE("rewrap changes only the age keys") {
    VPS_REQUIRE_FIXTURES(dir);
    auto ids = identities_from(dir / "sops" / "age_keysource_test.mockIdentity.txt");
    auto other = identities_from(dir / "sops" / "age_keysource_test.mockOtherIdentity.txt");
    auto first = age::parse_recipient("age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun");
    auto other_x = dynamic_cast<const age::X25519Identity*>(other.at(0).get());
    REQUIRE(other_x);
    auto second = other_x->recipient();
    for (Format format : {Format::yaml, Format::json, Format::dotenv, Format::ini}) {
      CAPTURE(format_name(format));
      std::string plain = format == Format::json ? "{\"a\": \"b\"}" : format == Format::ini ? "[s]\na = b\n"
                          : format == Format::dotenv ? "a=b\n" : "a: b\n";
      auto encrypted = encrypt(plain, format, {first->get()});
      REQUIRE(encrypted);
      auto rewrapped = rewrap(*encrypted, format, {&second}, age::pointers(ids));
      REQUIRE(rewrapped);
      auto before = load(*encrypted, format);
      auto after = load(*rewrapped, format);
      REQUIRE(after);
      CHECK(after->metadata.mac == before->metadata.mac);
      CHECK(after->metadata.last_modified == before->metadata.last_modified);
      CHECK(decrypt(*rewrapped, format, age::pointers(other)));
      auto old = decrypt(*rewrapped, format, age::pointers(ids));
      REQUIRE_FALSE(old);
      CHECK(old.error().code == Errc::no_identity);
    }
  }
}

TEST_SUITE("formats::sops with age") {
  TEST_CASE("the data key is opened from an armored age file in 'enc' (age keysource vectors)") {
    VPS_REQUIRE_FIXTURES(dir);
    // mockEncryptedKey.age is what sops' age keysource stores in 'enc'; it holds "data", which
    // is not a 32-byte data key, so the age layer works and the size check speaks.
    Metadata metadata;
    metadata.groups.push_back(KeyGroup{{AgeKey{"age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun",
                                               vps::test::read_text(dir / "sops" / "age_keysource_test.mockEncryptedKey.age")}},
                                       {}});
    auto ids = identities_from(dir / "sops" / "age_keysource_test.mockIdentity.txt");
    auto key = unwrap_data_key(metadata, age::pointers(ids));
    REQUIRE_FALSE(key);
    CHECK(key.error().code == Errc::malformed);
    CHECK(key.error().message.find("not 32 bytes") != std::string::npos);
    auto ssh = identities_from(dir / "sops" / "age_keysource_test.mockSshIdentity");
    metadata.groups[0].age[0].enc = vps::test::read_text(dir / "sops" / "age_keysource_test.mockEncryptedSshKey.age");
    auto via_ssh = unwrap_data_key(metadata, age::pointers(ssh));
    REQUIRE_FALSE(via_ssh);
    CHECK(via_ssh.error().message.find("not 32 bytes") != std::string::npos);
  }
}
