#include <vps/base/base64.hpp>

#include <array>

namespace vps::base64 {
namespace {

constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int, 256> make_reverse() {
  std::array<int, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(k_alphabet[i])] = i;
  return table;
}
constexpr auto k_reverse = make_reverse();

template <class Out>
Result<Out> decode_into(std::string_view text, Padding padding) {
  std::size_t len = text.size();
  std::size_t pad = 0;
  if (padding == Padding::required) {
    if (len % 4 != 0) return fail(Errc::malformed, "invalid base64: length is not a multiple of 4");
    while (pad < 2 && len > 0 && text[len - 1] == '=') { --len; ++pad; }
  } else if (len % 4 == 1) {
    return fail(Errc::malformed, "invalid base64: truncated input");
  }
  Out out;
  out.reserve(len / 4 * 3 + 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    int v = k_reverse[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return fail(Errc::malformed, text[i] == '='
                                       ? "invalid base64: unexpected padding"
                                       : "invalid base64: character outside the alphabet at offset " +
                                             std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 6) return fail(Errc::malformed, "invalid base64: truncated input");
  if ((acc & ((1u << bits) - 1)) != 0)
    return fail(Errc::malformed, "invalid base64: non-canonical encoding (trailing bits set)");
  if (padding == Padding::required && (len + pad) % 4 != 0)
    return fail(Errc::malformed, "invalid base64: wrong padding");
  sodium_memzero(&acc, sizeof acc);
  return out;
}

}  // namespace

std::string encode(ByteView data, Padding padding) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t n = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
    out += k_alphabet[n & 63];
  }
  std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t{data[i]} << 16;
    if (rest == 2) n |= std::uint32_t{data[i + 1]} << 8;
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    if (rest == 2) out += k_alphabet[(n >> 6) & 63];
    if (padding == Padding::required) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

Result<Bytes> decode(std::string_view text, Padding padding) {
  return decode_into<Bytes>(text, padding);
}

Result<SecretBytes> decode_secret(std::string_view text, Padding padding) {
  return decode_into<SecretBytes>(text, padding);
}

}  // namespace vps::base64
