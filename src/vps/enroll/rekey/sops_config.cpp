// Line-oriented reader of .sops.yaml creation_rules; see sops_config.hpp for the accepted shapes.
#include <vps/base/text.hpp>
#include <vps/enroll/rekey/sops_config.hpp>
#include <vps/enroll/rekey/yaml_lines.hpp>
#include <vps/enroll/rekey/sops_key_groups.hpp>

#include <algorithm>
#include <cctype>
#include <regex>

namespace vps::enroll::rekey {
namespace {

constexpr std::size_t k_max_lines = 100000;


// A plain scalar ends at " #" (YAML comment) or the end of the line.
std::string_view strip_comment(std::string_view s) {
  const std::size_t hash = s.find(" #");
  return text::trim(hash == std::string_view::npos ? s : s.substr(0, hash), " \t\n");
}

Status line_error(Errc code, std::size_t line, const std::string& what) {
  return fail(code, ".sops.yaml line " + std::to_string(line + 1) + ": " + what);
}

Status empty_recipient(std::size_t line) {
  return line_error(Errc::unsupported, line, "an empty recipient in age: (a doubled or trailing comma); remove the extra comma");
}

// Splits a comma-separated age: value into rule.age. Refused: an empty item (",," or a trailing
// comma: sops trims each item and refuses an empty recipient, and the editors could not undo
// their own edit next to one) and what no recipient has (controls, quotes, '#', a first character
// other than a letter or digit), which could only come from a layout this reader does not know.
Status add_recipients(std::vector<std::string>& out, std::string_view comma_separated, std::size_t line) {
  if (text::trim(comma_separated, " \t\n").empty()) return {};
  std::size_t pos = 0;
  while (pos <= comma_separated.size()) {
    std::size_t comma = comma_separated.find(',', pos);
    if (comma == std::string_view::npos) comma = comma_separated.size();
    std::string_view item = text::trim(comma_separated.substr(pos, comma - pos), " \t\n");
    if (item.empty()) return empty_recipient(line);
    const bool odd = std::any_of(item.begin(), item.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u < 0x20 || u == 0x7f || c == '\'' || c == '"' || c == '#';
    });
    // Every recipient (age1..., ssh-..., plugins) starts with a letter or digit; one starting with
    // a YAML indicator (">", "[", "&"...) would change the value's form once it came first.
    if (odd || !std::isalnum(static_cast<unsigned char>(item.front())))
      return line_error(Errc::unsupported, line,
                        "age: holds something that is not a recipient (control characters, quotes, '#', or not "
                        "starting with a letter or digit)");
    out.emplace_back(item);
    pos = comma + 1;
  }
  return {};
}

// A quoted scalar starting at value[0]; returns the unquoted text and the closing quote's offset.
Result<std::pair<std::string, std::size_t>> unquote(std::string_view value, std::size_t line) {
  const char q = value[0];
  std::string out;
  for (std::size_t i = 1; i < value.size(); ++i) {
    if (q == '\'' && value[i] == '\'') {
      if (i + 1 < value.size() && value[i + 1] == '\'') { out += '\''; ++i; continue; }
      return std::pair{out, i};
    }
    if (q == '"' && value[i] == '\\' && i + 1 < value.size()) { out += value[++i]; continue; }
    if (q == '"' && value[i] == '"') return std::pair{out, i};
    out += value[i];
  }
  return fail(line_error(Errc::unsupported, line, "multi-line quoted scalars are not supported").error());
}

class Reader {
 public:
  explicit Reader(std::vector<Line> lines) : m_lines(std::move(lines)) {}

