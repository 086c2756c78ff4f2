#include <vps/base/text.hpp>
#include <vps/formats/age/bech32.hpp>

#include <array>
#include <cstdint>

namespace vps::formats::age::bech32 {
namespace {

constexpr std::string_view k_charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::array<std::uint32_t, 5> k_generator = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                                      0x2a1462b3};

std::uint32_t polymod_step(std::uint32_t chk, std::uint8_t value) {
  std::uint32_t top = chk >> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ value;
  for (unsigned i = 0; i < 5; ++i)
    if ((top >> i) & 1) chk ^= k_generator[i];
  return chk;
}

char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// Checksum state after the expanded (lowercased) hrp.
std::uint32_t hrp_polymod(std::string_view hrp) {
  std::uint32_t chk = 1;
  for (char c : hrp) chk = polymod_step(chk, static_cast<std::uint8_t>(static_cast<unsigned char>(text::ascii_lower(c)) >> 5));
  chk = polymod_step(chk, 0);
  for (char c : hrp) chk = polymod_step(chk, static_cast<std::uint8_t>(static_cast<unsigned char>(text::ascii_lower(c)) & 31));
  return chk;
}

bool has_lower(std::string_view s) {
  for (char c : s)
    if (c >= 'a' && c <= 'z') return true;
  return false;
}
bool has_upper(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return true;
  return false;
}

Status check_hrp(std::string_view hrp) {
  if (hrp.empty()) return fail(Errc::malformed, "invalid bech32: empty human-readable part");
  for (char c : hrp)
    if (c < 33 || c > 126) return fail(Errc::malformed, "invalid bech32: bad character in human-readable part");
  return {};
}

}  // namespace

Result<std::string> encode(std::string_view hrp, ByteView data) {
  VPS_CHECK(check_hrp(hrp));
  if (has_lower(hrp) && has_upper(hrp)) return fail(Errc::malformed, "invalid bech32: mixed-case human-readable part");
  const bool upper = has_upper(hrp);
  // 8-bit -> 5-bit groups, zero padded.
  SecretBytes values;
  values.reserve(data.size() * 8 / 5 + 1);
  std::uint32_t acc = 0;
  unsigned bits = 0;
  for (std::uint8_t b : data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push_back(static_cast<std::uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0) values.push_back(static_cast<std::uint8_t>((acc << (5 - bits)) & 31));
  acc = 0;
  if (hrp.size() + values.size() + 7 > k_max_length) return fail(Errc::malformed, "invalid bech32: too long");

  std::uint32_t chk = hrp_polymod(hrp);
  for (std::uint8_t v : values) chk = polymod_step(chk, v);
  for (int i = 0; i < 6; ++i) chk = polymod_step(chk, 0);
  chk ^= 1;

  std::string out;
  out.reserve(hrp.size() + 1 + values.size() + 6);
  for (char c : hrp) out += text::ascii_lower(c);
  out += '1';
  for (std::uint8_t v : values) out += k_charset[v];
  for (int p = 0; p < 6; ++p) out += k_charset[(chk >> (5 * (5 - p))) & 31];
  if (upper)
    for (char& c : out) c = to_upper(c);
  return out;
}

Result<Decoded> decode(std::string_view text) {
  if (text.size() > k_max_length) return fail(Errc::malformed, "invalid bech32: too long");
  if (has_lower(text) && has_upper(text)) return fail(Errc::malformed, "invalid bech32: mixed case");
  const std::size_t pos = text.rfind('1');
  if (pos == std::string_view::npos || pos < 1 || pos + 7 > text.size())
    return fail(Errc::malformed, "invalid bech32: separator '1' at invalid position");
  std::string_view hrp = text.substr(0, pos);
  VPS_CHECK(check_hrp(hrp));

  std::uint32_t chk = hrp_polymod(hrp);
  SecretBytes values;
  values.reserve(text.size() - pos - 1);
  for (char c : text.substr(pos + 1)) {
    std::size_t d = k_charset.find(text::ascii_lower(c));
    if (d == std::string_view::npos) return fail(Errc::malformed, "invalid bech32: character outside the charset");
    values.push_back(static_cast<std::uint8_t>(d));
    chk = polymod_step(chk, static_cast<std::uint8_t>(d));
  }
  if (chk != 1) return fail(Errc::malformed, "invalid bech32: checksum mismatch");

  Decoded out;
  out.hrp = std::string(hrp);
  out.data.reserve(values.size() * 5 / 8);
  std::uint32_t acc = 0;
  unsigned bits = 0;
  for (std::size_t i = 0; i + 6 < values.size(); ++i) {
    acc = (acc << 5) | values[i];
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  const bool bad_padding = bits >= 5 || ((acc << (8 - bits)) & 0xff) != 0;
  acc = 0;
  if (bad_padding) return fail(Errc::malformed, "invalid bech32: non-zero or excess padding");
  return out;
}

}  // namespace vps::formats::age::bech32
