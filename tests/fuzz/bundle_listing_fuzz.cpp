// Fuzzes the agent's parser of the endpoint's bundle listing. Property: whatever parses has
// names the endpoint allows (no path separators, no leading dot), 64-hex hashes, sizes >= 0,
// and at most k_max_listing_entries entries.
#include <cstdint>
#include <cstdlib>

#include <vps/host/delivery/bundle_plan.hpp>

using namespace vps;
using namespace vps::host::delivery;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = parse_listing(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed) return 0;
  if (parsed->size() > k_max_listing_entries) std::abort();
  for (const auto& entry : *parsed) {
    if (entry.name.empty() || entry.name.front() == '.' || entry.name.find('/') != std::string::npos) std::abort();
    if (entry.sha256.size() != 64 || entry.size < 0) std::abort();
  }
  return 0;
}
