#include <vps/formats/age/ssh_ed25519.hpp>

#include <vps/crypto/hash.hpp>
#include <vps/crypto/random.hpp>
#include <vps/formats/age/primitives.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/public_key.hpp>

namespace vps::formats::age {
namespace {

constexpr std::string_view k_label = "age-encryption.org/v1/ssh-ed25519";

// First 4 bytes of SHA-256 of the SSH wire encoding: lets an identity skip stanzas for other
// keys without any X25519 work.
std::string key_tag(const crypto::Ed25519Public& key) {
  auto digest = crypto::sha256(openssh::wire_encoding(key));
  return encode_b64(ByteView(digest.data(), 4));
}

// X25519(HKDF(ikm = "", salt = SSH wire key, info = label), shared): binds the secret to the key.
Result<SecretArray<32>> tweak(const crypto::Ed25519Public& key, const SecretArray<32>& shared) {
  Bytes wire = openssh::wire_encoding(key);
  SecretArray<32> scalar = hkdf32({}, wire, k_label);
  return crypto::x25519(scalar, shared.view());
}

Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

Result<SshEd25519Recipient> SshEd25519Recipient::from_public_key(const crypto::Ed25519Public& key) {
  auto x = crypto::ed25519_public_to_x25519(key);
  if (!x) return fail(Errc::malformed, "invalid ssh-ed25519 recipient: not a valid Ed25519 public key");
  return SshEd25519Recipient(key, *x);
}

Result<SshEd25519Recipient> SshEd25519Recipient::parse(std::string_view line) {
  auto parsed = VPS_TRY(openssh::parse_public_key_line(line));
  return from_public_key(parsed.key);
}

std::string SshEd25519Recipient::describe() const {
  return openssh::format_public_key_line(openssh::Ed25519PublicKey{m_key, ""});
}

Result<std::vector<Stanza>> SshEd25519Recipient::wrap(const FileKey& file_key) const {
  crypto::X25519Secret ephemeral;
  crypto::random_bytes(ephemeral.span());
  crypto::X25519Public share = crypto::x25519_base(ephemeral);
  auto shared = crypto::x25519(ephemeral, m_x25519);
  if (!shared) return fail(Errc::malformed, "wrapping for ssh-ed25519: recipient is a low-order point");
  auto tweaked = tweak(m_key, *shared);
  if (!tweaked) return fail(Errc::malformed, "wrapping for ssh-ed25519: tweaked secret is zero");
  SecretArray<32> wrap_key = hkdf32(tweaked->view(), concat(share, m_x25519), k_label);
  Stanza stanza{std::string(k_ssh_ed25519_type), {key_tag(m_key), encode_b64(share)},
                wrap_file_key(wrap_key, file_key)};
  return std::vector<Stanza>{std::move(stanza)};
}

Result<SshEd25519Identity> SshEd25519Identity::from_seed(const crypto::Ed25519Seed& seed,
                                                        const crypto::Ed25519Public& public_key) {
  auto x = crypto::ed25519_public_to_x25519(public_key);
  if (!x) return fail(Errc::malformed, "invalid ssh-ed25519 identity: not a valid Ed25519 public key");
  return SshEd25519Identity(public_key, crypto::ed25519_seed_to_x25519(seed), *x);
}

std::string SshEd25519Identity::describe() const {
  return "ssh-ed25519 " + openssh::sha256_fingerprint(m_key);
}

Result<std::optional<FileKey>> SshEd25519Identity::unwrap(const std::vector<Stanza>& stanzas) const {
  const std::string tag = key_tag(m_key);
  for (const Stanza& stanza : stanzas) {
    if (stanza.type != k_ssh_ed25519_type) continue;
    if (stanza.args.size() != 2) return fail(Errc::malformed, "invalid ssh-ed25519 stanza: expected two arguments");
    auto share = decode_b64(stanza.args[1]);
    if (!share || share->size() != 32)
      return fail(Errc::malformed, "invalid ssh-ed25519 stanza: share is not 32 bytes");
    if (stanza.args[0] != tag) continue;
    if (stanza.body.size() != k_wrapped_key_size)
      return fail(Errc::malformed, "invalid ssh-ed25519 stanza: wrapped file key is not 16 bytes");
    auto shared = crypto::x25519(m_secret, *share);
    if (!shared) return fail(Errc::malformed, "invalid ssh-ed25519 stanza: share is a low-order point");
    auto tweaked = tweak(m_key, *shared);
    if (!tweaked) return fail(Errc::malformed, "invalid ssh-ed25519 stanza: tweaked secret is zero");
    SecretArray<32> wrap_key = hkdf32(tweaked->view(), concat(*share, m_x25519), k_label);
    auto key = VPS_TRY(unwrap_file_key(wrap_key, stanza.body, "invalid ssh-ed25519 stanza"));
    if (key) return key;
  }
  return std::optional<FileKey>{};
}

}  // namespace vps::formats::age
