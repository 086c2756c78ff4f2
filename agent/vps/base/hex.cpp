#include <vps/base/hex.hpp>

namespace vps::hex {
namespace {
int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string encode(ByteView data) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (auto b : data) {
    out += k_digits[b >> 4];
    out += k_digits[b & 15];
  }
  return out;
}

Result<Bytes> decode(std::string_view text) {
  if (text.size() % 2 != 0) return fail(Errc::malformed, "invalid hex: odd length");
  Bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0)
      return fail(Errc::malformed, "invalid hex: bad digit at offset " + std::to_string(hi < 0 ? i : i + 1));
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace vps::hex
