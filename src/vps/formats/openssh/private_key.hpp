#pragma once
// OpenSSH private keys ("openssh-key-v1", PROTOCOL.key), restricted to what a host identity
// needs: one unencrypted ssh-ed25519 key (encrypted ones: encrypted_private_key.hpp). Parsing is strict and bounded; formatting writes the
// bytes ssh-keygen writes (70-column base64 lines), except for the random check integers.

#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::formats::openssh {

inline constexpr std::string_view k_private_key_begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
inline constexpr std::string_view k_private_key_end = "-----END OPENSSH PRIVATE KEY-----";
// Caps the PEM text (an ed25519 key is ~400 bytes; 16 KiB still lets us name an RSA key's type).
inline constexpr std::size_t k_max_private_key_text = 16 * 1024;
inline constexpr std::size_t k_max_comment = 1024;
// The private section's padding unit when it is not encrypted (cipher "none"), as ssh-keygen writes.
inline constexpr std::size_t k_unencrypted_block_size = 8;

struct Ed25519PrivateKey {
  crypto::Ed25519Seed seed;
  crypto::Ed25519Public public_key{};
  std::string comment;
};

// True when text starts with the BEGIN line (no leading whitespace).
bool looks_like_private_key(std::string_view text);

// openssh-key-v1, unencrypted, exactly one ed25519 key. Checks: PEM armor (LF or CRLF lines,
// nothing but one line ending after END), strict base64, magic, cipher/kdf "none" with empty
// kdf options, one key, outer public key == inner public key == public key of the seed,
// check integers equal, padding 1,2,3.. to a multiple of 8, no trailing bytes anywhere.
// Errors name source_name first. Encrypted keys, other key types, several keys:
// Errc::unsupported; anything else: Errc::malformed.
Result<Ed25519PrivateKey> parse_private_key(std::string_view text, std::string_view source_name);

// As parse_private_key, for the decoded blob of an unencrypted key whose private section is
// padded to `block_size` (k_unencrypted_block_size as ssh-keygen writes; 16 as libssh exports
// a key, padding to its AES block size even without a cipher), padding shorter than a block.
Result<Ed25519PrivateKey> parse_private_key_blob(ByteView blob, std::size_t block_size, std::string_view source_name);

// PEM text exactly as ssh-keygen writes it, ending with "\n".
SecretBytes format_private_key(const Ed25519PrivateKey& key);

}  // namespace vps::formats::openssh
