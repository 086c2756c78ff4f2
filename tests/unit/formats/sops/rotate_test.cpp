// sops rotate for age files (formats/sops/rotate): a new data key, every value re-encrypted,
// the MAC recomputed and encrypted with the new key, the crypt rules kept, the plaintext
// byte-identical; files also keyed for pgp are refused.

#include <doctest/doctest.h>

#include <memory>
#include <regex>
#include <set>

#include <vps/crypto/random.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/formats/age/x25519.hpp>
#include <vps/formats/sops/rotate.hpp>
#include <vps/formats/sops/sops.hpp>

using namespace vps;
using namespace vps::formats;
using namespace vps::formats::sops;

namespace {

std::string str(const SecretString& s) { return std::string(s.begin(), s.end()); }

std::unique_ptr<age::X25519Identity> new_identity() {
  crypto::X25519Secret secret;
  crypto::random_bytes(secret.span());
  return std::make_unique<age::X25519Identity>(secret);
}

std::set<std::string> matches(const std::string& text, const std::string& pattern) {
  std::set<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.insert(it->str());
  return out;
}

bool disjoint(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const auto& x : a)
    if (b.count(x)) return false;
  return true;
}

constexpr std::string_view k_plain =
    "# the database\n"
    "db:\n"
    "    password: hunter2\n"
    "    port: 5432\n"
    "    ratio: 0.5\n"
    "    enabled: true\n"
    "servers:\n"
    "    - name: a\n"
    "      token: t1\n"
    "    - name: b\n"
    "      token: t2\n"
    "public_unencrypted: hello\n";

}  // namespace

