// The age vectors of getsops/sops (age/keysource_test.go), copied to shared/fixtures/sops.
#include <doctest/doctest.h>

#include <vps/formats/age/age.hpp>
#include <vps/formats/openssh/private_key.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::formats::age;

namespace {
std::string fixture(const std::filesystem::path& dir, const std::string& name) {
  return test::read_text(dir / "sops" / ("age_keysource_test." + name));
}
std::string as_string(const SecretBytes& b) { return std::string(b.begin(), b.end()); }
}  // namespace

TEST_SUITE("formats::age::sops_fixtures") {
  TEST_CASE("mockEncryptedKey.age opens with mockIdentity to \"data\"") {
    VPS_REQUIRE_FIXTURES(dir);
    auto ids = parse_identity_file(fixture(dir, "mockIdentity.txt"), "mockIdentity.txt");
    REQUIRE(ids);
    auto out = decrypt(as_bytes(fixture(dir, "mockEncryptedKey.age")), pointers(*ids));
    REQUIRE_MESSAGE(out, out.error().message);
    CHECK(as_string(*out) == "data");
  }
  TEST_CASE("mockEncryptedSshKey.age opens with the OpenSSH key mockSshIdentity to \"data\"") {
    VPS_REQUIRE_FIXTURES(dir);
    auto ids = parse_identity_file(fixture(dir, "mockSshIdentity"), "mockSshIdentity");
    REQUIRE(ids);
    auto out = decrypt(as_bytes(fixture(dir, "mockEncryptedSshKey.age")), pointers(*ids));
    REQUIRE_MESSAGE(out, out.error().message);
    CHECK(as_string(*out) == "data");
  }
  TEST_CASE("the ssh-to-age X25519 identity alone cannot open an ssh-ed25519 stanza") {
    VPS_REQUIRE_FIXTURES(dir);
    auto key = formats::openssh::parse_private_key(fixture(dir, "mockSshIdentity"), "mockSshIdentity");
    REQUIRE(key);
    auto x = X25519Identity::from_ed25519_seed(key->seed);
    Failure failure = Failure::none;
    auto out = decrypt(as_bytes(fixture(dir, "mockEncryptedSshKey.age")), {&x}, &failure);
    REQUIRE(!out);
    CHECK(out.error().code == Errc::no_identity);
    CHECK(failure == Failure::no_match);
  }
  TEST_CASE("mockOtherIdentity matches nothing: Errc::no_identity") {
    VPS_REQUIRE_FIXTURES(dir);
    auto ids = parse_identity_file(fixture(dir, "mockOtherIdentity.txt"), "mockOtherIdentity.txt");
    REQUIRE(ids);
    auto out = decrypt(as_bytes(fixture(dir, "mockEncryptedKey.age")), pointers(*ids));
    REQUIRE(!out);
    CHECK(out.error().code == Errc::no_identity);
    CHECK(out.error().message == "no identity matched any of the recipients");
  }
  TEST_CASE("mockEncryptedIdentity.age opens with the passphrase to an identity file") {
    VPS_REQUIRE_FIXTURES(dir);
    ScryptIdentity pass("passphrase");
    auto out = decrypt(as_bytes(fixture(dir, "mockEncryptedIdentity.age")), {&pass});
    REQUIRE_MESSAGE(out, out.error().message);
    CHECK(as_string(*out).find("AGE-SECRET-KEY-1") != std::string::npos);
    CHECK(parse_identity_file(fixture(dir, "mockEncryptedIdentity.age"), "id.age").error().code == Errc::unsupported);
  }
  TEST_CASE("the post-quantum identity is reported as unsupported") {
    VPS_REQUIRE_FIXTURES(dir);
    auto ids = parse_identity_file(fixture(dir, "mockHybridIdentity.txt"), "mockHybridIdentity.txt");
    REQUIRE(!ids);
    CHECK(ids.error().code == Errc::unsupported);
  }
  TEST_CASE("read_stanzas lists recipients without decrypting") {
    VPS_REQUIRE_FIXTURES(dir);
    auto stanzas = read_stanzas(as_bytes(fixture(dir, "mockEncryptedSshKey.age")));
    REQUIRE(stanzas);
    REQUIRE(stanzas->size() == 1);
    CHECK((*stanzas)[0].type == "ssh-ed25519");
    CHECK((*stanzas)[0].args.size() == 2);
  }
}
