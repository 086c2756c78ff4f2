// Every way a sops file can be damaged must fail with the right error class.

#include <doctest/doctest.h>

#include <test_support.hpp>

#include <vps/base/hex.hpp>
#include <vps/formats/sops/sops.hpp>

using namespace vps;
using namespace vps::formats::sops;

namespace {

const char* k_yaml_key = "8c68886c50b5b72965a3cb99c5172e1d74a8aca27b39ee880b535d6907e59f68";

Result<PlainFile> try_decrypt(const std::string& text, Format format = Format::yaml, const char* key = k_yaml_key) {
  auto file = load(text, format);
  if (!file) return tl::unexpected(file.error());
  return decrypt_with_key(*file, *hex::decode(key));
}

std::string example(const std::filesystem::path& dir) { return vps::test::read_text(dir / "sops" / "example.yaml"); }

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

}  // namespace

TEST_SUITE("formats::sops tampering") {
  TEST_CASE("flipped ciphertext byte: integrity, naming the path") {
    VPS_REQUIRE_FIXTURES(dir);
    std::string text = example(dir);
    replace_once(text, "data:tQ1l,", "data:tQ1m,");
    auto r = try_decrypt(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::integrity);
    CHECK(r.error().message.find("app2:db:user:") != std::string::npos);
  }

  TEST_CASE("wrong MAC: integrity") {
    VPS_REQUIRE_FIXTURES(dir);
    std::string text = example(dir);
    // Swap in the MAC of another file: still a well-formed value, but not ours.
    replace_once(text, "mac: ENC[AES256_GCM,data:GCWO", "mac: ENC[AES256_GCM,data:GCWP");
    auto r = try_decrypt(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::integrity);
    CHECK(r.error().message.find("MAC") != std::string::npos);
  }

  TEST_CASE("changed clear value covered by the MAC: MAC mismatch") {
    VPS_REQUIRE_FIXTURES(dir);
    std::string text = example(dir);
    replace_once(text, "remain in clear text", "remain in clear texT");
    auto r = try_decrypt(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::integrity);
    CHECK(r.error().message.find("MAC mismatch") != std::string::npos);
  }

  TEST_CASE("clear text where a value must be encrypted: malformed") {
    VPS_REQUIRE_FIXTURES(dir);
    std::string text = vps::test::read_text(dir / "sops" / "example.json");
    replace_once(text, "\"anEmptyValue\": \"\"", "\"anEmptyValue\": \"plain\"");
    auto r = try_decrypt(text, Format::json, "faf6a891866fac550ef548b4e5f6fbc98fccc6827cd943cc8d7539747f1d87bd");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::malformed);
    CHECK(r.error().message.find("anEmptyValue:") != std::string::npos);
  }

  TEST_CASE("wrong data key: integrity") {
    VPS_REQUIRE_FIXTURES(dir);
    auto r = try_decrypt(example(dir), Format::yaml, "0000000000000000000000000000000000000000000000000000000000000000");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::integrity);
  }

  TEST_CASE("truncated files: malformed") {
    VPS_REQUIRE_FIXTURES(dir);
    for (const char* name : {"example.yaml", "example.json", "example.ini", "format.enc.env"}) {
      std::string text = vps::test::read_text(dir / "sops" / name);
      Format format = format_for_path(name);
      for (std::size_t cut : {text.size() / 3, text.size() / 2, text.size() - 40}) {
        CAPTURE(name);
        CAPTURE(cut);
        auto r = try_decrypt(text.substr(0, cut), format);
        REQUIRE_FALSE(r);
        CHECK((r.error().code == Errc::malformed || r.error().code == Errc::integrity));
      }
    }
  }

  TEST_CASE("no sops metadata: malformed") {
    auto r = load("a: b\n", Format::yaml);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::malformed);
    CHECK(r.error().message.find("sops metadata not found") != std::string::npos);
  }

  TEST_CASE("encrypted comment that fails to decrypt: integrity") {
    VPS_REQUIRE_FIXTURES(dir);
    std::string text = example(dir);
    replace_once(text, "#ENC[AES256_GCM,data:uPuU", "#ENC[AES256_GCM,data:uPuV");
    auto r = try_decrypt(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::integrity);
  }
}
