// Line-oriented reader and minimal editor of key_groups rules; see sops_key_groups.hpp.
#include <vps/enroll/rekey/sops_key_groups.hpp>
#include <vps/enroll/rekey/yaml_lines.hpp>

#include <algorithm>
#include <cctype>
#include <set>

#include <vps/base/text.hpp>

namespace vps::enroll::rekey {
namespace {

constexpr std::size_t k_max_anchor_suffix = 1000;


std::string_view strip_comment(std::string_view s) {
  const std::size_t hash = s.find(" #");
  return text::trim(hash == std::string_view::npos ? s : s.substr(0, hash), " \t\n");
}

bool is_item(std::string_view rest) { return rest == "-" || rest.starts_with("- "); }

// YAML anchor names end at white space or a flow indicator.
bool anchor_char(char c) {
  return c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',' && c != '[' && c != ']' && c != '{' && c != '}';
}

std::string line_text(std::size_t line) { return ".sops.yaml line " + std::to_string(line + 1); }

std::string unquote_simple(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    std::string out;
    for (std::size_t i = 1; i + 1 < v.size(); ++i) {
      if (v.front() == '\'' && v[i] == '\'' && i + 2 < v.size() && v[i + 1] == '\'') { out += '\''; ++i; continue; }
      if (v.front() == '"' && v[i] == '\\' && i + 2 < v.size()) { out += v[++i]; continue; }
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

// "*alias", "&anchor value" or "value" (plain or quoted) as one list item.
GroupItem read_item(std::string_view raw, std::size_t line) {
  GroupItem item;
  item.line = line;
  item.raw = std::string(raw);
  if (raw.starts_with('*')) {
    std::size_t end = 1;
    while (end < raw.size() && anchor_char(raw[end])) ++end;
    item.alias = std::string(raw.substr(1, end - 1));
    return item;
  }
  std::string_view rest = raw;
  if (rest.starts_with('&')) {
    std::size_t end = 1;
    while (end < rest.size() && anchor_char(rest[end])) ++end;
    item.anchor = std::string(rest.substr(1, end - 1));
    rest = text::trim(rest.substr(end), " \t");
  }
  item.value = unquote_simple(rest);
  return item;
}

class Parser {
 public:
  Parser(std::string_view text, const SopsConfig& config) : m_lines(split_lines(text)), m_config(config) {}

  Result<KeyGroupsModel> parse() {
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
      if (m_lines[i].content.starts_with("creation_rules:")) m_model.creation_rules_line = i;
      if (m_lines[i].content.starts_with("keys:")) read_keys(i);
    }
    for (std::size_t r = 0; r < m_config.rules.size(); ++r)
      if (m_config.rules[r].key_groups) m_model.rules.push_back(read_rule(r));
    VPS_CHECK(resolve());
    return std::move(m_model);
  }

 private:
  void read_keys(std::size_t at) {
    KeysBlock& keys = m_model.keys;
    if (keys.present) { keys.editable = false; return; }  // a second keys: (YAML would refuse it)
    keys.present = true;
    keys.line = at;
    keys.last_line = at;
    if (!is_blank_or_comment(m_lines[at].content.substr(5))) keys.editable = false;  // "keys: [...]"
    std::optional<std::size_t> item_indent;
    for (std::size_t i = at + 1; i < m_lines.size(); ++i) {
      const std::string_view s = m_lines[i].content;
      if (is_blank_or_comment(s)) continue;
      const std::size_t indent = indent_of(s);
      const std::string_view rest = s.substr(indent);
      if (indent == 0 && !is_item(rest)) break;
      keys.last_line = i;
      if (!is_item(rest) || (item_indent && indent != *item_indent)) {
        keys.editable = false;  // an item spanning lines or nested content
        continue;
      }
      if (!item_indent) {
        item_indent = indent;
        keys.item_prefix = std::string(s.substr(0, indent)) + "- ";
      }
      const GroupItem item = read_item(strip_comment(rest.substr(1)), i);
      if (!item.alias.empty()) continue;  // an alias under keys: defines nothing
      keys.items.push_back(AnchoredKey{item.anchor, item.value, i});
      if (!item.anchor.empty()) define(item.anchor, item.value, i);
    }
  }

  void define(const std::string& anchor, const std::string& value, std::size_t line) {
    m_model.anchors[anchor] = value;
    m_model.anchor_lines.emplace(anchor, line);
  }

  RuleKeyGroup read_rule(std::size_t r) {
    const CreationRule& rule = m_config.rules[r];
    RuleKeyGroup out;
    out.rule = r;
    const std::size_t first = rule.line - 1;
    std::optional<std::size_t> at;
    for (std::size_t i = first; i <= rule.last_line && i < m_lines.size(); ++i) {
      const std::string_view s = m_lines[i].content;
      if (s.size() < rule.key_indent || (i != first && indent_of(s) != rule.key_indent)) continue;
      if (s.substr(rule.key_indent).starts_with("key_groups:")) { at = i; break; }
    }
    if (!at) { out.unsupported = line_text(first) + ": key_groups not found"; return out; }
    if (!is_blank_or_comment(m_lines[*at].content.substr(rule.key_indent + 11))) {
      out.unsupported = line_text(*at) + ": key_groups written on one line (flow style) is not supported; write it as a "
                                         "block list (\"key_groups:\" then \"- age:\" lines)";
      return out;
    }
    std::optional<std::size_t> group_dash;
    GroupList* list = nullptr;
    for (std::size_t i = *at + 1; i <= rule.last_line && i < m_lines.size(); ++i) {
      const std::string_view s = m_lines[i].content;
      if (is_blank_or_comment(s)) continue;
      const std::size_t indent = indent_of(s);
      const std::string_view rest = s.substr(indent);
      if (indent < rule.key_indent || (indent == rule.key_indent && !is_item(rest))) break;  // next key of the rule
      std::size_t key_col = 0;
      if (!group_dash || (indent == *group_dash && is_item(rest))) {
        if (!is_item(rest)) { out.unsupported = line_text(i) + ": expected a key group (\"- age:\")"; return out; }
        if (group_dash) {
          out.unsupported = line_text(i) + ": this creation rule has several key_groups (Shamir secret sharing); rekey "
                                           "handles one group only: edit this rule and its files with sops";
          return out;
        }
        group_dash = indent;
        out.key_column = indent + 1 + indent_of(rest.substr(1));
        if (out.key_column >= s.size() || is_blank_or_comment(s.substr(out.key_column))) {
          out.unsupported = line_text(i) + ": a key group must start on its \"- \" line (\"- age:\")";
          return out;
        }
        key_col = out.key_column;
      } else if (indent == out.key_column && !is_item(rest)) {
        key_col = indent;
      }
      out.last_line = i;
      if (key_col) {
        const std::string_view key_text = s.substr(key_col);
        const std::size_t colon = key_text.find(':');
        if (colon == std::string_view::npos || (colon + 1 < key_text.size() && key_text[colon + 1] != ' ')) {
          out.unsupported = line_text(i) + ": expected \"age:\", \"pgp:\"... in the key group";
          return out;
        }
        GroupList l;
        l.key = std::string(text::trim(key_text.substr(0, colon), " \t"));
        l.key_line = i;
        l.last_line = i;
        l.on_dash_line = key_col != indent;
        const std::string_view value = strip_comment(key_text.substr(colon + 1));
        if (!value.empty()) {
          if (value.front() != '[' || value.back() != ']') {
            if (l.key == "age") {
              out.unsupported = line_text(i) + ": age: in a key group must be a list (\"- *name\" items or [*a, *b])";
              return out;
            }
          } else {
            l.flow = true;
            l.flow_open = key_col + key_text.find('[');
            l.flow_close = key_col + colon + 1 + key_text.substr(colon + 1).find(value) + value.size() - 1;
            std::string_view inner = value.substr(1, value.size() - 2);
            std::size_t pos = 0;
            while (pos <= inner.size()) {
              std::size_t comma = inner.find(',', pos);
              if (comma == std::string_view::npos) comma = inner.size();
              const std::string_view element = text::trim(inner.substr(pos, comma - pos), " \t");
              if (!element.empty()) l.items.push_back(read_item(element, i));
              pos = comma + 1;
            }
          }
        }
        out.lists.push_back(std::move(l));
        list = &out.lists.back();
        continue;
      }
      if (!list) { out.unsupported = line_text(i) + ": unexpected line in the key group"; return out; }
      list->last_line = i;
      if (list->flow) { out.unsupported = line_text(i) + ": unexpected line after a flow list"; return out; }
      const bool item = is_item(rest) && indent >= out.key_column;
      if (list->key != "age") {
        if (item && list->item_prefix.empty()) list->item_prefix = std::string(s.substr(0, indent)) + "- ";
        continue;  // pgp fingerprints, kms mappings...: kept as they are
      }
      if (!item || (!list->item_prefix.empty() && std::string(s.substr(0, indent)) + "- " != list->item_prefix)) {
        out.unsupported = line_text(i) + ": unsupported form of age: in the key group (use one \"- *name\" or "
                                         "\"- age1...\" per line)";
        return out;
      }
      if (list->item_prefix.empty()) list->item_prefix = std::string(s.substr(0, indent)) + "- ";
      list->items.push_back(read_item(strip_comment(rest.substr(1)), i));
    }
    if (!group_dash) out.unsupported = line_text(*at) + ": key_groups has no group";
    return out;
  }

  Status resolve_items(RuleKeyGroup& rule) {
    for (auto& l : rule.lists)
      for (auto& item : l.items) {
        if (!item.anchor.empty()) define(item.anchor, item.value, item.line);
        if (item.alias.empty()) continue;
        const auto found = m_model.anchors.find(item.alias);
        if (found == m_model.anchors.end())
          return fail(Errc::malformed, line_text(item.line) + ": alias *" + item.alias +
                                           " has no anchor (define it as \"- &" + item.alias + " age1...\" under keys:)");
        // YAML: an alias refers to an anchor defined before it.
        if (m_model.anchor_lines.at(item.alias) >= item.line)
          return fail(Errc::malformed, line_text(item.line) + ": alias *" + item.alias + " comes before its anchor (" +
                                           line_text(m_model.anchor_lines.at(item.alias)) +
                                           "); YAML needs keys: above creation_rules:");
        item.value = found->second;
      }
    return {};
  }

  Status resolve() {
    for (auto& rule : m_model.rules)
      if (rule.unsupported.empty()) VPS_CHECK(resolve_items(rule));
    return {};
  }

  std::vector<Line> m_lines;
  const SopsConfig& m_config;
  KeyGroupsModel m_model;
};

struct Edit {
  std::size_t offset;
  std::size_t erase;  // bytes removed at offset
  std::string insert;
};

std::string apply_edits(std::string_view text, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.offset > b.offset; });
  std::string out(text);
  for (const Edit& e : edits) out.replace(e.offset, e.erase, e.insert);
  return out;
}

// Offset just past line `index` (its newline included); the edit adds a newline when the file
// ends without one.
Edit line_after(std::string_view text, const std::vector<Line>& lines, std::size_t index, const std::string& new_line) {
  std::size_t end = lines[index].offset + lines[index].content.size();
  while (end < text.size() && text[end] != '\n') ++end;
  if (end == text.size()) return Edit{end, 0, "\n" + new_line + "\n"};
  return Edit{end + 1, 0, new_line + "\n"};
}

Edit erase_line(std::string_view text, const std::vector<Line>& lines, std::size_t index) {
  const std::size_t start = lines[index].offset;
  const std::size_t next = index + 1 < lines.size() ? lines[index + 1].offset : text.size();
  return Edit{start, next - start, ""};
}

std::size_t count_aliases(std::string_view text, std::string_view name) {
  std::size_t count = 0;
  const std::string token = "*" + std::string(name);
  for (std::size_t pos = text.find(token); pos != std::string_view::npos; pos = text.find(token, pos + 1)) {
    const std::size_t end = pos + token.size();
    if (end == text.size() || !anchor_char(text[end])) ++count;
  }
  return count;
}

Result<const RuleKeyGroup*> editable_rule(const KeyGroupsModel& model, std::size_t index) {
  const RuleKeyGroup* rule = model.rule(index);
  if (!rule) return fail(Errc::internal, "rekey: rule " + std::to_string(index) + " has no key_groups");
  if (!rule->unsupported.empty()) return fail(Errc::unsupported, rule->unsupported);
  return rule;
}

}  // namespace

