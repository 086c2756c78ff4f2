#include <vps/formats/age/primitives.hpp>

#include <algorithm>
#include <array>

#include <vps/base/base64.hpp>
#include <vps/crypto/aead.hpp>

namespace vps::formats::age {
namespace {
constexpr std::array<std::uint8_t, 12> k_zero_nonce{};
}

SecretArray<32> hkdf32(ByteView ikm, ByteView salt, std::string_view info) {
  SecretBytes okm = crypto::hkdf_sha256(ikm, salt, as_bytes(info), 32);
  SecretArray<32> out;
  std::copy(okm.begin(), okm.end(), out.data());
  return out;
}

Bytes wrap_file_key(const SecretArray<32>& key, const FileKey& file_key) {
  Bytes body(k_wrapped_key_size);
  crypto::chacha20poly1305::seal(key.view(), k_zero_nonce, file_key.view(), {}, body);
  return body;
}

Result<std::optional<FileKey>> unwrap_file_key(const SecretArray<32>& key, ByteView body, std::string_view what) {
  if (body.size() != k_wrapped_key_size)
    return fail(Errc::malformed, std::string(what) + ": wrapped file key is not 16 bytes");
  FileKey file_key;
  if (!crypto::chacha20poly1305::open(key.view(), k_zero_nonce, body, {}, file_key.span()))
    return std::optional<FileKey>{};
  return std::optional<FileKey>{file_key};
}

crypto::Sha256Digest header_mac(const FileKey& file_key, ByteView header_without_mac) {
  SecretArray<32> mac_key = hkdf32(file_key.view(), {}, "header");
  return crypto::hmac_sha256(mac_key.view(), header_without_mac);
}

SecretArray<32> payload_key(const FileKey& file_key, ByteView nonce) {
  return hkdf32(file_key.view(), nonce, "payload");
}

Result<Bytes> decode_b64(std::string_view text) { return base64::decode(text, base64::Padding::forbidden); }
std::string encode_b64(ByteView data) { return base64::encode(data, base64::Padding::forbidden); }

}  // namespace vps::formats::age
