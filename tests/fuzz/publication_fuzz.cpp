// Fuzz the publication envelope parser (the enrollment endpoint's first contact with untrusted
// bytes) and the user-data decoder/hint parser. Anything that parses must re-serialize to a
// form that parses again to the same signing bytes, and verification must never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <vps/net/metadata/user_data.hpp>
#include <vps/protocol/signed_publication.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto parsed = vps::protocol::parse_signed_publication(text)) {
    (void)vps::protocol::verify(*parsed);
    auto again = vps::protocol::parse_signed_publication(vps::protocol::serialize(*parsed));
    if (!again ||
        vps::protocol::signing_bytes(again->publication) != vps::protocol::signing_bytes(parsed->publication)) {
      std::abort();
    }
  }
  (void)vps::protocol::parse_enrollment_reply(text);
  if (auto decoded = vps::net::metadata::decode_user_data(text)) {
    (void)vps::net::metadata::parse_enrollment_hints(*decoded);
  }
  return 0;
}
