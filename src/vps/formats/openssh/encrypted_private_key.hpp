#pragma once
// Passphrase-protected OpenSSH private keys as `ssh-keygen -N` writes them: openssh-key-v1
// with kdf "bcrypt" (OpenBSD's bcrypt_pbkdf over the passphrase, a 16-byte salt and a number
// of rounds: ssh-keygen -a, default 16) and cipher "aes256-ctr" (ssh-keygen's default; also
// "aes256-cbc", which PuTTYgen writes). This module only reads what the file says in the clear
// and refuses what we cannot or will not decrypt, before anyone is asked for a passphrase;
// the decryption itself is enroll/keys/decrypt_private_key.hpp.
//
// Not supported (Errc::unsupported, with the ssh-keygen command that converts the file):
// "aes256-gcm@openssh.com" and "chacha20-poly1305@openssh.com" (libssh, which decrypts for
// us, cannot decrypt them: it crashes on GCM keys), other ciphers and KDFs, and more than
// k_max_bcrypt_rounds rounds (each round costs ~10 ms: 1000 rounds already take ~10 s, and a
// file naming 2^32 rounds would hang the command for months).

#include <cstdint>
#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::formats::openssh {

inline constexpr std::uint32_t k_max_bcrypt_rounds = 1000;
inline constexpr std::size_t k_bcrypt_salt_size = 16;  // what ssh-keygen and PuTTYgen write
inline constexpr std::size_t k_aes_block_size = 16;

struct EncryptedPrivateKey {
  std::string cipher;  // "aes256-ctr" or "aes256-cbc"
  Bytes salt;          // k_bcrypt_salt_size bytes
  std::uint32_t rounds = 0;
  crypto::Ed25519Public public_key{};  // stored in the clear: no passphrase needed to read it
};

// Parses the PEM text of an encrypted key. Errc::unsupported as above (and for an
// unencrypted key: "not encrypted"); Errc::malformed for a broken file (zero rounds, KDF
// options of the wrong shape, a private section that is not a non-empty multiple of the AES
// block size, and everything parse_private_key_envelope refuses). Messages name source_name.
Result<EncryptedPrivateKey> parse_encrypted_private_key(std::string_view text, std::string_view source_name);

}  // namespace vps::formats::openssh
