#include <vps/formats/openssh/wire.hpp>

namespace vps::formats::openssh {

std::optional<std::uint32_t> WireReader::u32() {
  auto bytes = raw(4);
  if (!bytes) return std::nullopt;
  const auto& b = *bytes;
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

std::optional<ByteView> WireReader::string() {
  auto length = u32();
  if (!length) return std::nullopt;
  return raw(*length);
}

std::optional<ByteView> WireReader::raw(std::size_t n) {
  if (n > remaining()) return std::nullopt;
  ByteView out = m_data.subspan(m_pos, n);
  m_pos += n;
  return out;
}

}  // namespace vps::formats::openssh