  Result<SopsConfig> read() {
    if (m_lines.size() > k_max_lines) return fail(Errc::malformed, ".sops.yaml: too many lines");
    std::size_t i = 0;
    while (i < m_lines.size() && !m_lines[i].content.starts_with("creation_rules:")) ++i;
    if (i == m_lines.size()) return fail(Errc::malformed, ".sops.yaml: no creation_rules");
    if (!is_blank_or_comment(m_lines[i].content.substr(15)))
      return fail(line_error(Errc::unsupported, i, "creation_rules must be a block sequence").error());
    for (++i; i < m_lines.size(); ++i) {
      const std::string_view s = m_lines[i].content;
      if (is_blank_or_comment(s)) continue;
      if (indent_of(s) == 0 && s[0] != '-') break;  // next top-level key
      VPS_CHECK(line(i));
    }
    VPS_CHECK(close_block_scalar());
    // YAML forbids duplicate mapping keys and sops (go-yaml) refuses them; an editor that
    // changed only the first of two creation_rules would leave sops reading something else.
    for (; i < m_lines.size(); ++i)
      if (m_lines[i].content.starts_with("creation_rules:"))
        return fail(line_error(Errc::malformed, i, "creation_rules appears twice").error());
    return m_config;
  }

 private:
  Status line(std::size_t i) {
    const std::string_view s = m_lines[i].content;
    const std::size_t indent = indent_of(s);
    // YAML indents with spaces only; a tab there would make this reader and the editors disagree
    // about which key a line holds.
    if (indent < s.size() && s[indent] == '\t')
      return line_error(Errc::malformed, i, "a tab in the indentation (YAML indents with spaces)");
    const std::string_view rest = s.substr(indent);
    const bool dash = rest == "-" || rest.starts_with("- ");
    if (dash && (m_config.rules.empty() || indent == m_seq_indent)) {
      VPS_CHECK(close_block_scalar());
      if (m_config.rules.empty()) m_seq_indent = indent;
      CreationRule rule;
      rule.line = i + 1;
      rule.key_indent = indent + 1 + indent_of(rest.substr(1));
      rule.last_line = i;
      m_config.rules.push_back(rule);
      m_key.clear();
      m_rule_keys.clear();
      if (rest.size() <= 2 || is_blank_or_comment(rest.substr(1))) return {};
      return key_line(i, rule.key_indent);
    }
    if (m_config.rules.empty() || indent < m_seq_indent)
      return line_error(Errc::malformed, i, "expected a creation rule (\"- path_regex: ...\")");
    CreationRule& rule = m_config.rules.back();
    rule.last_line = i;
    if (indent == rule.key_indent && !(dash && m_key == "age")) return key_line(i, indent);
    if (indent < rule.key_indent) return line_error(Errc::malformed, i, "unexpected indentation");
    return continuation(i, indent);
  }

  Status key_line(std::size_t i, std::size_t column) {
    VPS_CHECK(close_block_scalar());
    CreationRule& rule = m_config.rules.back();
    const std::string_view s = m_lines[i].content.substr(column);
    const std::size_t colon = s.find(':');
    if (colon == std::string_view::npos || (colon + 1 < s.size() && s[colon + 1] != ' ' && s[colon + 1] != '\t'))
      return line_error(Errc::malformed, i, "expected \"key: value\"");
    m_key = std::string(text::trim(s.substr(0, colon), " \t\n"));
    // A second age: (or path_regex:) in one rule is not YAML sops accepts, and editing one of
    // the two would be editing a value sops never reads.
    // ("- age: ..." at the key column is an item of the previous key's sequence, not a key.)
    if (!m_key.starts_with('-') && std::find(m_rule_keys.begin(), m_rule_keys.end(), m_key) != m_rule_keys.end())
      return line_error(Errc::malformed, i, "duplicate key '" + m_key + "' in this creation rule");
    m_rule_keys.push_back(m_key);
    // The value starts after the blanks (spaces or tabs: both separate in YAML) that follow ':'.
    const std::string_view after = s.substr(colon + 1);
    const std::size_t value_col = column + colon + 1 + std::min(after.find_first_not_of(" \t"), after.size());
    const std::string_view raw = m_lines[i].content.substr(std::min(value_col, m_lines[i].content.size()));
    if (m_key == "key_groups") rule.key_groups = true;
    if (m_key == "path_regex") {
      const std::string_view v = strip_comment(raw);
      if (!v.empty() && (v[0] == '"' || v[0] == '\'')) rule.path_regex = VPS_TRY(unquote(v, i)).first;
      else rule.path_regex = std::string(v);
    }
    if (m_key == "age") return age_value(i, value_col, raw);
    return {};
  }

