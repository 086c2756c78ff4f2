#include <vps/crypto/hash.hpp>

#include <stdexcept>

#include <vps/crypto/sodium.hpp>

namespace vps::crypto {

Sha256Digest sha256(ByteView data) {
  ensure_sodium();
  Sha256Digest out;
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

Sha512Digest sha512(ByteView data) {
  ensure_sodium();
  Sha512Digest out;
  crypto_hash_sha512(out.data(), data.data(), data.size());
  return out;
}

Sha256::Sha256() {
  ensure_sodium();
  crypto_hash_sha256_init(&m_state);
}
Sha256::~Sha256() { sodium_memzero(&m_state, sizeof m_state); }
void Sha256::update(ByteView data) { crypto_hash_sha256_update(&m_state, data.data(), data.size()); }
Sha256Digest Sha256::finish() {
  Sha256Digest out;
  crypto_hash_sha256_final(&m_state, out.data());
  return out;
}

Sha256Digest hmac_sha256(ByteView key, ByteView data) {
  HmacSha256 mac(key);
  mac.update(data);
  return mac.finish();
}

HmacSha256::HmacSha256(ByteView key) {
  ensure_sodium();
  crypto_auth_hmacsha256_init(&m_state, key.data(), key.size());
}
HmacSha256::~HmacSha256() { sodium_memzero(&m_state, sizeof m_state); }
void HmacSha256::update(ByteView data) {
  crypto_auth_hmacsha256_update(&m_state, data.data(), data.size());
}
Sha256Digest HmacSha256::finish() {
  Sha256Digest out;
  crypto_auth_hmacsha256_final(&m_state, out.data());
  return out;
}

SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
  if (length > 255 * 32) throw std::invalid_argument("hkdf_sha256: output too long");
  static const std::uint8_t k_zero_salt[32] = {};
  // Extract.
  Sha256Digest prk = hmac_sha256(salt.empty() ? ByteView(k_zero_salt, 32) : salt, ikm);
  // Expand.
  SecretBytes out;
  out.reserve(length);
  Sha256Digest block{};
  std::size_t block_len = 0;
  for (std::uint8_t counter = 1; out.size() < length; ++counter) {
    HmacSha256 mac(ByteView(prk.data(), prk.size()));
    mac.update(ByteView(block.data(), block_len));
    mac.update(info);
    mac.update(ByteView(&counter, 1));
    block = mac.finish();
    block_len = block.size();
    std::size_t take = std::min(block.size(), length - out.size());
    out.insert(out.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(take));
  }
  sodium_memzero(prk.data(), prk.size());
  sodium_memzero(block.data(), block.size());
  return out;
}

}  // namespace vps::crypto
