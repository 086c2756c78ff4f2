// Files written by our encrypter have sops' structure and decrypt back to the same plaintext.

#include <doctest/doctest.h>

#include <vps/base/hex.hpp>
#include <vps/formats/sops/sops.hpp>
#include <vps/formats/sops/value.hpp>

using namespace vps;
using namespace vps::formats::sops;

namespace {

const Bytes k_key(32, 0x42);

std::string str(const SecretString& s) { return std::string(s.begin(), s.end()); }

std::vector<AgeKey> fake_age() {
  return {AgeKey{"age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun",
                 "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"}};
}

PlainFile round_trip(const std::string& plain, Format format, std::string* encrypted_out = nullptr) {
  auto encrypted = encrypt_with_key(plain, format, k_key, fake_age(), {{}, "2026-01-02T03:04:05Z"});
  REQUIRE(encrypted);
  if (encrypted_out) *encrypted_out = *encrypted;
  auto file = load(*encrypted, format);
  REQUIRE(file);
  auto back = decrypt_with_key(*file, k_key);
  REQUIRE(back);
  return *back;
}

}  // namespace

TEST_SUITE("formats::sops round trip") {
  TEST_CASE("yaml: values, types, comments, lists, clear suffix") {
    std::string plain =
        "# top comment\n"
        "password: hunter2\n"
        "port: 5432\n"
        "ratio: 0.25\n"
        "enabled: true\n"
        "nothing: null\n"
        "db:\n"
        "    user: eve\n"
        "    # about the list\n"
        "    hosts:\n"
        "        - a.example\n"
        "        - b.example\n"
        "    items:\n"
        "        - name: one\n"
        "          value: \"1\"\n"
        "        - name: two\n"
        "          value: |\n"
        "            line one\n"
        "            line two\n"
        "public_unencrypted: visible\n";
    std::string encrypted;
    auto back = round_trip(plain, Format::yaml, &encrypted);
    CHECK(str(*render(back)) == plain);
    CHECK(encrypted.find("public_unencrypted: visible") != std::string::npos);
    CHECK(encrypted.find("hunter2") == std::string::npos);
    CHECK(encrypted.find("#ENC[AES256_GCM,") != std::string::npos);
    CHECK(encrypted.find("type:int]") != std::string::npos);
    CHECK(encrypted.find("type:float]") != std::string::npos);
    CHECK(encrypted.find("type:bool]") != std::string::npos);
    CHECK(encrypted.find("lastmodified: \"2026-01-02T03:04:05Z\"") != std::string::npos);
    CHECK(encrypted.find("unencrypted_suffix: _unencrypted") != std::string::npos);
    CHECK(encrypted.find("version: 3.9.4") != std::string::npos);
    CHECK(encrypted.find("    age:\n        - recipient: age1lzd99") != std::string::npos);
    CHECK(encrypted.find("          enc: |\n            -----BEGIN AGE ENCRYPTED FILE-----\n") != std::string::npos);
  }

  TEST_CASE("every value uses a 32-byte IV, a 16-byte tag and its path as additional data") {
    std::string encrypted;
    round_trip("a:\n    b: secret\n", Format::yaml, &encrypted);
    auto file = load(encrypted, Format::yaml);
    REQUIRE(file);
    const Node* b = file->documents[0].find("a")->find("b");
    REQUIRE(b);
    auto value = parse_encrypted(std::string_view(b->text.data(), b->text.size()));
    REQUIRE(value);
    CHECK(value->iv.size() == 32);
    CHECK(value->tag.size() == 16);
    CHECK(decrypt_value(std::string_view(b->text.data(), b->text.size()), k_key, "a:b:"));
    CHECK_FALSE(decrypt_value(std::string_view(b->text.data(), b->text.size()), k_key, "a:"));
    auto mac = decrypt_value(file->metadata.mac, k_key, "2026-01-02T03:04:05Z");
    REQUIRE(mac);
    CHECK(mac->text.size() == 128);
  }

  TEST_CASE("json, dotenv, ini, binary") {
    std::string json = "{\n\t\"a\": \"b\",\n\t\"n\": 1.5,\n\t\"list\": [\n\t\t1,\n\t\t{\n\t\t\t\"x\": true\n\t\t}\n\t],\n\t\"e\": {}\n}\n";
    CHECK(str(*render(round_trip(json, Format::json))) == json);
    std::string env = "# comment\nKEY=value\nMULTI=one\\ntwo\n";
    CHECK(str(*render(round_trip(env, Format::dotenv))) == env);
    std::string ini = "[section]\nkey    = value\nlonger = x\n\n[other]\na = b\n";
    CHECK(str(*render(round_trip(ini, Format::ini))) == ini);
    std::string bin = std::string("\x00\x01binary\xff\n", 10);
    CHECK(str(*render(round_trip(bin, Format::binary))) == bin);
  }

  TEST_CASE("encrypted dotenv and ini carry flattened metadata") {
    std::string encrypted;
    round_trip("K=v\n", Format::dotenv, &encrypted);
    CHECK(encrypted.find("sops_age__list_0__map_recipient=age1lzd99") != std::string::npos);
    CHECK(encrypted.find("sops_age__list_0__map_enc=-----BEGIN AGE ENCRYPTED FILE-----\\nYWdl\\n") != std::string::npos);
    round_trip("[s]\nk = v\n", Format::ini, &encrypted);
    CHECK(encrypted.find("[sops]\n") != std::string::npos);
    CHECK(encrypted.find("age__list_0__map_recipient = age1lzd99") != std::string::npos);
  }

  TEST_CASE("encrypted_regex and mac_only_encrypted") {
    EncryptOptions options;
    options.rules.encrypted_regex = "^(data|stringData)$";
    options.rules.mac_only_encrypted = true;
    options.last_modified = "2026-01-02T03:04:05Z";
    auto encrypted = encrypt_with_key("kind: Secret\ndata:\n    pw: x\n", Format::yaml, k_key, fake_age(), options);
    REQUIRE(encrypted);
    CHECK(encrypted->find("kind: Secret") != std::string::npos);
    CHECK(encrypted->find("pw: ENC[") != std::string::npos);
    CHECK(encrypted->find("mac_only_encrypted: true") != std::string::npos);
    auto file = load(*encrypted, Format::yaml);
    REQUIRE(file);
    // With mac_only_encrypted, clear values may change without breaking the MAC (as in sops).
    std::string changed = *encrypted;
    changed.replace(changed.find("kind: Secret"), 12, "kind: Other!");
    auto reloaded = load(changed, Format::yaml);
    REQUIRE(reloaded);
    CHECK(decrypt_with_key(*reloaded, k_key));
  }

  TEST_CASE("refuses to encrypt a file that already has sops metadata") {
    auto r = encrypt_with_key("a: 1\nsops:\n    x: y\n", Format::yaml, k_key, fake_age());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::malformed);
  }
}

