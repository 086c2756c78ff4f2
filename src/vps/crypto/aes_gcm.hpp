#pragma once
// AES-256-GCM (OpenSSL EVP) with caller-chosen IV length, as sops uses: 32-byte IVs (Go's
// cipher.NewGCMWithNonceSize) and 16-byte tags stored apart from the ciphertext.

#include <cstdint>
#include <span>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::crypto::aes256gcm {

inline constexpr std::size_t k_key_size = 32;
inline constexpr std::size_t k_tag_size = 16;
inline constexpr std::size_t k_max_iv_size = 256;  // sops writes 32; anything larger is hostile

// ciphertext.size() must equal plaintext.size(); tag receives the 16-byte tag.
// iv must be 1..k_max_iv_size bytes. Throws std::invalid_argument on bad sizes (a bug).
void seal(ByteView key, ByteView iv, ByteView plaintext, ByteView aad, std::span<std::uint8_t> ciphertext,
          std::span<std::uint8_t, k_tag_size> tag);

// plaintext.size() must equal ciphertext.size(). Fails with Errc::integrity when the tag does
// not verify (plaintext is then zeroed); Errc::malformed for an IV or tag of the wrong size.
Status open(ByteView key, ByteView iv, ByteView ciphertext, ByteView tag, ByteView aad,
            std::span<std::uint8_t> plaintext);

}  // namespace vps::crypto::aes256gcm
