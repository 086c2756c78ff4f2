#pragma once
// Lowercase hex, strict decoding (even length, [0-9a-fA-F] only).

#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::hex {

std::string encode(ByteView data);
Result<Bytes> decode(std::string_view text);

}  // namespace vps::hex