  Status age_value(std::size_t i, std::size_t value_col, std::string_view raw) {
    CreationRule& rule = m_config.rules.back();
    const std::string_view v = strip_comment(raw);
    rule.edit_line = i;
    if (v.empty()) { rule.form = AgeForm::block_list; return {}; }  // items follow (or none)
    if (v[0] == '"' || v[0] == '\'') {
      auto [text, close] = VPS_TRY(unquote(raw, i));
      VPS_CHECK(add_recipients(rule.age, text, i));
      rule.form = AgeForm::quoted;
      rule.quote = v[0];
      rule.edit_column = value_col + close;
    } else if (v[0] == '[') {
      if (v.back() != ']') return line_error(Errc::unsupported, i, "multi-line flow sequences are not supported");
      VPS_CHECK(add_recipients(rule.age, v.substr(1, v.size() - 2), i));
      rule.form = AgeForm::flow_list;
      rule.edit_column = value_col + v.size() - 1;
    } else if (v[0] == '>' || v[0] == '|') {
      rule.form = AgeForm::block_scalar;
      m_block_line_open = false;
    } else if (v[0] == '&' || v[0] == '*' || v[0] == '!') {
      return line_error(Errc::unsupported, i, "anchors, aliases and tags are not supported in age:");
    } else {
      VPS_CHECK(add_recipients(rule.age, v, i));
      rule.form = AgeForm::scalar;
      rule.edit_column = value_col + v.size();
    }
    return {};
  }

  Status continuation(std::size_t i, std::size_t indent) {
    CreationRule& rule = m_config.rules.back();
    if (m_key != "age") return {};  // nested content of another key (key_groups, pgp lists...)
    const std::string_view rest = m_lines[i].content.substr(indent);
    if (rule.form == AgeForm::block_scalar) {
      // One recipient per line, each but the last ending with a comma: what folding (>) and
      // literal (|) both read as the same comma-separated list. Anything else ('#' is text in a
      // block scalar, two words on a line, a line without its comma) folds into a recipient
      // sops would refuse, and the editors could not find it again.
      const std::string_view item = text::trim(rest, " \t\n");
      if (m_block_line_open)
        return line_error(Errc::unsupported, i, "in a block scalar age:, end every line but the last with a comma");
      const std::string_view items = item.ends_with(',') ? item.substr(0, item.size() - 1) : item;
      const std::size_t before = rule.age.size();
      VPS_CHECK(add_recipients(rule.age, items, i));
      // Two words on a line would fold into one recipient with a blank in it.
      if (std::any_of(rule.age.begin() + static_cast<std::ptrdiff_t>(before), rule.age.end(),
                      [](const std::string& r) { return r.find_first_of(" \t") != std::string::npos; }))
        return line_error(Errc::unsupported, i, "a block scalar age: takes recipients separated by commas, one word each");
      m_block_line_open = !item.ends_with(',');
      m_block_last_line = i;
      rule.edit_line = i;
      rule.edit_column = indent + item.size();
      return {};
    }
    if (rule.form != AgeForm::block_list || !(rest == "-" || rest.starts_with("- ")))
      return line_error(Errc::unsupported, i, "unsupported form of age: (use a string or a list)");
    std::string_view item = strip_comment(rest.substr(1));
    if (!item.empty() && (item[0] == '"' || item[0] == '\'')) {
      auto [text, close] = VPS_TRY(unquote(item, i));
      VPS_CHECK(add_recipients(rule.age, text, i));
    } else {
      VPS_CHECK(add_recipients(rule.age, item, i));
    }
    rule.edit_line = i;
    rule.list_item_prefix = std::string(m_lines[i].content.substr(0, indent)) + "- ";
    return {};
  }

