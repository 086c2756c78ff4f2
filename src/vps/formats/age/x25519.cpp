#include <vps/formats/age/x25519.hpp>

#include <algorithm>

#include <vps/crypto/random.hpp>
#include <vps/formats/age/bech32.hpp>
#include <vps/formats/age/primitives.hpp>

namespace vps::formats::age {
namespace {

constexpr std::string_view k_recipient_hrp = "age";
constexpr std::string_view k_identity_hrp = "AGE-SECRET-KEY-";
constexpr std::string_view k_label = "age-encryption.org/v1/X25519";

Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

Result<X25519Recipient> X25519Recipient::parse(std::string_view text) {
  auto decoded = bech32::decode(text);
  if (!decoded) return fail(Errc::malformed, "invalid age recipient: " + decoded.error().message);
  if (decoded->hrp != k_recipient_hrp) return fail(Errc::malformed, "invalid age recipient: wrong type (expected age1...)");
  if (decoded->data.size() != 32) return fail(Errc::malformed, "invalid age recipient: key is not 32 bytes");
  crypto::X25519Public key{};
  std::copy(decoded->data.begin(), decoded->data.end(), key.begin());
  return X25519Recipient(key);
}

std::string X25519Recipient::encode() const { return *bech32::encode(k_recipient_hrp, m_key); }

Result<std::vector<Stanza>> X25519Recipient::wrap(const FileKey& file_key) const {
  crypto::X25519Secret ephemeral;
  crypto::random_bytes(ephemeral.span());
  crypto::X25519Public share = crypto::x25519_base(ephemeral);
  auto shared = crypto::x25519(ephemeral, m_key);
  if (!shared) return fail(Errc::malformed, "wrapping for " + encode() + ": recipient is a low-order point");
  SecretArray<32> wrap_key = hkdf32(shared->view(), concat(share, m_key), k_label);
  Stanza stanza{std::string(k_x25519_type), {encode_b64(share)}, wrap_file_key(wrap_key, file_key)};
  return std::vector<Stanza>{std::move(stanza)};
}

X25519Identity::X25519Identity(const crypto::X25519Secret& secret)
    : m_secret(secret), m_public(crypto::x25519_base(secret)) {}

Result<X25519Identity> X25519Identity::parse(std::string_view text) {
  auto decoded = bech32::decode(text);
  if (!decoded) return fail(Errc::malformed, "invalid age identity: " + decoded.error().message);
  if (decoded->hrp != k_identity_hrp)
    return fail(Errc::malformed, "invalid age identity: wrong type (expected AGE-SECRET-KEY-1...)");
  if (decoded->data.size() != 32) return fail(Errc::malformed, "invalid age identity: key is not 32 bytes");
  crypto::X25519Secret secret;
  std::copy(decoded->data.begin(), decoded->data.end(), secret.data());
  return X25519Identity(secret);
}

X25519Identity X25519Identity::from_ed25519_seed(const crypto::Ed25519Seed& seed) {
  return X25519Identity(crypto::ed25519_seed_to_x25519(seed));
}

std::string X25519Identity::encode() const { return *bech32::encode(k_identity_hrp, m_secret.view()); }

Result<std::optional<FileKey>> X25519Identity::unwrap(const std::vector<Stanza>& stanzas) const {
  for (const Stanza& stanza : stanzas) {
    if (stanza.type != k_x25519_type) continue;
    if (stanza.args.size() != 1) return fail(Errc::malformed, "invalid X25519 stanza: expected one argument");
    auto share = decode_b64(stanza.args[0]);
    if (!share || share->size() != 32) return fail(Errc::malformed, "invalid X25519 stanza: share is not 32 bytes");
    if (stanza.body.size() != k_wrapped_key_size)
      return fail(Errc::malformed, "invalid X25519 stanza: wrapped file key is not 16 bytes");
    auto shared = crypto::x25519(m_secret, *share);
    if (!shared) return fail(Errc::malformed, "invalid X25519 stanza: share is a low-order point");
    SecretArray<32> wrap_key = hkdf32(shared->view(), concat(*share, m_public), k_label);
    auto key = VPS_TRY(unwrap_file_key(wrap_key, stanza.body, "invalid X25519 stanza"));
    if (key) return key;
  }
  return std::optional<FileKey>{};
}

}  // namespace vps::formats::age
