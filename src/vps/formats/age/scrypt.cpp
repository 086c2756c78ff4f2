#include <vps/formats/age/scrypt.hpp>

#include <algorithm>

#include <vps/base/text.hpp>
#include <vps/crypto/random.hpp>
#include <vps/crypto/scrypt.hpp>
#include <vps/formats/age/primitives.hpp>

namespace vps::formats::age {
namespace {

constexpr std::string_view k_label = "age-encryption.org/v1/scrypt";
constexpr std::size_t k_salt_size = 16;

Bytes labeled_salt(ByteView salt) {
  // Sized up front (GCC 12 warns falsely on vector::insert after a constexpr-sized init).
  Bytes out(k_label.size() + salt.size());
  std::copy(k_label.begin(), k_label.end(), out.begin());
  std::copy(salt.begin(), salt.end(), out.begin() + static_cast<std::ptrdiff_t>(k_label.size()));
  return out;
}

}  // namespace

ScryptRecipient::ScryptRecipient(std::string_view passphrase, unsigned work_factor)
    : m_passphrase(passphrase.begin(), passphrase.end()), m_work_factor(work_factor) {}

Result<std::vector<Stanza>> ScryptRecipient::wrap(const FileKey& file_key) const {
  if (m_work_factor < 1 || m_work_factor > 30) return fail(Errc::usage, "scrypt work factor must be 1..30");
  std::uint8_t salt[k_salt_size];
  crypto::random_bytes(salt);
  auto key = VPS_TRY(crypto::scrypt32(m_passphrase, labeled_salt(salt), m_work_factor));
  Stanza stanza{std::string(k_scrypt_type), {encode_b64(salt), std::to_string(m_work_factor)},
                wrap_file_key(key, file_key)};
  return std::vector<Stanza>{std::move(stanza)};
}

ScryptIdentity::ScryptIdentity(std::string_view passphrase, unsigned max_work_factor)
    : m_passphrase(passphrase.begin(), passphrase.end()), m_max_work_factor(max_work_factor) {}

Result<std::optional<FileKey>> ScryptIdentity::unwrap(const std::vector<Stanza>& stanzas) const {
  for (const Stanza& stanza : stanzas) {
    if (stanza.type != k_scrypt_type) continue;
    if (stanzas.size() != 1) return fail(Errc::malformed, "invalid scrypt stanza: it must be the only stanza");
    if (stanza.args.size() != 2) return fail(Errc::malformed, "invalid scrypt stanza: expected two arguments");
    auto salt = decode_b64(stanza.args[0]);
    if (!salt || salt->size() != k_salt_size) return fail(Errc::malformed, "invalid scrypt stanza: salt is not 16 bytes");
    // Decimal without sign or leading zeros, 1..99 (the spec allows no other spelling).
    auto parsed_factor = text::parse_decimal(stanza.args[1], 1, 99);
    if (!parsed_factor) return fail(Errc::malformed, "invalid scrypt stanza: malformed work factor");
    const std::optional<unsigned> work_factor = static_cast<unsigned>(*parsed_factor);
    if (*work_factor > m_max_work_factor)
      return fail(Errc::malformed, "invalid scrypt stanza: work factor " + std::to_string(*work_factor) +
                                       " is above the limit of " + std::to_string(m_max_work_factor));
    if (stanza.body.size() != k_wrapped_key_size)
      return fail(Errc::malformed, "invalid scrypt stanza: wrapped file key is not 16 bytes");
    auto key = VPS_TRY(crypto::scrypt32(m_passphrase, labeled_salt(*salt), *work_factor));
    return unwrap_file_key(key, stanza.body, "invalid scrypt stanza");
  }
  return std::optional<FileKey>{};
}

}  // namespace vps::formats::age
