#pragma once
// OpenSSH public key lines ("ssh-ed25519 AAAA... comment", as in .pub files and
// authorized_keys without options) and the SSH wire encoding of an Ed25519 public key.

#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::formats::openssh {

inline constexpr std::string_view k_ed25519_type = "ssh-ed25519";

struct Ed25519PublicKey {
  crypto::Ed25519Public key{};
  std::string comment;
};

// "ssh-ed25519 <base64 blob> [comment]", one trailing "\n" or "\r\n" allowed. Fields are
// separated by spaces or tabs. The blob's key type must be ssh-ed25519 and match the line's
// (Errc::unsupported for other types, naming them); anything else wrong is Errc::malformed.
Result<Ed25519PublicKey> parse_public_key_line(std::string_view line);

// "ssh-ed25519 <base64> <comment>" (no comment part when empty); no trailing newline.
std::string format_public_key_line(const Ed25519PublicKey& key);

// SSH string "ssh-ed25519" + SSH string of the 32 key bytes (51 bytes).
Bytes wire_encoding(const crypto::Ed25519Public& key);

// Parses exactly a wire encoding as above (nothing may follow). Errc::unsupported for another
// key type, Errc::malformed otherwise. `what` prefixes messages.
Result<crypto::Ed25519Public> parse_wire_encoding(ByteView blob, std::string_view what);

}  // namespace vps::formats::openssh
