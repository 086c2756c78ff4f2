#pragma once
// .sops.yaml creation rules in the key_groups form sops-nix's README shows: a top-level `keys:`
// list of anchored recipients and rules whose single key group lists them by alias:
//
//   keys:
//     - &admin_bob age12zlz...          # comment
//   creation_rules:
//     - path_regex: secrets/[^/]+\.yaml$
//       key_groups:
//       - pgp:
//         - *admin_alice
//         age:
//         - *admin_bob
//
// Read line by line like sops_config.cpp so that edits are minimal: adding a recipient appends
// one anchored item under `keys:` and one alias to the group's `age:` list; removing deletes
// the alias (and the key under `keys:` once nothing refers to it). Every other byte is kept.
// A rule with several groups (Shamir secret sharing) is refused: its recipients are not one set.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/enroll/rekey/sops_config.hpp>

namespace vps::enroll::rekey {

// One "- [&anchor] value" item of the top-level keys: list.
struct AnchoredKey {
  std::string anchor;  // "" for an item without an anchor
  std::string value;
  std::size_t line = 0;  // 0-based
};

struct KeysBlock {
  bool present = false;
  bool editable = true;        // false: a flow list or items spanning lines (no append there)
  std::size_t line = 0;        // 0-based line of "keys:"
  std::size_t last_line = 0;   // 0-based last non-blank line of the block
  std::string item_prefix;     // "<indent>- " of the existing items
  std::vector<AnchoredKey> items;
};

// One item of a group's list: an alias, or a literal (possibly anchored) scalar.
struct GroupItem {
  std::size_t line = 0;    // 0-based
  std::string alias;       // "admin_bob" for "*admin_bob", "" for a literal
  std::string anchor;      // "x" for a literal "&x age1..."
  std::string value;       // resolved
  std::string raw;         // the item text as written (flow lists are rebuilt from it)
};

// One key of the group ("age", "pgp", ...) and its list.
struct GroupList {
  std::string key;
  std::size_t key_line = 0;  // 0-based
  bool on_dash_line = false;  // "- age:" opens the group
  bool flow = false;          // "age: [*a, *b]" on one line
  std::size_t flow_open = 0;   // flow: byte columns of '[' and ']' in key_line
  std::size_t flow_close = 0;
  std::size_t last_line = 0;  // 0-based last line of the list (the key line if it has no items)
  std::string item_prefix;    // block: "<indent>- " of the first item
  std::vector<GroupItem> items;
};

struct RuleKeyGroup {
  std::size_t rule = 0;       // index in SopsConfig::rules
  std::string unsupported;    // non-empty: why rekey cannot edit this rule
  std::size_t key_column = 0;  // column of the group's keys
  std::size_t last_line = 0;   // 0-based last non-blank line of the group
  std::vector<GroupList> lists;

  const GroupList* list(std::string_view key) const;
};

struct KeyGroupsModel {
  KeysBlock keys;
  std::size_t creation_rules_line = 0;  // 0-based
  std::map<std::string, std::string> anchors;  // every anchor defined (keys: and group items)
  std::map<std::string, std::size_t> anchor_lines;  // 0-based line of each anchor's first definition
  std::vector<RuleKeyGroup> rules;             // one per key_groups rule, in file order

  const RuleKeyGroup* rule(std::size_t index) const;
};

// The key_groups rules of a parsed config. Errc::malformed for an alias with no anchor.
Result<KeyGroupsModel> parse_key_groups(std::string_view text, const SopsConfig& config);

// Fills rule.age (the group's age recipients, aliases resolved) and rule.unsupported of every
// key_groups rule; called by parse_sops_config.
Status resolve_key_groups(std::string_view text, SopsConfig& config);

// An anchor name for a new key: "host_<name>" from the host name when known, else
// "host_<first 8 characters after age1>"; only [A-Za-z0-9_-], "_2", "_3"... when taken.
std::string new_anchor_name(std::string_view name_hint, std::string_view recipient, const KeyGroupsModel& model);

// The text with recipient added to key_groups rule `rule`: the anchor of an existing keys: item
// holding it, or a new "- &name recipient" item under keys: (created before creation_rules: if
// absent), and "- *name" appended to the group's age: list (created if the group has none).
// No change when the group already resolves to the recipient. Errc::unsupported for Shamir rules.
Result<std::string> add_key_group_recipient(std::string_view text, const SopsConfig& config, std::size_t rule,
                                            std::string_view recipient, std::string_view name_hint = {});

// The text with every item of the group's age: list that resolves to recipient removed, and the
// anchored keys: item of each removed alias deleted once no alias refers to it. No change when
// the group does not hold it. Errc::unsupported when the group would be left with no key at all.
Result<std::string> remove_key_group_recipient(std::string_view text, const SopsConfig& config, std::size_t rule,
                                               std::string_view recipient);

}  // namespace vps::enroll::rekey
