#pragma once
// ChaCha20-Poly1305 (IETF, RFC 8439): 32-byte key, 12-byte nonce, 16-byte tag appended.

#include <cstdint>
#include <span>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::crypto::chacha20poly1305 {

inline constexpr std::size_t k_key_size = 32;
inline constexpr std::size_t k_nonce_size = 12;
inline constexpr std::size_t k_tag_size = 16;

// out.size() must be plaintext.size() + k_tag_size; out may alias plaintext exactly.
void seal(ByteView key, ByteView nonce, ByteView plaintext, ByteView aad, std::span<std::uint8_t> out);

// out.size() must be ciphertext.size() - k_tag_size; out may alias ciphertext exactly.
// Fails with Errc::integrity when the tag does not verify (out is then zeroed).
Status open(ByteView key, ByteView nonce, ByteView ciphertext, ByteView aad, std::span<std::uint8_t> out);

}  // namespace vps::crypto::chacha20poly1305
