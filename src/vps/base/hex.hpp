#pragma once
// Lowercase hex, strict decoding (even length, [0-9a-fA-F] only).

#include <optional>
#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::hex {

std::string encode(ByteView data);
Result<Bytes> decode(std::string_view text);

// One hex digit's value (0-15), either case; nullopt for anything else. For parsers that read
// hex digits inside other syntax (JSON and YAML escapes).
std::optional<int> digit_value(char c);

}  // namespace vps::hex
