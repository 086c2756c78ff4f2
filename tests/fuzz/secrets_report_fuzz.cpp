// Fuzzes the secrets report parser: the endpoint parses what a host sends, and a host is not
// trusted with anything beyond its own record. Property: whatever parses serializes, and the
// serialized form parses back to the same report.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <vps/protocol/secrets_report.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto parsed = vps::protocol::parse_secrets_report(input)) {
    auto text = vps::protocol::serialize_secrets_report(*parsed);
    if (!text) std::abort();
    auto again = vps::protocol::parse_secrets_report(*text);
    if (!again || !(*again == *parsed)) std::abort();
  }
  return 0;
}
