// Fuzzes the age header parser and the whole decryption path (armor detection, header, X25519
// unwrap, MAC, STREAM) on arbitrary input. Property: a header that parses re-marshals to
// exactly the bytes it was parsed from (the grammar admits one encoding per header).
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <vps/formats/age/age.hpp>
#include <vps/formats/age/decrypt.hpp>
#include <vps/formats/age/format.hpp>

using namespace vps;
using namespace vps::formats::age;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto identity =
      *X25519Identity::parse("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  ByteView input(data, size);
  {
    MemorySource source(input);
    BufferedReader reader(source);
    auto header = parse_header(reader);
    if (header) {
      auto text = marshal_header_without_mac(header->stanzas);
      if (!text || as_chars(header->mac_input) != *text) std::abort();
    }
  }
  Failure failure = Failure::none;
  auto out = decrypt(input, {&identity}, &failure, 1 << 20);
  if (out.has_value() != (failure == Failure::none)) std::abort();
  return 0;
}
