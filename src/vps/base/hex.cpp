#include <vps/base/hex.hpp>

#include <sodium.h>

namespace vps::hex {

std::string encode(ByteView data) {
  std::string out(data.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data.data(), data.size());
  out.pop_back();  // the terminating NUL
  return out;
}

std::array<char, 2> byte_digits(unsigned char byte) {
  constexpr char k_digits[] = "0123456789abcdef";
  return {k_digits[byte >> 4], k_digits[byte & 0xf]};
}

Result<Bytes> decode(std::string_view text) {
  if (text.size() % 2 != 0) return fail(Errc::malformed, "invalid hex: odd length");
  Bytes out(text.size() / 2);
  std::size_t length = 0;
  const char* end = nullptr;
  // Constant-time over the data (libsodium); no separators accepted (ignore = nullptr).
  const int rc = sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end);
  const auto stopped_at = end ? static_cast<std::size_t>(end - text.data()) : text.size();
  if (rc != 0 || stopped_at != text.size() || length != out.size()) {
    return fail(Errc::malformed, "invalid hex: bad digit at offset " + std::to_string(stopped_at));
  }
  return out;
}

std::optional<int> digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

}  // namespace vps::hex
