#pragma once
// SHA-256 / SHA-512 and HMAC-SHA-256, one-shot and incremental (libsodium).

#include <array>
#include <cstdint>

#include <sodium.h>

#include <vps/base/bytes.hpp>

namespace vps::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha512Digest = std::array<std::uint8_t, 64>;

Sha256Digest sha256(ByteView data);
Sha512Digest sha512(ByteView data);

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(ByteView data);
  Sha256Digest finish();

 private:
  crypto_hash_sha256_state m_state;
};

// HMAC-SHA-256 with a key of any length (RFC 2104).
Sha256Digest hmac_sha256(ByteView key, ByteView data);

class HmacSha256 {
 public:
  explicit HmacSha256(ByteView key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  void update(ByteView data);
  Sha256Digest finish();

 private:
  crypto_auth_hmacsha256_state m_state;
};

// HKDF-SHA-256 (RFC 5869), built on HMAC because Debian 12's libsodium 1.0.18 has no HKDF API.
// length <= 255 * 32. An empty salt means a string of 32 zero bytes, as the RFC says.
SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length);

}  // namespace vps::crypto
