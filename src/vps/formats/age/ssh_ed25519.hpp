#pragma once
// age's "ssh-ed25519" recipient type (agessh): the file key is wrapped to the X25519 form of an
// Ed25519 SSH key, with the shared secret tweaked by HKDF of the SSH public key so that the
// stanza is bound to the SSH key (and differs from wrapping to its ssh-to-age X25519 key).

#include <string>
#include <string_view>

#include <vps/crypto/curve25519.hpp>
#include <vps/formats/age/identity.hpp>

namespace vps::formats::age {

inline constexpr std::string_view k_ssh_ed25519_type = "ssh-ed25519";

class SshEd25519Recipient final : public Recipient {
 public:
  // Errc::malformed if the key is not a valid Ed25519 point.
  static Result<SshEd25519Recipient> from_public_key(const crypto::Ed25519Public& key);
  // "ssh-ed25519 AAAA... [comment]".
  static Result<SshEd25519Recipient> parse(std::string_view line);

  Result<std::vector<Stanza>> wrap(const FileKey& key) const override;
  std::string describe() const override;

 private:
  SshEd25519Recipient(const crypto::Ed25519Public& key, const crypto::X25519Public& x) : m_key(key), m_x25519(x) {}
  crypto::Ed25519Public m_key;
  crypto::X25519Public m_x25519;
};

class SshEd25519Identity final : public Identity {
 public:
  // Errc::malformed if public_key is not a valid Ed25519 point.
  static Result<SshEd25519Identity> from_seed(const crypto::Ed25519Seed& seed, const crypto::Ed25519Public& public_key);

  Result<std::optional<FileKey>> unwrap(const std::vector<Stanza>& stanzas) const override;
  std::string describe() const override;

 private:
  SshEd25519Identity(const crypto::Ed25519Public& key, const crypto::X25519Secret& secret, const crypto::X25519Public& x)
      : m_key(key), m_secret(secret), m_x25519(x) {}
  crypto::Ed25519Public m_key;
  crypto::X25519Secret m_secret;
  crypto::X25519Public m_x25519;
};

}  // namespace vps::formats::age
