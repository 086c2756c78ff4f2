#pragma once
// The X25519 recipient type ("age1..." / "AGE-SECRET-KEY-1...") and the ssh-to-age
// derivation of an X25519 identity from an Ed25519 seed.

#include <string>
#include <string_view>

#include <vps/crypto/curve25519.hpp>
#include <vps/formats/age/identity.hpp>

namespace vps::formats::age {

inline constexpr std::string_view k_x25519_type = "X25519";

class X25519Recipient final : public Recipient {
 public:
  explicit X25519Recipient(const crypto::X25519Public& key) : m_key(key) {}
  // "age1..." (lowercase bech32, hrp "age", 32 bytes). Errc::malformed otherwise.
  static Result<X25519Recipient> parse(std::string_view text);
  std::string encode() const;
  const crypto::X25519Public& key() const { return m_key; }

  Result<std::vector<Stanza>> wrap(const FileKey& key) const override;
  std::string describe() const override { return encode(); }

 private:
  crypto::X25519Public m_key;
};

class X25519Identity final : public Identity {
 public:
  explicit X25519Identity(const crypto::X25519Secret& secret);
  // "AGE-SECRET-KEY-1..." (uppercase bech32). Errc::malformed otherwise; messages never
  // contain the key.
  static Result<X25519Identity> parse(std::string_view text);
  // ssh-to-age: SHA-512(seed)[0..32], not clamped, so the encoding matches ssh-to-age's.
  static X25519Identity from_ed25519_seed(const crypto::Ed25519Seed& seed);
  std::string encode() const;  // "AGE-SECRET-KEY-1..."
  X25519Recipient recipient() const { return X25519Recipient(m_public); }

  Result<std::optional<FileKey>> unwrap(const std::vector<Stanza>& stanzas) const override;
  std::string describe() const override { return "X25519 " + recipient().encode(); }

 private:
  crypto::X25519Secret m_secret;
  crypto::X25519Public m_public{};
};

}  // namespace vps::formats::age