  std::vector<Line> m_lines;
  SopsConfig m_config;
  std::size_t m_seq_indent = 0;
  std::string m_key;
  std::vector<std::string> m_rule_keys;  // keys of the current rule, to refuse duplicates
  bool m_block_line_open = false;        // the last block scalar line had no trailing comma
  std::size_t m_block_last_line = 0;

  // A block scalar age: ends where its rule's next key, the next rule or the list ends: its last
  // line must not end with a comma (that would be an empty last recipient).
  Status close_block_scalar() {
    if (m_config.rules.empty() || m_key != "age") return {};
    const CreationRule& rule = m_config.rules.back();
    if (rule.form == AgeForm::block_scalar && !rule.age.empty() && !m_block_line_open)
      return empty_recipient(m_block_last_line);
    return {};
  }
};

std::string insert_at(std::string_view text, std::size_t offset, std::string_view what) {
  std::string out;
  out.reserve(text.size() + what.size());
  out.append(text.substr(0, offset));
  out.append(what);
  out.append(text.substr(offset));
  return out;
}

// Offset just past line `index` (its newline included), adding a newline if the file lacks one.
std::string insert_line_after(std::string_view text, const Line& line, std::string_view new_line) {
  std::size_t end = line.offset + line.content.size();
  while (end < text.size() && text[end] != '\n') ++end;
  if (end == text.size()) return std::string(text) + "\n" + std::string(new_line) + "\n";
  return insert_at(text, end + 1, std::string(new_line) + "\n");
}

}  // namespace

Result<SopsConfig> parse_sops_config(std::string_view text) {
  Reader reader(split_lines(text));
  SopsConfig config = VPS_TRY(reader.read());
  VPS_CHECK(resolve_key_groups(text, config));
  return config;
}

Result<std::optional<std::size_t>> match_rule(const SopsConfig& config, std::string_view path) {
  for (std::size_t i = 0; i < config.rules.size(); ++i) {
    const auto& pattern = config.rules[i].path_regex;
    if (!pattern) return std::optional<std::size_t>(i);
    try {
      const std::regex re(*pattern, std::regex::ECMAScript);
      if (std::regex_search(path.begin(), path.end(), re)) return std::optional<std::size_t>(i);
    } catch (const std::regex_error&) {
      return fail(Errc::malformed, ".sops.yaml line " + std::to_string(config.rules[i].line) +
                                       ": invalid path_regex '" + *pattern + "'");
    }
  }
  return std::optional<std::size_t>();
}

