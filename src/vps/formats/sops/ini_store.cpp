#include <vps/base/text.hpp>
#include <vps/formats/sops/ini_store.hpp>

#include <set>

namespace vps::formats::sops::ini {
namespace {

// sops' stripCommentChar: drop the leading run of "; " or "# ".
std::string strip_comment(std::string_view c) {
  if (c.empty() || (c[0] != ';' && c[0] != '#')) return std::string(c);
  char mark = c[0];
  while (!c.empty() && (c[0] == mark || c[0] == ' ')) c.remove_prefix(1);
  return std::string(c);
}

struct Lines {
  std::string_view text;
  std::size_t pos = 0;
  std::size_t number = 0;
  bool next(std::string_view& line) {
    if (pos >= text.size()) return false;
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    ++number;
    return true;
  }
};

// go-ini readValue: quoted forms, else inline comment at the first '#' or ';', then one pair of
// surrounding quotes removed.
Result<SecretString> read_value(std::string_view raw, Lines& lines, std::string& comment) {
  std::string_view v = text::trim(raw, " \t");
  if (v.size() > 3 && v.substr(0, 3) == "\"\"\"") {
    std::string_view rest = v.substr(3);
    if (auto close = rest.find("\"\"\""); close != std::string_view::npos) return SecretString(rest.substr(0, close));
    SecretString out(rest);
    std::string_view line;
    while (lines.next(line)) {
      out += '\n';
      if (auto close = line.find("\"\"\""); close != std::string_view::npos) {
        out.append(line.substr(0, close));
        return out;
      }
      out.append(line);
    }
    return fail(Errc::malformed, "parsing INI: unterminated \"\"\" value");
  }
  if (!v.empty() && v[0] == '`') {
    auto close = v.find('`', 1);
    if (close == std::string_view::npos) return fail(Errc::malformed, "parsing INI: unterminated ` value");
    return SecretString(v.substr(1, close - 1));
  }
  if (auto i = v.find_first_of("#;"); i != std::string_view::npos) {
    comment = std::string(v.substr(i));
    v = text::trim(v.substr(0, i), " \t");
  }
  if (v.size() >= 2 && (v[0] == '"' || v[0] == '\'') && v.back() == v[0] &&
      v.substr(1, v.size() - 2).find(v[0]) == std::string_view::npos)
    v = v.substr(1, v.size() - 2);
  return SecretString(v);
}

std::string quote_value(const SecretString& v) {
  std::string s(v.begin(), v.end());
  if (s.find('\n') != std::string::npos || s.find('`') != std::string::npos) return "\"\"\"" + s + "\"\"\"";
  if (s.find_first_of("#;") != std::string::npos) return "`" + s + "`";
  // go-ini quotes a value that strings.TrimSpace would change. Checking only ' ' let a value
  // ending in '\t' or '\r' be written bare, and read back trimmed (found by sops_ini_fuzz: an
  // _unencrypted value then failed the MAC).
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  if (!s.empty() && (space(s.front()) || space(s.back()))) return "\"" + s + "\"";
  return s;
}

void comment_lines(SecretString& out, std::string_view text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    if (l.empty() || (l[0] != ';' && l[0] != '#')) out += "; ";
    out.append(l);
    out += '\n';
    start = end + 1;
  }
}

}  // namespace