TEST_SUITE("formats::sops rotate") {
  TEST_CASE("new data key: values, MAC and stanzas change, plaintext does not") {
    auto op = new_identity();
    auto host = new_identity();
    const auto op_r = op->recipient();
    const auto host_r = host->recipient();
    auto before = encrypt(k_plain, Format::yaml, {&op_r, &host_r}, {{}, "2026-01-02T03:04:05Z"});
    REQUIRE_MESSAGE(before, before.error().message);
    const std::vector<const age::Identity*> op_ids{op.get()};
    auto after = rotate(*before, Format::yaml, {&op_r}, op_ids, {"2026-12-07T10:00:00Z"});
    REQUIRE_MESSAGE(after, after.error().message);

    auto plain_before = decrypt(*before, Format::yaml, op_ids);
    auto plain_after = decrypt(*after, Format::yaml, op_ids);  // the MAC verifies with the new key
    REQUIRE(plain_before);
    REQUIRE_MESSAGE(plain_after, plain_after.error().message);
    CHECK(str(*render(*plain_after)) == str(*render(*plain_before)));
    CHECK(str(*render(*plain_after)) == k_plain);

    const std::string enc = R"(ENC\[AES256_GCM,[^\]]*\])";
    const auto values_before = matches(*before, enc), values_after = matches(*after, enc);
    CHECK(values_after.size() == values_before.size());  // 7 values + MAC (the comment too)
    CHECK(disjoint(values_before, values_after));
    CHECK(after->find("public_unencrypted: hello") != std::string::npos);  // crypt rules kept
    CHECK(after->find("lastmodified: \"2026-12-07T10:00:00Z\"") != std::string::npos);

    // Data keys differ: the old key opens no value of the new file.
    auto old_file = load(*before, Format::yaml);
    auto new_file = load(*after, Format::yaml);
    REQUIRE(old_file);
    REQUIRE(new_file);
    auto old_key = unwrap_data_key(old_file->metadata, op_ids);
    auto new_key = unwrap_data_key(new_file->metadata, op_ids);
    REQUIRE(old_key);
    REQUIRE(new_key);
    CHECK(*old_key != *new_key);
    CHECK_FALSE(decrypt_with_key(*new_file, *old_key));
    CHECK(decrypt_with_key(*new_file, *new_key));
    CHECK(new_file->metadata.mac != old_file->metadata.mac);
    REQUIRE(new_file->metadata.groups.size() == 1);
    REQUIRE(new_file->metadata.groups[0].age.size() == 1);
    CHECK(new_file->metadata.groups[0].age[0].recipient == op_r.encode());
    CHECK(new_file->metadata.groups[0].age[0].enc != old_file->metadata.groups[0].age[0].enc);

    // The removed recipient opens nothing.
    const std::vector<const age::Identity*> host_ids{host.get()};
    CHECK(decrypt(*before, Format::yaml, host_ids));
    auto denied = decrypt(*after, Format::yaml, host_ids);
    REQUIRE_FALSE(denied);
    CHECK(denied.error().code == Errc::no_identity);
  }

  TEST_CASE("encrypted_regex and mac_only_encrypted are kept, JSON too") {
    auto op = new_identity();
    const auto op_r = op->recipient();
    const std::vector<const age::Identity*> ids{op.get()};
    EncryptOptions options;
    options.rules.encrypted_regex = "^(data|secret)$";
    options.rules.mac_only_encrypted = true;
    const std::string plain = "{\n\t\"data\": {\n\t\t\"a\": \"x\"\n\t},\n\t\"name\": \"clear\"\n}";
    auto before = encrypt(plain, Format::json, {&op_r}, options);
    REQUIRE_MESSAGE(before, before.error().message);
    auto after = rotate(*before, Format::json, {&op_r}, ids);
    REQUIRE_MESSAGE(after, after.error().message);
    CHECK(after->find("\"name\": \"clear\"") != std::string::npos);
    CHECK(after->find("\"encrypted_regex\": \"^(data|secret)$\"") != std::string::npos);
    CHECK(after->find("\"mac_only_encrypted\": true") != std::string::npos);
    auto p1 = decrypt(*before, Format::json, ids);
    auto p2 = decrypt(*after, Format::json, ids);
    REQUIRE(p1);
    REQUIRE_MESSAGE(p2, p2.error().message);
    CHECK(str(*render(*p2)) == str(*render(*p1)));
    auto file = load(*after, Format::json);
    REQUIRE(file);
    CHECK(encrypted_value_paths(*file) == std::vector<std::string>{"data/a"});
  }

  TEST_CASE("dotenv, INI and binary files rotate too (flattened metadata)") {
    auto op = new_identity();
    const auto op_r = op->recipient();
    const std::vector<const age::Identity*> ids{op.get()};
    for (const auto& sample : std::vector<std::pair<Format, std::string>>{
             {Format::dotenv, "A=1\nB=two\n"}, {Format::ini, "[s]\nk = v\n"}, {Format::binary, "raw bytes\n"}}) {
      const Format format = sample.first;  // named copies: clang 14 lambdas (INFO) cannot capture bindings
      const std::string& plain = sample.second;
      INFO(format_name(format));
      auto before = encrypt(plain, format, {&op_r});
      REQUIRE_MESSAGE(before, before.error().message);
      auto after = rotate(*before, format, {&op_r}, ids);
      REQUIRE_MESSAGE(after, after.error().message);
      CHECK(*after != *before);
      auto p1 = decrypt(*before, format, ids);
      auto p2 = decrypt(*after, format, ids);
      REQUIRE(p1);
      REQUIRE_MESSAGE(p2, p2.error().message);
      CHECK(str(*render(*p2)) == str(*render(*p1)));
    }
  }

  TEST_CASE("a file also keyed for pgp is refused, naming the key") {
    auto op = new_identity();
    const auto op_r = op->recipient();
    const std::vector<const age::Identity*> ids{op.get()};
    auto before = encrypt("a: b\n", Format::yaml, {&op_r});
    REQUIRE(before);
    std::string with_pgp = *before;
    const auto at = with_pgp.find("sops:\n");
    REQUIRE(at != std::string::npos);
    with_pgp.insert(at + 6, "    pgp:\n        - created_at: \"2026-01-01T00:00:00Z\"\n          enc: x\n"
                            "          fp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n");
    auto out = rotate(with_pgp, Format::yaml, {&op_r}, ids);
    REQUIRE_FALSE(out);
    CHECK(out.error().code == Errc::unsupported);
    CHECK(out.error().message.find("pgp FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4") != std::string::npos);
    CHECK(out.error().message.find("sops rotate") != std::string::npos);
  }

  TEST_CASE("secret names: key paths with sequence indexes, unencrypted values left out") {
    auto op = new_identity();
    const auto op_r = op->recipient();
    auto text = encrypt(k_plain, Format::yaml, {&op_r});
    REQUIRE(text);
    auto file = load(*text, Format::yaml);
    REQUIRE(file);
    CHECK(encrypted_value_paths(*file) ==
          std::vector<std::string>{"db/password", "db/port", "db/ratio", "db/enabled", "servers/0/name", "servers/0/token",
                                   "servers/1/name", "servers/1/token"});
  }

  TEST_CASE("no identity, no recipients: nothing rotated") {
    auto op = new_identity();
    auto other = new_identity();
    const auto op_r = op->recipient();
    auto text = encrypt("a: b\n", Format::yaml, {&op_r});
    REQUIRE(text);
    auto denied = rotate(*text, Format::yaml, {&op_r}, {other.get()});
    REQUIRE_FALSE(denied);
    CHECK(denied.error().code == Errc::no_identity);
    auto empty = rotate(*text, Format::yaml, {}, {op.get()});
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == Errc::usage);
  }
}