Result<std::string> add_recipient(std::string_view text, const SopsConfig& config, std::size_t index,
                                  std::string_view recipient, std::string_view name_hint) {
  const CreationRule& rule = config.rules.at(index);
  if (!rule.unsupported.empty()) return fail(Errc::unsupported, rule.unsupported);
  if (rule.key_groups) return add_key_group_recipient(text, config, index, recipient, name_hint);
  if (std::find(rule.age.begin(), rule.age.end(), recipient) != rule.age.end()) return std::string(text);
  const std::vector<Line> lines = split_lines(text);
  const Line& at = lines.at(rule.edit_line);
  const std::string r(recipient);
  // After the last recipient itself, not after blanks that follow it ("[a, b ]", "'a '"): the
  // separator then goes with the new item, and remove_recipient takes exactly what was added.
  std::size_t end = at.offset + rule.edit_column;
  while (end > at.offset && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  switch (rule.form) {
    case AgeForm::absent:
      return insert_line_after(text, lines.at(rule.last_line), std::string(rule.key_indent, ' ') + "age: " + r);
    case AgeForm::scalar:
    case AgeForm::block_scalar:
      if (rule.form == AgeForm::block_scalar && rule.age.empty())
        return fail(Errc::unsupported, ".sops.yaml line " + std::to_string(rule.line) + ": empty block scalar in age:");
      return insert_at(text, end, "," + r);
    case AgeForm::quoted:
      return rule.age.empty() ? insert_at(text, at.offset + rule.edit_column, r) : insert_at(text, end, "," + r);
    case AgeForm::flow_list:
      return rule.age.empty() ? insert_at(text, at.offset + rule.edit_column, r) : insert_at(text, end, ", " + r);
    case AgeForm::block_list:
      if (rule.age.empty())  // "age:" with nothing after it: make it a scalar
        return insert_at(text, at.offset + at.content.size(), " " + r);
      return insert_line_after(text, at, rule.list_item_prefix + r);
  }
  return fail(Errc::internal, "add_recipient: unknown form");
}

namespace {

// One recipient inside a comma-separated value: [begin, end) offsets in the whole text.
struct Item {
  std::size_t begin = 0;
  std::size_t end = 0;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::vector<Item> items_in(std::string_view text, std::size_t begin, std::size_t end) {
  std::vector<Item> items;
  std::size_t pos = begin;
  while (pos <= end) {
    std::size_t comma = text.substr(0, end).find(',', pos);
    if (comma == std::string_view::npos) comma = end;
    std::size_t b = pos, e = comma;
    while (b < e && is_space(text[b])) ++b;
    while (e > b && is_space(text[e - 1])) --e;
    if (b < e) items.push_back({b, e});
    pos = comma + 1;
  }
  return items;
}

std::string erase(std::string_view text, std::size_t begin, std::size_t end) {
  std::string out(text.substr(0, begin));
  out.append(text.substr(end));
  return out;
}

// Takes the first occurrence of recipient out of the list in [begin, end) with the separator
// before it (after it for the first item): "a, b, c" -> "a, c". nullopt if it is not there.
std::optional<std::string> erase_item(std::string_view text, std::size_t begin, std::size_t end,
                                      std::string_view recipient) {
  const std::vector<Item> items = items_in(text, begin, end);
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (text.substr(items[k].begin, items[k].end - items[k].begin) != recipient) continue;
    if (k > 0) return erase(text, items[k - 1].end, items[k].end);
    if (items.size() > 1) return erase(text, items[0].begin, items[1].begin);
    return erase(text, items[0].begin, items[0].end);
  }
  return std::nullopt;
}

// 0-based line of the rule's "age:" key and the column where its value starts.
std::optional<std::pair<std::size_t, std::size_t>> age_key(const std::vector<Line>& lines, const CreationRule& rule) {
  for (std::size_t i = rule.line - 1; i <= rule.last_line && i < lines.size(); ++i) {
    const std::string_view s = lines[i].content;
    if (s.size() <= rule.key_indent || (i != rule.line - 1 && indent_of(s) != rule.key_indent)) continue;
    std::string_view k = s.substr(rule.key_indent);
    if (!k.starts_with("age")) continue;
    std::size_t colon = 3;
    while (colon < k.size() && k[colon] == ' ') ++colon;
    if (colon >= k.size() || k[colon] != ':' || (colon + 1 < k.size() && k[colon + 1] != ' ')) continue;
    return std::pair{i, rule.key_indent + colon + 1 + indent_of(k.substr(colon + 1))};
  }
  return std::nullopt;
}

// The end of line `line` including its newline (the end of the text for the last line).
std::size_t line_end(std::string_view text, const Line& line) {
  const std::size_t nl = text.find('\n', line.offset + line.content.size());
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

// One occurrence out of a block list: the item's whole line when it holds only this recipient.
Result<std::optional<std::string>> erase_from_block_list(std::string_view text, const std::vector<Line>& lines,
                                                         std::size_t key_line, const CreationRule& rule,
                                                         std::string_view recipient) {
  for (std::size_t i = key_line + 1; i <= rule.edit_line && i < lines.size(); ++i) {
    const std::string_view s = lines[i].content;
    const std::size_t indent = indent_of(s);
    const std::string_view rest = s.substr(indent);
    if (!(rest == "-" || rest.starts_with("- "))) continue;
    const std::size_t item_col = indent + 1 + indent_of(rest.substr(1));
    const std::string_view raw = s.substr(std::min(item_col, s.size()));
    const std::string_view item = strip_comment(raw);
    std::size_t begin = lines[i].offset + item_col, end = begin + item.size();
    std::string value(item);
    if (!item.empty() && (item[0] == '"' || item[0] == '\'')) {
      auto [unquoted, close] = VPS_TRY(unquote(raw, i));
      value = unquoted;
      end = begin + close;
      ++begin;
    }
    std::vector<std::string> here;
    VPS_CHECK(add_recipients(here, value, i));
    if (std::find(here.begin(), here.end(), recipient) == here.end()) continue;
    if (here.size() == 1) return std::optional<std::string>(erase(text, lines[i].offset, line_end(text, lines[i])));
    return erase_item(text, begin, end, recipient);
  }
  return std::optional<std::string>();
}

Result<std::string> remove_once(std::string_view text, const CreationRule& rule, std::string_view recipient) {
  const std::vector<Line> lines = split_lines(text);
  const auto key = age_key(lines, rule);
  if (!key) return fail(Errc::internal, ".sops.yaml line " + std::to_string(rule.line) + ": age: key not found again");
  const auto [key_line, value_col] = *key;
  const Line& at = lines.at(key_line);
  std::optional<std::string> out;
  // After the last recipient itself, not after blanks that follow it ("[a, b ]", "'a '"): the
  // separator then goes with the new item, and remove_recipient takes exactly what was added.
  std::size_t end = at.offset + rule.edit_column;
  while (end > at.offset && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  switch (rule.form) {
    case AgeForm::absent:
      break;
    case AgeForm::scalar:
      out = erase_item(text, at.offset + value_col, at.offset + rule.edit_column, recipient);
      break;
    case AgeForm::quoted:
    case AgeForm::flow_list:  // between the quotes / brackets
      out = erase_item(text, at.offset + value_col + 1, at.offset + rule.edit_column, recipient);
      break;
    case AgeForm::block_scalar:
      if (rule.edit_line > key_line)
        out = erase_item(text, line_end(text, at), lines.at(rule.edit_line).offset + rule.edit_column, recipient);
      break;
    case AgeForm::block_list:
      if (rule.edit_line == key_line)  // "age: x" written by add_recipient into an empty "age:"
        out = erase_item(text, at.offset + value_col, at.offset + at.content.size(), recipient);
      else
        out = VPS_TRY(erase_from_block_list(text, lines, key_line, rule, recipient));
      break;
  }
  if (!out) return fail(Errc::internal, ".sops.yaml line " + std::to_string(rule.line) + ": recipient not found again");
  return std::move(*out);
}

}  // namespace

Result<std::string> remove_recipient(std::string_view text, const SopsConfig& config, std::size_t index,
                                     std::string_view recipient) {
  const CreationRule& first = config.rules.at(index);
  if (!first.unsupported.empty()) return fail(Errc::unsupported, first.unsupported);
  const auto count = static_cast<std::size_t>(std::count(first.age.begin(), first.age.end(), recipient));
  if (count == 0) return std::string(text);
  if (count == first.age.size())
    return fail(Errc::last_recipient, ".sops.yaml line " + std::to_string(first.line) + ": " + std::string(recipient) +
                                          " is the rule's only age recipient; removing it would leave files nobody "
                                          "can open (add another recipient first)");
  // sops-nix's keys: anchors + key_groups form: the alias goes, and the anchor once unused.
  if (first.key_groups) return remove_key_group_recipient(text, config, index, recipient);
  std::string out(text);
  for (std::size_t n = 0; n < count; ++n) {
    const SopsConfig current = VPS_TRY(parse_sops_config(out));
    if (current.rules.size() != config.rules.size())
      return fail(Errc::internal, ".sops.yaml: removing a recipient changed the number of rules");
    out = VPS_TRY(remove_once(out, current.rules[index], recipient));
  }
  const SopsConfig after = VPS_TRY(parse_sops_config(out));
  const auto& left = after.rules.at(index).age;
  if (std::find(left.begin(), left.end(), recipient) != left.end() || left.size() != first.age.size() - count)
    return fail(Errc::internal, ".sops.yaml line " + std::to_string(first.line) + ": removing the recipient went wrong");
  return out;
}

}  // namespace vps::enroll::rekey
