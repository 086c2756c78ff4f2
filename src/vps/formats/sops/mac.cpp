#include <vps/formats/sops/mac.hpp>

#include <vps/formats/sops/metadata.hpp>
#include <vps/formats/sops/value.hpp>

namespace vps::formats::sops {
namespace {

// sha256("sops"): sops seeds the hash with it when only encrypted values are covered, so the
// two kinds of MAC never coincide.
constexpr std::uint8_t k_mac_only_encrypted_init[32] = {
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
    0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69};

}  // namespace

MacHasher::MacHasher(bool mac_only_encrypted) {
  crypto_hash_sha512_init(&m_state);
  if (mac_only_encrypted) crypto_hash_sha512_update(&m_state, k_mac_only_encrypted_init, sizeof k_mac_only_encrypted_init);
}

MacHasher::~MacHasher() { sodium_memzero(&m_state, sizeof m_state); }

void MacHasher::add(const Node& scalar) {
  SecretString bytes = plaintext_bytes(scalar);
  crypto_hash_sha512_update(&m_state, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string MacHasher::finish_hex() {
  unsigned char digest[crypto_hash_sha512_BYTES];
  crypto_hash_sha512_final(&m_state, digest);
  static constexpr char k_digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(sizeof digest * 2);
  for (unsigned char b : digest) {
    out.push_back(k_digits[b >> 4]);
    out.push_back(k_digits[b & 15]);
  }
  return out;
}

Result<std::string> encrypt_mac(std::string_view mac_hex, ByteView data_key, std::string_view last_modified) {
  std::string aad = VPS_TRY(normalize_rfc3339(last_modified));
  return encrypt_value(Node::string(mac_hex), data_key, aad);
}

Status verify_mac(std::string_view stored, std::string_view computed_hex, ByteView data_key,
                  std::string_view last_modified) {
  if (stored.empty()) return fail(Errc::integrity, "file has no MAC (sops metadata 'mac' is missing or empty)");
  std::string aad = VPS_TRY(normalize_rfc3339(last_modified));
  auto decrypted = decrypt_value(stored, data_key, aad);
  if (!decrypted) return fail(std::move(decrypted).error().context("decrypting MAC"));
  if (decrypted->kind != Kind::string) return fail(Errc::malformed, "decrypting MAC: MAC is not a string");
  const auto& text = decrypted->text;
  if (!equal_ct(as_bytes(std::string_view(text.data(), text.size())), as_bytes(computed_hex)))
    return fail(Errc::integrity, "MAC mismatch: the file was modified or not encrypted with this data key");
  return {};
}

}  // namespace vps::formats::sops
