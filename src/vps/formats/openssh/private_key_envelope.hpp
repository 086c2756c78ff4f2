#pragma once
// The outer, unencrypted layer of an OpenSSH private key file ("openssh-key-v1", PROTOCOL.key):
// PEM armor, then magic, cipher and KDF names, KDF options, the key count, the public key and
// the (possibly encrypted) private section. Everything here can be read without a passphrase,
// which is how an encrypted key names its public half (for ssh-agent) and its encryption
// (refused before anyone is asked for a passphrase). Strict and bounded like the rest of the
// module: the caller's limits on the text apply, every length is checked before it is used.

#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::formats::openssh {

struct PrivateKeyEnvelope {
  std::string cipher;  // "none", "aes256-ctr", ...
  std::string kdf;     // "none" or "bcrypt"
  Bytes kdf_options;   // bcrypt: string salt, uint32 rounds
  crypto::Ed25519Public public_key{};
  SecretBytes private_section;  // plaintext when cipher is "none", else ciphertext
  Bytes auth_tag;               // after the section, for AEAD ciphers (GCM, chacha20-poly1305)

  bool encrypted() const { return cipher != "none" || kdf != "none"; }
};

// The base64 blob inside the BEGIN/END lines (LF or CRLF lines of at most 76 characters,
// nothing but one line ending after END, strict base64, at most 16 KiB of text).
// Errc::malformed naming source_name.
Result<SecretBytes> decode_private_key_armor(std::string_view text, std::string_view source_name);

// Magic, names (at most 64 bytes each), exactly one ssh-ed25519 public key, the private
// section (and the 16-byte tag an AEAD cipher appends), no trailing bytes. Several keys or another key type: Errc::unsupported; anything
// else wrong: Errc::malformed. Cipher and KDF are recorded, not judged.
Result<PrivateKeyEnvelope> parse_private_key_envelope(ByteView blob, std::string_view source_name);

// A name from the file as messages show it: quoted, at most 64 bytes, non-printable bytes '?'.
std::string quoted_name(std::string_view name);

// "<source>: invalid OpenSSH private key: <what>", Errc::malformed: the module's one wording.
tl::unexpected<Error> malformed_private_key(std::string_view source_name, std::string_view what);

}  // namespace vps::formats::openssh
