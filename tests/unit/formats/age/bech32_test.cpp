#include <doctest/doctest.h>

#include <vps/formats/age/bech32.hpp>

using namespace vps;
namespace bech32 = vps::formats::age::bech32;

TEST_SUITE("formats::age::bech32") {
  TEST_CASE("accepts the BIP 173 valid test vectors") {
    for (const char* s : {"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                          "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"}) {
      INFO(std::string(s));
      CHECK(bech32::decode(s).has_value());
    }
  }
  TEST_CASE("rejects the BIP 173 invalid test vectors") {
    for (const char* s : {"pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "de1lg7wt\xff", "A1G7SGD8",
                          "10a06t8", "1qzzfhee", " 1nwldj5"}) {
      INFO(std::string(s));
      auto r = bech32::decode(s);
      REQUIRE(!r);
      CHECK(r.error().code == Errc::malformed);
    }
  }
  TEST_CASE("rejects mixed case") {
    CHECK(!bech32::decode("a12UEL5L"));
    CHECK(!bech32::decode("A12uel5l"));
  }
  TEST_CASE("enforces age's 90-character limit") {
    const std::string ok = "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs";
    CHECK(ok.size() == 90);
    CHECK(bech32::decode(ok).has_value());
    CHECK(!bech32::decode("a" + ok));
    CHECK(!bech32::encode("age", Bytes(60, 0)));
  }
  TEST_CASE("rejects a non-zero padding and a corrupted checksum") {
    auto good = *bech32::encode("age", Bytes(32, 7));
    std::string bad = good;
    bad[10] = bad[10] == 'q' ? 'p' : 'q';
    CHECK(!bech32::decode(bad));
  }
  TEST_CASE("round-trips and keeps the case of the hrp") {
    Bytes data{1, 2, 3, 250, 251, 252};
    auto lower = *bech32::encode("age", data);
    CHECK(lower.starts_with("age1"));
    auto upper = *bech32::encode("AGE-SECRET-KEY-", data);
    CHECK(upper.starts_with("AGE-SECRET-KEY-1"));
    for (const auto& s : {lower, upper}) {
      auto d = bech32::decode(s);
      REQUIRE(d);
      CHECK(Bytes(d->data.begin(), d->data.end()) == data);
    }
    CHECK(bech32::decode(upper)->hrp == "AGE-SECRET-KEY-");
  }
}
