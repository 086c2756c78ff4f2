#include <doctest/doctest.h>

#include <cmath>

#include <vps/formats/sops/value.hpp>

using namespace vps;
using namespace vps::formats::sops;

namespace {
std::string str(const SecretString& s) { return std::string(s.begin(), s.end()); }
const Bytes k_key(32, 7);
}  // namespace

TEST_SUITE("formats::sops::value") {
  TEST_CASE("parses and formats ENC values") {
    std::string text = "ENC[AES256_GCM,data:8CvE,iv:tjchf/lmMpXDOA1tLE/N4oY9IqJIzfQ/7NlvQlDUtoA=,"
                       "tag:1aFCHIRp3j/VPNcCEsE95A==,type:str]";
    auto v = parse_encrypted(text);
    REQUIRE(v);
    CHECK(v->data.size() == 3);
    CHECK(v->iv.size() == 32);
    CHECK(v->tag.size() == 16);
    CHECK(v->type == "str");
    CHECK(format_encrypted(*v) == text);
  }

  TEST_CASE("rejects malformed ENC values") {
    for (std::string bad : {"ENC[AES256_GCM,data:8CvE,iv:AAAA,tag:AAAA,type:str]",   // short tag
                            "ENC[AES256_GCM,data:8CvE,iv:AAAA,tag:1aFCHIRp3j/VPNcCEsE95A==,type:str",
                            "ENC[AES256_GCM,data:,iv:AAAA,tag:1aFCHIRp3j/VPNcCEsE95A==,type:str]",
                            "ENC[AES256_GCM,data:8C E,iv:AAAA,tag:1aFCHIRp3j/VPNcCEsE95A==,type:str]",
                            "ENC[AES256_GCM,iv:AAAA,data:8CvE,tag:1aFCHIRp3j/VPNcCEsE95A==,type:str]",
                            "ENC[AES128_GCM,data:8CvE,iv:AAAA,tag:1aFCHIRp3j/VPNcCEsE95A==,type:str]",
                            "ENC[AES256_GCM,data:8CvE,iv:AAAA,tag:1aFCHIRp3j/VPNcCEsE95A==,type:S T]"}) {
      CAPTURE(bad);
      auto v = parse_encrypted(bad);
      REQUIRE_FALSE(v);
      CHECK(v.error().code == Errc::malformed);
    }
  }

  TEST_CASE("round-trips typed values with 32-byte IVs") {
    for (const Node& n : {Node::string("hello"), make_integer(-42), make_floating(1234.5), make_boolean(true),
                          Node::comment(" note")}) {
      auto enc = encrypt_value(n, k_key, "a:b:");
      REQUIRE(enc);
      auto parsed = parse_encrypted(*enc);
      REQUIRE(parsed);
      CHECK(parsed->iv.size() == k_iv_size);
      auto back = decrypt_value(*enc, k_key, "a:b:");
      REQUIRE(back);
      CHECK(back->kind == n.kind);
      CHECK(str(back->text) == str(n.text));
    }
  }

  TEST_CASE("booleans are encrypted as True/False, floats without exponent") {
    auto enc = encrypt_value(make_boolean(false), k_key, ":");
    auto parsed = parse_encrypted(*enc);
    CHECK(parsed->type == "bool");
    CHECK(parsed->data.size() == 5);  // "False"
    CHECK(str(make_floating(1.234568e9).text) == "1234568000");
    CHECK(str(make_floating(0.1).text) == "0.1");
    CHECK(format_float_yaml(1.234568e9) == "1.234568e+09");
    CHECK(format_float_yaml(25.4) == "25.4");
    CHECK(format_float_yaml(123456) == "123456");
    CHECK(format_float_json(1e21) == "1e+21");
    CHECK(format_float_json(1e-7) == "1e-7");
    CHECK(format_float_json(25) == "25");
    CHECK(format_float_fixed(std::nan("")) == "NaN");
  }

  TEST_CASE("wrong additional data or flipped byte fails with integrity") {
    auto enc = encrypt_value(Node::string("secret"), k_key, "a:");
    REQUIRE(enc);
    auto wrong_aad = decrypt_value(*enc, k_key, "b:");
    REQUIRE_FALSE(wrong_aad);
    CHECK(wrong_aad.error().code == Errc::integrity);
    std::string flipped = *enc;
    flipped[20] = flipped[20] == 'A' ? 'B' : 'A';
    auto bad = decrypt_value(flipped, k_key, "a:");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == Errc::integrity);
  }

  TEST_CASE("empty strings stay empty") {
    CHECK(encrypt_value(Node::string(""), k_key, "a:")->empty());
    auto back = decrypt_value("", k_key, "a:");
    REQUIRE(back);
    CHECK(back->kind == Kind::string);
    CHECK(back->text.empty());
  }

  TEST_CASE("Go strconv parsing of decrypted typed text") {
    CHECK(*parse_go_int("+12") == 12);
    CHECK_FALSE(parse_go_int("1.5"));
    CHECK_FALSE(parse_go_int(""));
    CHECK(*parse_go_bool("True"));
    CHECK_FALSE(*parse_go_bool("0"));
    CHECK_FALSE(parse_go_bool("yes"));
    CHECK(*parse_go_float("25.4") == 25.4);
    CHECK(std::isinf(*parse_go_float("+Inf")));
    CHECK_FALSE(parse_go_float("abc"));
  }
}
