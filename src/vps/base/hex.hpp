#pragma once
// Lowercase hex, strict decoding (even length, [0-9a-fA-F] only).

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::hex {

std::string encode(ByteView data);
// One byte as two lowercase digits: for escapes inside other text ("\\x1b", "\\u001b").
std::array<char, 2> byte_digits(unsigned char byte);
Result<Bytes> decode(std::string_view text);

// One hex digit's value (0-15), either case; nullopt for anything else. For parsers that read
// hex digits inside other syntax (JSON and YAML escapes).
std::optional<int> digit_value(char c);

// [0-9a-f]: the lowercase digits the protocol's nonces and digests are written in.
inline bool is_lower_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
// Every byte a lowercase hex digit (true for "").
inline bool is_lower_hex(std::string_view text) {
  for (char c : text)
    if (!is_lower_hex_digit(c)) return false;
  return true;
}

}  // namespace vps::hex
