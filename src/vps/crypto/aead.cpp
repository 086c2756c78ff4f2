#include <vps/crypto/aead.hpp>

#include <stdexcept>

#include <sodium.h>

#include <vps/crypto/sodium.hpp>

namespace vps::crypto::chacha20poly1305 {
namespace {
void check_sizes(ByteView key, ByteView nonce) {
  if (key.size() != k_key_size || nonce.size() != k_nonce_size)
    throw std::invalid_argument("chacha20poly1305: bad key or nonce size");
}
}  // namespace

void seal(ByteView key, ByteView nonce, ByteView plaintext, ByteView aad, std::span<std::uint8_t> out) {
  ensure_sodium();
  check_sizes(key, nonce);
  if (out.size() != plaintext.size() + k_tag_size) throw std::invalid_argument("chacha20poly1305: bad output size");
  unsigned long long out_len = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &out_len, plaintext.data(), plaintext.size(),
                                            aad.data(), aad.size(), nullptr, nonce.data(), key.data());
}

Status open(ByteView key, ByteView nonce, ByteView ciphertext, ByteView aad, std::span<std::uint8_t> out) {
  ensure_sodium();
  check_sizes(key, nonce);
  if (ciphertext.size() < k_tag_size || out.size() != ciphertext.size() - k_tag_size)
    throw std::invalid_argument("chacha20poly1305: bad output size");
  unsigned long long out_len = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), &out_len, nullptr, ciphertext.data(),
                                                ciphertext.size(), aad.data(), aad.size(), nonce.data(),
                                                key.data()) != 0) {
    if (!out.empty()) sodium_memzero(out.data(), out.size());
    return fail(Errc::integrity, "authentication tag mismatch");
  }
  return {};
}

}  // namespace vps::crypto::chacha20poly1305
