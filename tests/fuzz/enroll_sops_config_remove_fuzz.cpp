// Fuzzes the .sops.yaml creation-rule reader and its two minimal editors. Properties: no crash;
// an edit never trips remove_recipient's own check (Errc::internal: the edited text no longer
// parses to the same rules minus the recipient); and for the plain forms (not key_groups, whose
// add may create a keys: block that stays, emptied), taking out a recipient that add_recipient
// just put in gives the text back byte for byte.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <vps/enroll/rekey/sops_config.hpp>

using namespace vps;
using namespace vps::enroll::rekey;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = parse_sops_config(text);
  if (!config) return 0;
  constexpr std::string_view k_host = "age1fuzzhostrecipient";
  for (std::size_t i = 0; i < config->rules.size() && i < 8; ++i) {
    const CreationRule& rule = config->rules[i];
    if (!rule.age.empty()) {
      auto removed = remove_recipient(text, *config, i, rule.age.front());
      if (!removed && removed.error().code == Errc::internal) std::abort();
    }
    auto added = add_recipient(text, *config, i, k_host);
    if (!added || *added == text) continue;
    auto again = parse_sops_config(*added);
    if (!again) continue;
    auto back = remove_recipient(*added, *again, i, k_host);
    if (!back && back.error().code == Errc::internal) std::abort();
    const bool plain_round_trip = !rule.age.empty() && !rule.key_groups && text.ends_with('\n') && text.find('\r') == std::string_view::npos;
    if (back && plain_round_trip && *back != text) std::abort();
  }
  return 0;
}
