#pragma once
// Bech32 (BIP 173, not bech32m) as age uses it for "age1..." recipients and
// "AGE-SECRET-KEY-1..." identities: all-lowercase or all-uppercase only, checksum verified,
// zero padding checked, at most 90 characters (age v1 keys are far shorter).

#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::formats::age::bech32 {

inline constexpr std::size_t k_max_length = 90;

struct Decoded {
  std::string hrp;   // as written (uppercase if the string was uppercase)
  SecretBytes data;  // identities carry secrets, so always a wiping buffer
};

// Uppercase hrp gives an uppercase string (age-keygen prints identities that way).
// Errc::malformed for an empty or mixed-case hrp or a result longer than k_max_length.
Result<std::string> encode(std::string_view hrp, ByteView data);

// Errc::malformed on any violation; messages never echo the input (it may be a secret key).
Result<Decoded> decode(std::string_view text);

}  // namespace vps::formats::age::bech32
