#pragma once
// Strict base64 (RFC 4648 standard alphabet). Decoding rejects anything ambiguous: characters
// outside the alphabet (including whitespace and CR/LF), wrong padding, and non-zero trailing
// bits, so every byte string has exactly one accepted encoding (age requires this).

#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::base64 {

enum class Padding { required, forbidden };

std::string encode(ByteView data, Padding padding = Padding::required);

// Errors are Errc::malformed with a message naming the problem (never the input itself).
Result<Bytes> decode(std::string_view text, Padding padding = Padding::required);

// As decode, into a wiping buffer, for secrets.
Result<SecretBytes> decode_secret(std::string_view text, Padding padding = Padding::required);

}  // namespace vps::base64
