#include <doctest/doctest.h>

#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>

using namespace vps;

TEST_SUITE("crypto::hkdf_sha256") {
  TEST_CASE("matches RFC 5869 test case 1") {
    auto ikm = *hex::decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    auto salt = *hex::decode("000102030405060708090a0b0c");
    auto info = *hex::decode("f0f1f2f3f4f5f6f7f8f9");
    auto okm = crypto::hkdf_sha256(ikm, salt, info, 42);
    CHECK(hex::encode(ByteView(okm.data(), okm.size())) ==
          "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }
  TEST_CASE("matches RFC 5869 test case 3 (empty salt and info)") {
    auto ikm = *hex::decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    auto okm = crypto::hkdf_sha256(ikm, {}, {}, 42);
    CHECK(hex::encode(ByteView(okm.data(), okm.size())) ==
          "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }
}

TEST_SUITE("crypto::hmac_sha256") {
  TEST_CASE("matches RFC 4231 test case 2") {
    auto mac = crypto::hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"));
    CHECK(hex::encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}
