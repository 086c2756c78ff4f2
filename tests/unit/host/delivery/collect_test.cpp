// delivery::collect over many sources: they are decrypted on several threads, and the result
// must be exactly what a one-at-a-time pass gives (order, pending list, first error).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <vps/crypto/random.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/formats/age/x25519.hpp>
#include <vps/host/delivery/sources.hpp>

#include "test_support.hpp"

using namespace vps;
namespace age = vps::formats::age;
namespace delivery = vps::host::delivery;

namespace {

age::X25519Identity random_identity() {
  crypto::X25519Secret secret{};
  crypto::random_bytes(std::span<std::uint8_t>(secret.data(), secret.size()));
  return age::X25519Identity(secret);
}

struct Sources {
  test::TempDir dir;
  age::X25519Identity host = random_identity();
  age::X25519Identity other = random_identity();
  config::Secrets secrets;

  void add(const std::string& name, const std::string& plaintext, const age::X25519Identity& to) {
    const auto recipient = to.recipient();
    auto file = age::encrypt(as_bytes(plaintext), {&recipient}, false);
    REQUIRE(file);
    test::write_text(dir / (name + ".age"), std::string(as_chars(*file)));
    add_entry(name, dir / (name + ".age"));
  }
  void add_entry(const std::string& name, const std::filesystem::path& source) {
    config::SecretFile file;
    file.name = name;
    file.source = source;
    secrets.files.push_back(file);
  }
  Result<delivery::Collected> collect() const { return delivery::collect(secrets, {&host}); }
};

std::string text(const SecretBytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

TEST_SUITE("host::delivery::collect") {
  TEST_CASE("a hundred age files come back in config order, a shared source feeding two secrets") {
    Sources s;
    for (int i = 0; i < 100; ++i) s.add("s" + std::to_string(i), "value " + std::to_string(i), s.host);
    s.add_entry("again", s.dir / "s42.age");
    auto collected = s.collect();
    REQUIRE(collected);
    CHECK(collected->pending.empty());
    REQUIRE(collected->materials.size() == 101);
    for (int i = 0; i < 100; ++i) {
      CHECK(collected->materials[static_cast<std::size_t>(i)].spec.name == "s" + std::to_string(i));
      CHECK(text(collected->materials[static_cast<std::size_t>(i)].plaintext) == "value " + std::to_string(i));
    }
    CHECK(text(collected->materials[100].plaintext) == "value 42");
  }

  TEST_CASE("sources not for this host or not there yet are pending, once each, in config order") {
    Sources s;
    for (int i = 0; i < 60; ++i) s.add("s" + std::to_string(i), "v", i == 17 || i == 45 ? s.other : s.host);
    s.add_entry("absent", s.dir / "absent.age");
    s.add_entry("s17-again", s.dir / "s17.age");
    auto collected = s.collect();
    REQUIRE(collected);
    REQUIRE(collected->pending.size() == 3);
    CHECK(collected->pending[0].source == s.dir / "s17.age");
    CHECK(collected->pending[0].code == Errc::no_identity);
    CHECK(collected->pending[1].source == s.dir / "s45.age");
    CHECK(collected->pending[2].source == s.dir / "absent.age");
    CHECK(collected->pending[2].code == Errc::missing);
  }

  TEST_CASE("broken sources block only their secrets: the first in config order is the error, named with its secret") {
    Sources s;
    for (int i = 0; i < 60; ++i) s.add("s" + std::to_string(i), "v", s.host);
    // Two broken files (a flipped payload byte each); the earlier one in the config is reported.
    for (int i : {50, 20}) {
      auto path = s.dir / ("s" + std::to_string(i) + ".age");
      std::string bytes = test::read_text(path);
      bytes.back() = static_cast<char>(bytes.back() ^ 1);
      test::write_text(path, bytes);
      std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
    }
    auto collected = s.collect();
    REQUIRE(collected);
    REQUIRE(collected->first_error);
    CHECK(collected->first_error->code == Errc::integrity);
    CHECK(collected->first_error->message.starts_with("secret 's20' (" + (s.dir / "s20.age").string() + ")"));
    // The 58 others are there; the two broken ones are listed (errors, not waits), nothing pending.
    CHECK(collected->materials.size() == 58);
    REQUIRE(collected->unavailable.size() == 2);
    CHECK(collected->unavailable[0].name == "s20");
    CHECK(collected->unavailable[1].name == "s50");
    CHECK_FALSE(collected->unavailable[0].waiting);
    CHECK(collected->pending.empty());
    CHECK_FALSE(collected->complete());
  }
}