const GroupList* RuleKeyGroup::list(std::string_view key) const {
  for (const auto& l : lists)
    if (l.key == key) return &l;
  return nullptr;
}

const RuleKeyGroup* KeyGroupsModel::rule(std::size_t index) const {
  for (const auto& r : rules)
    if (r.rule == index) return &r;
  return nullptr;
}

Result<KeyGroupsModel> parse_key_groups(std::string_view text, const SopsConfig& config) {
  Parser parser(text, config);
  return parser.parse();
}

Status resolve_key_groups(std::string_view text, SopsConfig& config) {
  if (std::none_of(config.rules.begin(), config.rules.end(), [](const CreationRule& r) { return r.key_groups; }))
    return {};
  const KeyGroupsModel model = VPS_TRY(parse_key_groups(text, config));
  for (const RuleKeyGroup& group : model.rules) {
    CreationRule& rule = config.rules[group.rule];
    rule.age.clear();  // sops ignores a rule's own age: when it has key_groups
    rule.unsupported = group.unsupported;
    if (const GroupList* age = group.list("age"))
      for (const auto& item : age->items) rule.age.push_back(item.value);
  }
  return {};
}

std::string new_anchor_name(std::string_view name_hint, std::string_view recipient, const KeyGroupsModel& model) {
  std::string base = "host_";
  if (!name_hint.empty()) {
    for (char c : name_hint)
      base += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
  } else {
    const std::string_view tail = recipient.starts_with("age1") ? recipient.substr(4) : recipient;
    for (char c : tail.substr(0, 8)) base += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  if (!model.anchors.contains(base)) return base;
  for (std::size_t n = 2; n < k_max_anchor_suffix; ++n) {
    std::string candidate = base + "_" + std::to_string(n);
    if (!model.anchors.contains(candidate)) return candidate;
  }
  return base + "_" + std::string(recipient.substr(recipient.size() > 12 ? recipient.size() - 12 : 0));
}

Result<std::string> add_key_group_recipient(std::string_view text, const SopsConfig& config, std::size_t index,
                                            std::string_view recipient, std::string_view name_hint) {
  const KeyGroupsModel model = VPS_TRY(parse_key_groups(text, config));
  const RuleKeyGroup& rule = *VPS_TRY(editable_rule(model, index));
  const GroupList* age = rule.list("age");
  if (age && std::any_of(age->items.begin(), age->items.end(), [&](const GroupItem& i) { return i.value == recipient; }))
    return std::string(text);
  const std::vector<Line> lines = split_lines(text);
  std::vector<Edit> edits;

  // The key: an existing anchored item holding the recipient, else a new one; either way before
  // the alias (YAML refers only backwards).
  if (model.keys.present && model.keys.line > model.creation_rules_line)
    return fail(Errc::unsupported, line_text(model.keys.line) + ": keys: comes after creation_rules:, so an anchor there "
                                                                "cannot be referred to (YAML); move keys: above");
  std::string anchor;
  for (const auto& key : model.keys.items)
    if (key.value == recipient && !key.anchor.empty()) { anchor = key.anchor; break; }
  if (anchor.empty()) {
    anchor = new_anchor_name(name_hint, recipient, model);
    const std::string item = "&" + anchor + " " + std::string(recipient);
    if (!model.keys.present) {
      edits.push_back(Edit{lines[model.creation_rules_line].offset, 0, "keys:\n  - " + item + "\n"});
    } else if (!model.keys.editable) {
      return fail(Errc::unsupported, line_text(model.keys.line) + ": keys: is not a plain list of \"- &name value\" "
                                                                  "lines; add the new key by hand");
    } else {
      const std::string prefix = model.keys.item_prefix.empty() ? "  - " : model.keys.item_prefix;
      edits.push_back(line_after(text, lines, model.keys.last_line, prefix + item));
    }
  }

  // The alias in the group's age: list.
  const std::string alias = "*" + anchor;
  const std::string key_indent(rule.key_column, ' ');
  if (!age) {
    std::string prefix = key_indent + "- ";
    for (const auto& l : rule.lists)
      if (!l.item_prefix.empty()) { prefix = l.item_prefix; break; }
    edits.push_back(line_after(text, lines, rule.last_line, key_indent + "age:\n" + prefix + alias));
  } else if (age->flow) {
    edits.push_back(Edit{lines[age->key_line].offset + age->flow_close, 0, (age->items.empty() ? "" : ", ") + alias});
  } else {
    const std::string prefix = age->item_prefix.empty() ? key_indent + "- " : age->item_prefix;
    edits.push_back(line_after(text, lines, age->last_line, prefix + alias));
  }
  std::string out = apply_edits(text, std::move(edits));

  // The edit must read back as the same rules with the recipient in this group.
  SopsConfig after = VPS_TRY(parse_sops_config(out));
  if (after.rules.size() != config.rules.size() || index >= after.rules.size() ||
      std::find(after.rules[index].age.begin(), after.rules[index].age.end(), recipient) == after.rules[index].age.end())
    return fail(Errc::internal, "rekey: the edited key_groups rule does not list the recipient");
  return out;
}

Result<std::string> remove_key_group_recipient(std::string_view text, const SopsConfig& config, std::size_t index,
                                               std::string_view recipient) {
  const KeyGroupsModel model = VPS_TRY(parse_key_groups(text, config));
  const RuleKeyGroup& rule = *VPS_TRY(editable_rule(model, index));
  const GroupList* age = rule.list("age");
  if (!age) return std::string(text);
  std::vector<const GroupItem*> removed;
  std::vector<const GroupItem*> kept;
  for (const auto& item : age->items) (item.value == recipient ? removed : kept).push_back(&item);
  if (removed.empty()) return std::string(text);
  if (kept.empty() && rule.lists.size() == 1)
    return fail(Errc::unsupported, line_text(age->key_line) + ": removing " + std::string(recipient) +
                                       " would leave this key group with no key; remove the rule instead");
  for (const GroupItem* item : removed)
    if (!item->anchor.empty() && count_aliases(text, item->anchor) > 0)
      return fail(Errc::unsupported, line_text(item->line) + ": the anchor &" + item->anchor +
                                         " defined here is used elsewhere; move it under keys: first");

  const std::vector<Line> lines = split_lines(text);
  std::vector<Edit> edits;
  if (age->flow) {
    std::string inner;
    for (const GroupItem* item : kept) inner += (inner.empty() ? "" : ", ") + item->raw;
    const std::size_t open = lines[age->key_line].offset + age->flow_open;
    edits.push_back(Edit{open + 1, age->flow_close - age->flow_open - 1, inner});
  } else {
    for (const GroupItem* item : removed) edits.push_back(erase_line(text, lines, item->line));
    // An emptied "age:" goes too, unless it opens the group ("- age:"; then it stays, empty).
    if (kept.empty() && !age->on_dash_line) edits.push_back(erase_line(text, lines, age->key_line));
  }
  std::string out = apply_edits(text, std::move(edits));

  // Keys no alias refers to any more leave keys: as well.
  std::set<std::string> dropped;
  for (const GroupItem* item : removed)
    if (!item->alias.empty()) dropped.insert(item->alias);
  std::vector<Edit> key_edits;
  const std::vector<Line> out_lines = split_lines(out);
  const std::size_t removed_lines = age->flow ? 0 : removed.size() + (kept.empty() && !age->on_dash_line ? 1 : 0);
  for (const auto& key : model.keys.items) {
    if (key.anchor.empty() || !dropped.contains(key.anchor) || count_aliases(out, key.anchor) > 0) continue;
    // keys: lines precede creation_rules: in the usual layout; after it, line numbers moved.
    if (key.line > age->key_line) {
      if (removed_lines > key.line) continue;
      key_edits.push_back(erase_line(out, out_lines, key.line - removed_lines));
    } else {
      key_edits.push_back(erase_line(out, out_lines, key.line));
    }
  }
  out = apply_edits(out, std::move(key_edits));

  SopsConfig after = VPS_TRY(parse_sops_config(out));
  if (after.rules.size() != config.rules.size() || index >= after.rules.size() ||
      std::find(after.rules[index].age.begin(), after.rules[index].age.end(), recipient) != after.rules[index].age.end())
    return fail(Errc::internal, "rekey: the edited key_groups rule still lists the recipient");
  return out;
}

}  // namespace vps::enroll::rekey
