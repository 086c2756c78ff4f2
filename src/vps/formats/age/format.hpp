#pragma once
// The age v1 header (C2SP age.md): intro line, stanzas, "---" MAC line. Parsing is strict so
// that exactly one byte string encodes each header: LF only, canonical unpadded base64, body
// lines of exactly 64 columns except a shorter (possibly empty) final one, arguments of
// printable ASCII. Sizes are capped before anything is stored.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/age/identity.hpp>
#include <vps/formats/age/io.hpp>

namespace vps::formats::age {

inline constexpr std::string_view k_intro = "age-encryption.org/v1";
inline constexpr std::size_t k_body_columns = 64;
// Post-quantum stanza arguments are ~1500 columns; anything far beyond is hostile.
inline constexpr std::size_t k_max_header_line = 8192;
inline constexpr std::size_t k_max_stanzas = 256;
inline constexpr std::size_t k_max_header_size = 1024 * 1024;
inline constexpr std::size_t k_mac_size = 32;

struct Header {
  std::vector<Stanza> stanzas;
  std::array<std::uint8_t, k_mac_size> mac{};
  // The header bytes the MAC covers: from the intro through "---".
  Bytes mac_input;
};

// Reads exactly the header (through the MAC line's "\n") from `in`. Errors are
// Errc::malformed, "parsing age header: ...", except read errors which keep their code.
Result<Header> parse_header(BufferedReader& in);

// Header text through "---" (the MAC input) and the full header with " <mac>\n".
// Errc::internal if a stanza has an empty or non-printable type/argument.
Result<std::string> marshal_header_without_mac(const std::vector<Stanza>& stanzas);
std::string marshal_mac_line(ByteView mac);

}  // namespace vps::formats::age
