#include <doctest/doctest.h>

#include <vps/base/hex.hpp>
#include <vps/crypto/aes_gcm.hpp>

using namespace vps;
using namespace vps::crypto;

TEST_SUITE("crypto::aes256gcm") {
  TEST_CASE("matches the GCM spec test case 14 (AES-256, 96-bit IV)") {
    Bytes key(32, 0), iv(12, 0), plain(16, 0), cipher(16);
    std::array<std::uint8_t, 16> tag{};
    aes256gcm::seal(key, iv, plain, {}, cipher, tag);
    CHECK(hex::encode(cipher) == "cea7403d4d606b6e074ec5d3baf39d18");
    CHECK(hex::encode(tag) == "d0d1c8a799996bf0265b98b5d48ab919");
    Bytes back(16);
    CHECK(aes256gcm::open(key, iv, cipher, tag, {}, back));
    CHECK(back == plain);
  }

  TEST_CASE("32-byte IVs, additional data and tampering") {
    Bytes key(32, 9), iv(32, 3), plain = to_bytes("secret"), cipher(6);
    std::array<std::uint8_t, 16> tag{};
    aes256gcm::seal(key, iv, plain, as_bytes("a:b:"), cipher, tag);
    Bytes back(6);
    CHECK(aes256gcm::open(key, iv, cipher, tag, as_bytes("a:b:"), back));
    CHECK(back == plain);
    auto wrong = aes256gcm::open(key, iv, cipher, tag, as_bytes("a:"), back);
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == Errc::integrity);
    CHECK(back == Bytes(6, 0));  // wiped on failure
    cipher[0] ^= 1;
    CHECK_FALSE(aes256gcm::open(key, iv, cipher, tag, as_bytes("a:b:"), back));
    auto short_tag = aes256gcm::open(key, iv, cipher, ByteView(tag.data(), 8), {}, back);
    REQUIRE_FALSE(short_tag);
    CHECK(short_tag.error().code == Errc::malformed);
  }
}
