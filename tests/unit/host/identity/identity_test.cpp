#include <doctest/doctest.h>

#include <sys/stat.h>

#include <vps/formats/openssh/public_key.hpp>
#include <vps/host/identity/age_recipient.hpp>
#include <vps/host/identity/host_key.hpp>
#include <vps/host/identity/instance_id.hpp>
#include <vps/host/identity/quarantine.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::host::identity;
namespace fs = std::filesystem;

namespace {
Ed25519PrivateKey make_key() {
  auto pair = crypto::ed25519_generate();
  Ed25519PrivateKey key;
  key.seed = pair.seed;
  key.public_key = pair.public_key;
  key.comment = "root@t";
  return key;
}
mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}
}  // namespace

TEST_SUITE("host::identity::host_key") {
  TEST_CASE("writes 0600 key and 0644 pub, never replacing a key") {
    test::TempDir dir;
    auto path = dir / "etc/ssh/k";
    auto key = make_key();
    REQUIRE(write_host_key(path, key));
    REQUIRE(write_public_key(path, key));
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(public_key_path(path)) == 0644);
    auto before = test::read_text(path);
    auto again = write_host_key(path, make_key());
    CHECK(!again);
    CHECK(test::read_text(path) == before);
    CHECK(!*write_public_key(path, key));  // unchanged .pub is not rewritten
    auto loaded = load_host_key(path);
    REQUIRE(loaded);
    REQUIRE(*loaded);
    CHECK((*loaded)->public_key == key.public_key);
  }
  TEST_CASE("absent is nullopt, garbage is corrupt_key, no key at all is no_key") {
    test::TempDir dir;
    auto absent = load_host_key(dir / "k");
    REQUIRE(absent);
    CHECK(!*absent);
    auto none = load_host_public_key(dir / "k");
    REQUIRE(!none);
    CHECK(none.error().code == Errc::no_key);
    test::write_text(dir / "k", "garbage");
    auto corrupt = load_host_key(dir / "k");
    REQUIRE(!corrupt);
    CHECK(corrupt.error().code == Errc::corrupt_key);
    CHECK(corrupt.error().message.find((dir / "k").string()) != std::string::npos);
  }
}

TEST_SUITE("host::identity::quarantine") {
  TEST_CASE("moves key and pub aside without replacing, then lists them") {
    test::TempDir dir;
    auto path = dir / "k";
    auto key = make_key();
    REQUIRE(write_host_key(path, key));
    REQUIRE(write_public_key(path, key));
    auto first = quarantine_key(path, "inherited-42");
    REQUIRE(first);
    CHECK(*first == dir / "k.inherited-42");
    CHECK(fs::exists(dir / "k.pub.inherited-42"));
    CHECK(!fs::exists(path));
    REQUIRE(write_host_key(path, key));
    auto second = quarantine_key(path, "inherited-42");
    REQUIRE(second);
    CHECK(*second == dir / "k.inherited-42-2");
    auto listed = list_quarantined(path);
    REQUIRE(listed.size() == 2);
    CHECK(corrupt_suffix().starts_with("corrupt-20"));
    CHECK(inherited_suffix("a/b c") == "inherited-a_b_c");
    CHECK(inherited_suffix("") == "inherited-unknown");
  }
  TEST_CASE("removes only stale temps of the named file") {
    test::TempDir dir;
    test::write_text(dir / "k.tmp-0011", "x");
    test::write_text(dir / "k.pub.tmp-22", "x");
    test::write_text(dir / "other.tmp-1", "x");
    auto removed = remove_stale_temps(dir / "k");
    REQUIRE(removed);
    CHECK(*removed == 2);
    CHECK(fs::exists(dir / "other.tmp-1"));
  }
}

TEST_SUITE("host::identity::instance_id") {
  TEST_CASE("reads DMI serial, trims, refuses placeholders") {
    CHECK(usable_instance_id("12345678\n") == std::optional<std::string>("12345678"));
    CHECK(!usable_instance_id("Not Specified\n"));
    CHECK(!usable_instance_id(""));
    CHECK(!usable_instance_id("a b"));
    test::TempDir dir;
    config::Instance instance;
    instance.dmi_path = dir / "serial";
    instance.id_source = config::IdSource::automatic;
    CHECK(*read_instance_id(instance) == "");
    instance.id_source = config::IdSource::dmi;
    CHECK(!read_instance_id(instance));
    test::write_text(dir / "serial", "  4242 \n");
    CHECK(*read_instance_id(instance) == "4242");
    instance.id_source = config::IdSource::metadata;
    CHECK(*read_instance_id(instance) == "");
  }
}

TEST_SUITE("host::identity::age_recipient") {
  TEST_CASE("matches ssh-to-age for the sops mock key") {
    VPS_REQUIRE_FIXTURES(fixtures);
    auto pub = formats::openssh::parse_public_key_line(
        test::read_text(fixtures / "sops/age_keysource_test.mockSshRecipient.pub"));
    REQUIRE(pub);
    auto recipient = age_recipient(pub->key);
    REQUIRE(recipient);
    // From shared/fixtures/sops/INDEX.md (ssh-to-age of mockSshIdentity).
    CHECK(*recipient == "age1csmf6palnf8uaa6rrun229d85lz5s8lygpegpd530swfck76k43snrhyf9");
  }
}
