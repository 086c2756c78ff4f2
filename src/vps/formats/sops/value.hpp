#pragma once
// One sops value on the wire: ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>], AES-256-GCM
// with a 32-byte IV, a 16-byte tag and the value's path ("a:b:") as additional data. Also the
// text forms sops gives typed scalars (Go strconv), which decide both the MAC and the output.

#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops {

inline constexpr std::size_t k_iv_size = 32;

struct EncryptedValue {
  Bytes data;
  Bytes iv;
  Bytes tag;
  std::string type;  // str, int, int64, float, bool, bytes, comment
};

// True when text has the ENC[AES256_GCM, prefix (it is then parsed strictly or rejected).
bool looks_encrypted(std::string_view text);
Result<EncryptedValue> parse_encrypted(std::string_view text);
std::string format_encrypted(const EncryptedValue& value);

// The bytes sops encrypts and hashes for a scalar: booleans become "True"/"False".
SecretString plaintext_bytes(const Node& scalar);

// Appends code point cp as UTF-8 (string escapes of the YAML and JSON readers).
void append_utf8(SecretString& out, std::uint32_t cp);

// Decrypts one ENC[...] value into a typed scalar node. "" decrypts to "" (sops never encrypts
// empty strings). Errors: malformed (syntax, base64, type, typed text), integrity (tag).
Result<Node> decrypt_value(std::string_view text, ByteView key, std::string_view aad);

// Encrypts a scalar (string/integer/floating/boolean/bytes/comment) with a fresh random IV.
// Empty strings and comments stay "" as in sops.
Result<std::string> encrypt_value(const Node& scalar, ByteView key, std::string_view aad);
// As encrypt_value with a given IV (tests, deterministic re-encryption).
Result<std::string> encrypt_value_with_iv(const Node& scalar, ByteView key, std::string_view aad, ByteView iv);

// Go strconv forms: FormatFloat(f,'f',-1) (MAC and encryption), 'g' (YAML output) and
// encoding/json's float form; ParseFloat / ParseBool / Atoi for decrypted typed text.
std::string format_float_fixed(double value);
std::string format_float_yaml(double value);
std::string format_float_json(double value);
Result<double> parse_go_float(std::string_view text);
Result<bool> parse_go_bool(std::string_view text);
Result<long long> parse_go_int(std::string_view text);

// Builds typed scalar nodes in canonical form.
Node make_integer(long long value);
Node make_floating(double value);
Node make_boolean(bool value);

}  // namespace vps::formats::sops