Result<Parsed> parse(std::string_view text) {
  if (text.size() > k_max_file_size) return fail(Errc::malformed, "parsing INI: file larger than 16 MiB");
  Parsed out;
  out.document = Node::mapping();
  out.document.entries.push_back(Entry{"DEFAULT", Node::mapping()});
  Node* section = &out.document.entries.back().value;
  std::set<std::string> sections{"DEFAULT"};
  std::set<std::string> keys;
  std::string pending;
  Lines lines{text};
  std::string_view raw;
  auto error = [&](std::string_view what) {
    return fail(Errc::malformed, "parsing INI: line " + std::to_string(lines.number) + ": " + std::string(what));
  };
  while (lines.next(raw)) {
    std::string_view line = text::trim(raw, " \t");
    if (line.empty()) continue;
    if (line[0] == ';' || line[0] == '#') {
      if (!pending.empty()) pending += '\n';
      pending += line;
      continue;
    }
    if (line[0] == '[') {
      if (line.back() != ']') return error("bad section header");
      std::string name(text::trim(line.substr(1, line.size() - 2), " \t"));
      if (name.empty() || !sections.insert(name).second) return error("empty or duplicate section");
      out.document.entries.push_back(Entry{name, Node::mapping()});
      section = &out.document.entries.back().value;
      keys.clear();
      if (!pending.empty()) section->entries.push_back(Entry{"", Node::comment(strip_comment(pending))});
      pending.clear();
      continue;
    }
    std::size_t delim = line.find_first_of("=:");
    if (delim == std::string_view::npos || delim == 0) return error("expected key = value");
    std::string key(text::trim(line.substr(0, delim), " \t"));
    if (!keys.insert(key).second) return error("duplicate key '" + key + "'");
    std::string inline_comment;
    auto value = read_value(line.substr(delim + 1), lines, inline_comment);
    if (!value) return error(value.error().message);
    section->entries.push_back(Entry{key, Node(Kind::string, std::string_view(value->data(), value->size()))});
    if (!inline_comment.empty()) pending += (pending.empty() ? "" : "\n") + inline_comment;
    if (!pending.empty()) section->entries.push_back(Entry{"", Node::comment(strip_comment(pending))});
    pending.clear();
  }
  // Lift [sops] out of the document.
  auto& entries = out.document.entries;
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->key != "sops") continue;
    for (const auto& e : it->value.entries)
      if (!e.is_comment()) out.metadata.emplace_back(e.key, std::string(e.value.text.begin(), e.value.text.end()));
    out.has_metadata = true;
    entries.erase(it);
    break;
  }
  return out;
}

Result<SecretString> emit(const Document& document, const FlatItems* metadata) {
  SecretString out;
  bool first_section = true;
  auto section_out = [&](const std::string& name, const Node& body) -> Status {
    if (body.kind != Kind::mapping) return fail(Errc::malformed, "INI section '" + name + "' must be a mapping");
    bool has_keys = false;
    std::size_t width = 0;
    for (const auto& e : body.entries)
      if (!e.is_comment()) has_keys = true, width = std::max(width, e.key.size());
    if (name == "DEFAULT" && !has_keys) return {};
    if (!first_section) out += '\n';
    first_section = false;
    std::size_t i = 0;
    if (!body.entries.empty() && body.entries[0].is_comment()) comment_lines(out, std::string_view(body.entries[i++].value.text.data(), body.entries[0].value.text.size()));
    if (name != "DEFAULT") out += "[" + name + "]\n";
    for (; i < body.entries.size(); ++i) {
      const auto& e = body.entries[i];
      if (e.is_comment()) continue;  // written before the key it follows
      if (!e.value.is_scalar()) return fail(Errc::malformed, "INI cannot hold the nested value at '" + name + ":" + e.key + "'");
      if (i + 1 < body.entries.size() && body.entries[i + 1].is_comment())
        comment_lines(out, std::string_view(body.entries[i + 1].value.text.data(), body.entries[i + 1].value.text.size()));
      out.append(e.key.begin(), e.key.end());
      out.append(width - e.key.size(), ' ');
      out += " = ";
      std::string value = quote_value(e.value.text);
      out.append(value.begin(), value.end());
      out += '\n';
    }
    return {};
  };
  for (const auto& entry : document.entries) {
    if (entry.is_comment()) continue;
    VPS_CHECK(section_out(entry.key, entry.value));
  }
  if (metadata) {
    Node sops = Node::mapping();
    for (const auto& [k, v] : *metadata) sops.entries.push_back(Entry{k, Node::string(v)});
    VPS_CHECK(section_out("sops", sops));
  }
  return out;
}

}  // namespace vps::formats::sops::ini
