// Fuzz the rebuild request parser (what the host reads from a possibly compromised endpoint).
// Input: request text, then a NUL, then the signature field. Anything that parses must be in
// canonical form (re-serializing gives the same bytes) and verification must never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <vps/protocol/rebuild_request.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\0');
  const std::string_view text = input.substr(0, split);
  const std::string_view signature = split == std::string_view::npos ? std::string_view() : input.substr(split + 1);
  if (auto parsed = vps::protocol::parse_rebuild_request(text)) {
    auto again = vps::protocol::canonical_text(*parsed);
    if (!again || *again != text || !vps::protocol::valid_revision(parsed->revision)) std::abort();
  }
  if (auto signed_request = vps::protocol::parse_signed_rebuild_request(text, signature)) {
    (void)vps::protocol::verify_rebuild_signature(*signed_request);
    (void)vps::protocol::check_rebuild_applicable(signed_request->request, "web1", "SHA256:x", 0, 0);
  }
  return 0;
}
