#pragma once
// The creation_rules of a .sops.yaml, read line by line so that adding a recipient edits the
// text minimally (comments, order and other rules kept byte for byte). Only the shapes sops
// users write are accepted: a top-level `creation_rules:` block sequence of mappings whose
// `age:` is a scalar (plain, quoted, or a `>`/`|` block scalar) holding comma-separated
// recipients, a block sequence, or a one-line flow sequence; or a single `key_groups:` group
// whose lists name `keys:` anchors (sops_key_groups.hpp). Anything else is Errc::malformed
// or Errc::unsupported with the line number.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>

namespace vps::enroll::rekey {

enum class AgeForm { absent, scalar, quoted, block_scalar, block_list, flow_list };

struct CreationRule {
  std::optional<std::string> path_regex;  // nullopt: the rule matches every file
  std::vector<std::string> age;           // recipients, trimmed, in file order
  bool key_groups = false;     // age holds the group's recipients, aliases resolved (sops_key_groups.hpp)
  std::string unsupported;     // non-empty: why rekey cannot edit this rule (several key groups...)
  AgeForm form = AgeForm::absent;
  std::size_t line = 0;        // 1-based line of the rule's "- "
  std::size_t key_indent = 0;  // column of the rule's keys
  std::size_t last_line = 0;   // 0-based index of the rule's last non-blank line
  // Where to insert for each form (0-based line index and byte offset within that line).
  std::size_t edit_line = 0;
  std::size_t edit_column = 0;
  std::string list_item_prefix;  // block_list: "<indent>- " of the existing items
  char quote = 0;                // quoted: '"' or '\''
};

struct SopsConfig {
  std::vector<CreationRule> rules;
};

Result<SopsConfig> parse_sops_config(std::string_view text);

// Index of the first rule whose path_regex (ECMAScript std::regex, searched like Go's
// MatchString) matches path; nullopt when none does. Errc::malformed for an invalid regex.
Result<std::optional<std::size_t>> match_rule(const SopsConfig& config, std::string_view path);

// The text with recipient appended to rule `index` (no change if it is already there).
// key_groups rules: see add_key_group_recipient (name_hint names the new anchor).
// Errc::unsupported for rules rekey cannot edit (CreationRule::unsupported).
Result<std::string> add_recipient(std::string_view text, const SopsConfig& config, std::size_t index,
                                  std::string_view recipient, std::string_view name_hint = {});

// The text with every occurrence of recipient taken out of rule `index`, for the forms
// add_recipient writes (scalar, quoted, block scalar, block list, flow list): only the
// recipient and one separator go, so comments, other recipients and layout stay as they were;
// a block list item on its own line loses the whole line. No change if the rule lacks it.
// key_groups rules go to remove_key_group_recipient (sops_key_groups.hpp). Errc::last_recipient
// when it is the rule's only recipient (nobody could open its files), Errc::unsupported for rules
// rekey cannot edit (CreationRule::unsupported).
Result<std::string> remove_recipient(std::string_view text, const SopsConfig& config, std::size_t index,
                                     std::string_view recipient);

}  // namespace vps::enroll::rekey
