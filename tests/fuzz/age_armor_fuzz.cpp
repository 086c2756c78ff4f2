// Fuzzes the armor decoder. Property: whatever decodes re-encodes to an armor that decodes to
// the same bytes, and encoding then decoding any input is the identity.
#include <cstdint>
#include <cstdlib>

#include <vps/formats/age/armor.hpp>

using namespace vps;
using namespace vps::formats::age;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView input(data, size);
  auto decoded = armor_decode(input);
  if (decoded) {
    auto again = armor_decode(armor_encode(*decoded));
    if (!again || *again != *decoded) std::abort();
  }
  auto round = armor_decode(armor_encode(input));
  if (!round || !std::equal(round->begin(), round->end(), input.begin(), input.end())) std::abort();
  return 0;
}