TEST_SUITE("formats::sops fuzz regressions") {
  // sops_yaml_fuzz: a BOM at the start of line 2 made "<BOM>y" and "y" two keys; our encrypted
  // output put the BOM at the start of the file, where it is skipped, and then did not load.
  TEST_CASE("a byte order mark after the start of a YAML file is refused, so encrypt never writes what load refuses") {
    const std::string plain("\n\xEF\xBB\xBFy:\ny:", 9);
    auto encrypted = encrypt_with_key(plain, Format::yaml, k_key, fake_age(), {{}, "2026-01-02T03:04:05Z"});
    REQUIRE_FALSE(encrypted);
    CHECK(encrypted.error().code == Errc::malformed);
    CHECK(encrypted.error().message.find("line 2: byte order mark") != std::string::npos);
    // At the very start it is still accepted (and not part of the first key).
    auto back = round_trip("\xEF\xBB\xBFkey: 1\n", Format::yaml);
    CHECK(str(render(back).value()) == "key: 1\n");
  }

  // sops_ini_fuzz: an _unencrypted value ending in tabs and a CR was written bare, read back
  // trimmed, and the MAC no longer matched.
  TEST_CASE("INI values with leading or trailing whitespace of any kind round-trip") {
    for (const std::string& value : {std::string("x\t"), std::string("\tx"), std::string("x\r"), std::string("x \t\r"),
                                    std::string("\x01\x00\xa0?\t\t\r", 7)}) {
      INFO(value.size());
      const std::string plain = "[app]\nkey_unencrypted = \"" + value + "\"\nsecret = \"" + value + "\"\n";
      std::string encrypted;
      auto back = round_trip(plain, Format::ini, &encrypted);
      CHECK(str(extract(back, "app/key_unencrypted").value()) == value);
      CHECK(str(extract(back, "app/secret").value()) == value);
    }
  }
}
