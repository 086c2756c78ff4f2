#include <vps/base/text.hpp>
#include <vps/base/hex.hpp>

#include <algorithm>

namespace vps::text {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xc0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 when the byte does not start one.
std::size_t sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char low = 0x80, high = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c == 0xe0) n = 3, low = 0xa0;
  else if (c == 0xed) n = 3, high = 0x9f;
  else if (c >= 0xe1 && c <= 0xef) n = 3;
  else if (c == 0xf0) n = 4, low = 0x90;
  else if (c == 0xf4) n = 4, high = 0x8f;
  else if (c >= 0xf1 && c <= 0xf3) n = 4;
  else return 0;
  if (i + n > text.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (!is_continuation(byte(k))) return 0;
  return n;
}

void append_hex(std::string& out, unsigned char c) {
  out += "\\x";
  out.append(hex::byte_digits(c).data(), 2);
}

}  // namespace

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = 0;
  while (end < max_bytes) {
    const std::size_t n = std::max<std::size_t>(sequence_length(text, end), 1);
    if (end + n > max_bytes) break;
    end += n;
  }
  return text.substr(0, end);
}

std::string_view utf8_suffix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t start = text.size() - max_bytes;
  // At most three continuation bytes follow a lead byte; past that the input is not UTF-8
  // there and any cut is as good as another.
  for (int i = 0; i < 3 && start < text.size() && is_continuation(static_cast<unsigned char>(text[start])); ++i) ++start;
  return text.substr(start);
}

std::string escape_control(std::string_view text, Newlines newlines) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, newlines);
  return out;
}

void append_escaped(std::string& out, std::string_view text, Newlines newlines) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = sequence_length(text, i);
    if (n == 0) {  // invalid UTF-8
      append_hex(out, c);
      ++i;
    } else if (n == 1 && (c < 0x20 || c == 0x7f)) {
      if ((c == '\n' || c == '\t') && newlines == Newlines::keep) out += static_cast<char>(c);
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else append_hex(out, c);
      ++i;
    } else if (n == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) {  // C1 control
      append_hex(out, c);
      append_hex(out, static_cast<unsigned char>(text[i + 1]));
      i += 2;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
}

std::optional<std::int64_t> parse_decimal(std::string_view text, std::int64_t lo, std::int64_t hi) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    // 19 digits can exceed 2^63 - 1: such a number is out of every range.
    if (__builtin_mul_overflow(value, 10, &value) || __builtin_add_overflow(value, c - '0', &value)) return std::nullopt;
  }
  if (value < lo || value > hi) return std::nullopt;
  return value;
}

std::string join(const std::vector<std::string>& items, std::string_view separator, std::string_view if_empty) {
  if (items.empty()) return std::string(if_empty);
  std::string out = items.front();
  for (std::size_t i = 1; i < items.size(); ++i) out.append(separator).append(items[i]);
  return out;
}

}  // namespace vps::text
