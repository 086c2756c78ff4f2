// Fuzzes bech32 decoding and the age key parsers. Property: a decoded string re-encodes to
// itself (bech32 has one encoding per value and case).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <vps/formats/age/bech32.hpp>
#include <vps/formats/age/identity_file.hpp>
#include <vps/formats/age/x25519.hpp>

using namespace vps;
namespace age = vps::formats::age;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = age::bech32::decode(text);
  if (decoded) {
    auto encoded = age::bech32::encode(decoded->hrp, ByteView(decoded->data.data(), decoded->data.size()));
    // Compare case-insensitively: an hrp without letters ("?") cannot carry the case.
    auto lower = [](std::string_view s) {
      std::string out(s);
      for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      return out;
    };
    if (!encoded || lower(*encoded) != lower(text)) std::abort();
  }
  (void)age::X25519Identity::parse(text);
  (void)age::X25519Recipient::parse(text);
  (void)age::parse_recipient(text);
  (void)age::parse_identity_file(text, "fuzz");
  return 0;
}
