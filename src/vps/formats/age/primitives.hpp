#pragma once
// Crypto building blocks shared by the recipient types and the payload: HKDF labels, the
// zero-nonce ChaCha20-Poly1305 file-key wrap, the header MAC and the payload key.

#include <optional>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/formats/age/identity.hpp>

namespace vps::formats::age {

inline constexpr std::size_t k_wrapped_key_size = k_file_key_size + 16;

SecretArray<32> hkdf32(ByteView ikm, ByteView salt, std::string_view info);

// ChaCha20-Poly1305 with an all-zero nonce (each wrapping key is used once).
Bytes wrap_file_key(const SecretArray<32>& key, const FileKey& file_key);

// nullopt when the tag does not verify (the stanza is not for us). A body of the wrong size
// is an error (Errc::malformed, "<what>: ..."), checked before any decryption.
Result<std::optional<FileKey>> unwrap_file_key(const SecretArray<32>& key, ByteView body, std::string_view what);

// HMAC-SHA-256 keyed with HKDF(file key, "", "header") over the header up to and including "---".
crypto::Sha256Digest header_mac(const FileKey& file_key, ByteView header_without_mac);

// HKDF(file key, nonce, "payload").
SecretArray<32> payload_key(const FileKey& file_key, ByteView nonce);

// Canonical unpadded base64 as every age header field uses; Errc::malformed otherwise.
Result<Bytes> decode_b64(std::string_view text);
std::string encode_b64(ByteView data);

}  // namespace vps::formats::age
