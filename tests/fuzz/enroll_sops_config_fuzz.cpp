// libFuzzer target: the .sops.yaml reader and its minimal editors (operator-supplied text, read
// by rekey) must never crash; and an edit of a key_groups rule that succeeds must read back
// with the recipient added (resp. removed) and the same number of rules. path_regex is not
// matched here: std::regex on arbitrary patterns is sops' semantics, not this parser's.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <vps/enroll/rekey/sops_config.hpp>
#include <vps/enroll/rekey/sops_key_groups.hpp>

namespace {

constexpr std::size_t k_max_input = 64 * 1024;
constexpr std::size_t k_max_rules = 4;
constexpr std::string_view k_recipient = "age1qqqqqqqqqz5f0fq7mm4jc9k7gn3r2rqx3l5kz8ws3x5ldj0xvl5quvl7fy";

bool lists(const vps::enroll::rekey::SopsConfig& config, std::size_t rule, std::string_view recipient) {
  for (const auto& r : config.rules[rule].age)
    if (r == recipient) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vps::enroll::rekey;
  if (size > k_max_input) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = parse_sops_config(text);
  if (!config) return 0;
  for (std::size_t i = 0; i < config->rules.size() && i < k_max_rules; ++i) {
    auto added = add_recipient(text, *config, i, k_recipient, "fuzz");
    if (!added) {
      if (added.error().code == vps::Errc::internal && config->rules[i].key_groups) std::abort();
      continue;
    }
    auto again = parse_sops_config(*added);
    if (config->rules[i].key_groups) {
      if (!again || again->rules.size() != config->rules.size() || !lists(*again, i, k_recipient)) std::abort();
      auto removed = remove_key_group_recipient(*added, *again, i, k_recipient);
      if (!removed) {
        if (removed.error().code == vps::Errc::internal) std::abort();
        continue;
      }
      auto back = parse_sops_config(*removed);
      if (!back || lists(*back, i, k_recipient)) std::abort();
    }
  }
  return 0;
}
