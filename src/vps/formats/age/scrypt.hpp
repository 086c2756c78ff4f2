#pragma once
// age's passphrase recipient type: scrypt(N = 2^work_factor, r = 8, p = 1) over the salt
// "age-encryption.org/v1/scrypt" || 16 random bytes. A scrypt stanza must be the only stanza
// of its header; decryption refuses work factors above a cap (22 = 4 GiB of memory) so a
// hostile file cannot make us burn memory and CPU.

#include <string>
#include <string_view>

#include <vps/formats/age/identity.hpp>

namespace vps::formats::age {

inline constexpr std::string_view k_scrypt_type = "scrypt";
inline constexpr unsigned k_scrypt_default_work_factor = 18;
inline constexpr unsigned k_scrypt_max_work_factor = 22;

class ScryptRecipient final : public Recipient {
 public:
  explicit ScryptRecipient(std::string_view passphrase, unsigned work_factor = k_scrypt_default_work_factor);
  Result<std::vector<Stanza>> wrap(const FileKey& key) const override;
  std::string describe() const override { return "scrypt passphrase"; }
  bool must_be_alone() const override { return true; }

 private:
  SecretBytes m_passphrase;
  unsigned m_work_factor;
};

class ScryptIdentity final : public Identity {
 public:
  explicit ScryptIdentity(std::string_view passphrase, unsigned max_work_factor = k_scrypt_max_work_factor);
  Result<std::optional<FileKey>> unwrap(const std::vector<Stanza>& stanzas) const override;
  std::string describe() const override { return "scrypt passphrase"; }

 private:
  SecretBytes m_passphrase;
  unsigned m_max_work_factor;
};

}  // namespace vps::formats::age
