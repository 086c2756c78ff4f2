#include <vps/formats/age/armor.hpp>

#include <algorithm>
#include <array>
#include <cstring>

#include <vps/base/base64.hpp>

namespace vps::formats::age {
namespace {

constexpr std::size_t k_columns = 64;
constexpr std::size_t k_bytes_per_line = 48;
constexpr std::size_t k_max_whitespace = k_armor_max_whitespace;
// Encode this many bytes per flush: 1024 lines.
constexpr std::size_t k_encode_block = k_bytes_per_line * 1024;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool all_space(std::string_view s) { return std::all_of(s.begin(), s.end(), is_space); }

void strip_cr(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
}

constexpr std::array<int, 256> make_table() {
  std::array<int, 256> t{};
  for (auto& v : t) v = -1;
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  return t;
}
constexpr auto k_table = make_table();

// Strict padded base64 of one armor line (1..64 columns) into out; returns the byte count or
// -1. Padding may only end the line, and unused bits must be zero (canonical encoding).
int decode_line(std::string_view line, std::uint8_t* out) {
  if (line.empty() || line.size() % 4 != 0) return -1;
  int n = 0;
  for (std::size_t i = 0; i < line.size(); i += 4) {
    const bool last_group = i + 4 == line.size();
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      char c = line[i + static_cast<std::size_t>(j)];
      if (c == '=' && last_group && j >= 2) {
        v[j] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return -1;  // data after padding
      v[j] = k_table[static_cast<unsigned char>(c)];
      if (v[j] < 0) return -1;
    }
    std::uint32_t acc = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                        (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    if (pad == 2 && (acc & 0xffff) != 0) return -1;
    if (pad == 1 && (acc & 0xff) != 0) return -1;
    out[n++] = static_cast<std::uint8_t>(acc >> 16);
    if (pad < 2) out[n++] = static_cast<std::uint8_t>(acc >> 8);
    if (pad < 1) out[n++] = static_cast<std::uint8_t>(acc);
  }
  return n;
}

}  // namespace

bool looks_armored(ByteView start) {
  std::string_view s = as_chars(start);
  std::size_t i = 0;
  while (i < s.size() && i < k_max_whitespace && is_space(s[i])) ++i;
  s.remove_prefix(i);
  constexpr std::string_view k_prefix = "-----BEGIN";
  return s.size() >= k_prefix.size() && s.starts_with(k_prefix);
}

bool looks_like_age_file(ByteView start) {
  return as_chars(start).starts_with("age-encryption.org/") || looks_armored(start);
}

tl::unexpected<Error> ArmorReader::error(std::string message) {
  m_failed = true;
  return fail(Errc::malformed, "invalid armor: " + message);
}

Result<std::size_t> ArmorReader::read(std::span<std::uint8_t> out) {
  if (m_failed) return error("read after an armor error");
  std::size_t done = 0;
  while (done < out.size()) {
    if (m_pos < m_len) {
      std::size_t n = std::min(out.size() - done, m_len - m_pos);
      std::memcpy(out.data() + done, m_line + m_pos, n);
      m_pos += n;
      done += n;
      continue;
    }
    if (m_done) break;
    auto st = next_line();
    if (!st) {
      m_failed = true;
      return fail(st.error());
    }
  }
  return done;
}

Status ArmorReader::next_line() {
  m_pos = m_len = 0;
  if (!m_started) {
    std::size_t skipped = 0;
    for (;;) {
      auto line = m_in.read_line_or_eof(k_max_whitespace, "invalid armor");
      if (!line) return error("reading the first line: " + line.error().message);
      if (!*line) return error("unexpected end of input before the BEGIN line");
      std::string text = std::move(**line);
      strip_cr(text);
      if (all_space(text)) {
        skipped += text.size() + 1;
        if (skipped > k_max_whitespace) return error("too much leading whitespace");
        continue;
      }
      if (text != k_armor_begin) return error("invalid first line");
      m_started = true;
      break;
    }
  }
  auto line = m_in.read_line_or_eof(k_columns + 1, "invalid armor");
  if (!line) return error(line.error().code == Errc::malformed ? "column limit exceeded" : line.error().message);
  if (!*line) return error("unexpected end of input before the END line");
  std::string text = std::move(**line);
  strip_cr(text);
  if (text == k_armor_end) return finish();
  if (text.size() > k_columns) return error("column limit exceeded");
  if (text.empty()) return error("empty line");
  int n = decode_line(text, m_line);
  if (n < 0) return error("invalid base64 line");
  m_len = static_cast<std::size_t>(n);
  if (m_len < k_bytes_per_line) {
    auto closing = m_in.read_line_or_eof(k_columns + 1, "invalid armor");
    if (!closing || !*closing) return error("missing END line after a short line");
    std::string end = std::move(**closing);
    strip_cr(end);
    if (end != k_armor_end) return error("invalid closing line after a short line");
    return finish();
  }
  return {};
}

Status ArmorReader::finish() {
  m_done = true;
  std::array<std::uint8_t, k_max_whitespace> rest{};
  std::size_t n = VPS_TRY(read_full(m_in, rest));
  if (!all_space(as_chars(ByteView(rest.data(), n)))) return error("trailing data after the END line");
  if (n == k_max_whitespace) return error("too much trailing whitespace");
  return {};
}

Status ArmorWriter::write(ByteView data) {
  if (!m_started) {
    m_started = true;
    std::string begin = std::string(k_armor_begin) + "\n";
    ByteView piece = as_bytes(begin);
    VPS_CHECK(m_out.write(std::span<const ByteView>(&piece, 1)));
  }
  m_pending.insert(m_pending.end(), data.begin(), data.end());
  if (m_pending.size() >= k_encode_block) return flush_lines(false);
  return {};
}

Status ArmorWriter::flush_lines(bool final) {
  std::size_t take = final ? m_pending.size() : m_pending.size() / k_bytes_per_line * k_bytes_per_line;
  std::string b64 = base64::encode(ByteView(m_pending.data(), take));
  std::string text;
  text.reserve(b64.size() + b64.size() / k_columns + 2);
  for (std::size_t i = 0; i < b64.size(); i += k_columns) text.append(b64, i, k_columns).push_back('\n');
  m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(take));
  ByteView piece = as_bytes(text);
  return m_out.write(std::span<const ByteView>(&piece, 1));
}

Status ArmorWriter::close() {
  VPS_CHECK(write({}));
  VPS_CHECK(flush_lines(true));
  std::string end = std::string(k_armor_end) + "\n";
  ByteView piece = as_bytes(end);
  return m_out.write(std::span<const ByteView>(&piece, 1));
}

Result<Bytes> armor_decode(ByteView armored) {
  MemorySource source(armored);
  ArmorReader reader(source);
  Bytes out;
  std::uint8_t buf[4096];
  for (;;) {
    std::size_t n = VPS_TRY(reader.read(buf));
    if (n == 0) return out;
    out.insert(out.end(), buf, buf + n);
  }
}

Bytes armor_encode(ByteView data) {
  class Collect final : public ByteSink {
   public:
    Status write(std::span<const ByteView> pieces) override {
      for (ByteView p : pieces) bytes.insert(bytes.end(), p.begin(), p.end());
      return {};
    }
    Bytes bytes;
  } sink;
  ArmorWriter writer(sink);
  (void)writer.write(data);
  (void)writer.close();
  return std::move(sink.bytes);
}

}  // namespace vps::formats::age
