#pragma once
// SSH wire encoding (RFC 4251 section 5): uint32 big-endian and length-prefixed strings. The
// reader is bounded by its view: every read checks the remaining length first, so a hostile
// length prefix can never make it read past the end or allocate.

#include <cstdint>
#include <optional>
#include <string_view>

#include <vps/base/bytes.hpp>

namespace vps::formats::openssh {

class WireReader {
 public:
  explicit WireReader(ByteView data) : m_data(data) {}

  std::optional<std::uint32_t> u32();
  // A string's bytes, viewing into the reader's buffer; nullopt if truncated.
  std::optional<ByteView> string();
  // Exactly n raw bytes.
  std::optional<ByteView> raw(std::size_t n);

  std::size_t remaining() const { return m_data.size() - m_pos; }
  bool at_end() const { return m_pos == m_data.size(); }

 private:
  ByteView m_data;
  std::size_t m_pos = 0;
};

template <class Buffer>
void put_u32(Buffer& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

template <class Buffer>
void put_string(Buffer& out, ByteView s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

inline bool equals(ByteView a, std::string_view b) { return as_chars(a) == b; }

}  // namespace vps::formats::openssh
