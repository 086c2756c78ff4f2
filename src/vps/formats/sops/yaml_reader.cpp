// A strict reader for the block-YAML subset sops writes (go-yaml v2/v3 output): block mappings
// and sequences, plain / quoted scalars, literal and folded block scalars, empty flow
// collections, several documents. Comments are kept because sops encrypts them: a full-line
// comment belongs to the innermost open collection whose indentation is at most the comment's
// column (head comments before an entry, foot comments after the last one), a trailing comment
// goes before its entry, as sops' YAML store does with go-yaml's head/line/foot comments.
// Anchors, aliases, tags, complex keys and non-empty flow collections are Errc::unsupported.

#include <vps/formats/sops/yaml_store.hpp>

#include <algorithm>
#include <optional>
#include <set>

#include <vps/formats/sops/yaml_scalar.hpp>

namespace vps::formats::sops::yaml {
namespace {

struct Pending {
  std::string text;
  std::size_t column;
};

struct KeyLine {
  std::string key;
  std::string_view rest;  // after "key:"
};

class Reader {
 public:
  explicit Reader(std::vector<std::string_view> lines, std::size_t first_line)
      : m_lines(std::move(lines)), m_first_line(first_line) {}

  Result<Document> document() {
    skip_insignificant();
    Node root = Node::mapping();
    if (!at_end()) {
      if (is_sequence_line() || !key_line(content()))
        return error(Errc::malformed, "a sops YAML document must be a mapping");
      root = VPS_TRY(mapping(indent()));
      skip_insignificant();
      if (!at_end()) return error(Errc::malformed, "unexpected indentation");
    }
    for (auto& c : m_pending) root.entries.push_back(Entry{"", Node::comment(c.text)});
    m_pending.clear();
    return root;
  }

 private:
  bool at_end() const { return m_pos >= m_lines.size(); }
  std::string_view line() const { return m_lines[m_pos]; }
  std::size_t indent() const {
    std::size_t i = m_offset;
    while (i < line().size() && line()[i] == ' ') ++i;
    return i;
  }
  std::string_view content() const { return line().substr(indent()); }
  void advance() {
    ++m_pos;
    m_offset = 0;
  }
  bool is_sequence_line() const {
    auto c = content();
    return !c.empty() && c[0] == '-' && (c.size() == 1 || c[1] == ' ');
  }

  tl::unexpected<Error> error(Errc code, std::string_view what) const {
    return fail(code, "parsing YAML: line " + std::to_string(m_first_line + std::min(m_pos, m_lines.size())) + ": " +
                          std::string(what));
  }

  // Skips blank lines and collects full-line comments.
  void skip_insignificant() {
    while (!at_end()) {
      auto c = content();
      if (c.empty()) {
        advance();
      } else if (c[0] == '#') {
        m_pending.push_back(Pending{std::string(c.substr(1)), indent()});
        advance();
      } else {
        return;
      }
    }
  }

  template <class Add>
  void take_pending(std::size_t min_column, bool all, Add add) {
    std::size_t n = 0;
    while (n < m_pending.size() && (all || m_pending[n].column >= min_column)) ++n;
    for (std::size_t i = 0; i < n; ++i) add(Node::comment(m_pending[i].text));
    m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
  }

  // "key: rest" or "key:" at the start of text; nullopt when text is not a mapping entry.
  std::optional<KeyLine> key_line(std::string_view text) const {
    if (text.empty()) return std::nullopt;
    if (text[0] == '"' || text[0] == '\'') {
      std::size_t used = 0;
      auto key = parse_quoted(text, used);
      if (!key || used >= text.size() || text[used] != ':') return std::nullopt;
      if (used + 1 < text.size() && text[used + 1] != ' ') return std::nullopt;
      return KeyLine{std::string(key->begin(), key->end()), text.substr(used + 1)};
    }
    if (std::string_view("?,[]{}#&*!|>%@`").find(text[0]) != std::string_view::npos) return std::nullopt;
    if (text[0] == '-' && (text.size() == 1 || text[1] == ' ')) return std::nullopt;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '#' && i > 0 && text[i - 1] == ' ') return std::nullopt;
      if (text[i] == ':' && (i + 1 == text.size() || text[i + 1] == ' ')) {
        std::string_view key = text.substr(0, i);
        while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
        if (key.empty()) return std::nullopt;
        return KeyLine{std::string(key), text.substr(i + 1)};
      }
    }
    return std::nullopt;
  }

  Status enter() {
    if (++m_depth > k_max_depth) return error(Errc::malformed, "nesting deeper than 64 levels");
    return {};
  }

  Result<Node> mapping(std::size_t column) {
    VPS_CHECK(enter());
    Node map = Node::mapping();
    std::set<std::string> seen;
    auto add = [&](Node c) { map.entries.push_back(Entry{"", std::move(c)}); };
    while (true) {
      skip_insignificant();
      if (at_end() || indent() < column) break;
      if (indent() > column) return error(Errc::malformed, "unexpected indentation");
      if (is_sequence_line()) break;
      auto entry = key_line(content());
      if (!entry) return error(Errc::malformed, "expected 'key: value'");
      take_pending(0, true, add);
      if (auto plain = resolve_plain(entry->key); content()[0] != '"' && content()[0] != '\'' &&
                                                  (!plain || plain->kind != Kind::string))
        return error(Errc::unsupported, "mapping key '" + entry->key + "' is not a string");
      if (!seen.insert(entry->key).second) return error(Errc::malformed, "duplicate key '" + entry->key + "'");
      std::size_t slot = map.entries.size();
      Node value = VPS_TRY(inline_value(entry->rest, column, true, [&](Node c) {
        map.entries.insert(map.entries.begin() + static_cast<std::ptrdiff_t>(slot), Entry{"", std::move(c)});
      }));
      map.entries.push_back(Entry{std::move(entry->key), std::move(value)});
    }
    take_pending(column, false, add);
    --m_depth;
    return map;
  }

  Result<Node> sequence(std::size_t column) {
    VPS_CHECK(enter());
    Node seq = Node::sequence();
    auto add = [&](Node c) { seq.items.push_back(std::move(c)); };
    while (true) {
      skip_insignificant();
      if (at_end() || indent() < column) break;
      if (indent() > column) return error(Errc::malformed, "unexpected indentation");
      if (!is_sequence_line()) break;
      take_pending(0, true, add);
      std::size_t start = indent() + 1;
      std::size_t at = start;
      while (at < line().size() && line()[at] == ' ') ++at;
      std::string_view rest = line().substr(at);
      if (!rest.empty() && rest[0] != '#' && (key_line(rest) || (rest[0] == '-' && (rest.size() == 1 || rest[1] == ' ')))) {
        m_offset = at;  // the item is a collection starting on this line, at this column
        auto nested = key_line(rest) ? mapping(at) : sequence(at);
        if (!nested) return fail(std::move(nested).error());
        seq.items.push_back(std::move(*nested));
      } else {
        seq.items.push_back(VPS_TRY(inline_value(line().substr(start), column, false, add)));
      }
    }
    take_pending(column, false, add);
    --m_depth;
    return seq;
  }

  // The value after "key:" or "-" on the current line (consumes it and any continuation).
  template <class AddComment>
  Result<Node> inline_value(std::string_view rest, std::size_t owner, bool in_mapping, AddComment add_comment) {
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    if (rest.empty() || rest[0] == '#') {
      if (!rest.empty()) add_comment(Node::comment(rest.substr(1)));
      advance();
      return block_node(owner, in_mapping);
    }
    if (rest[0] == '|' || rest[0] == '>') return block_scalar(rest, owner);
    if (rest[0] == '&' || rest[0] == '*' || rest[0] == '!')
      return error(Errc::unsupported, "anchors, aliases and tags are not supported");
    Node value;
    std::string_view tail;
    if (rest[0] == '[' || rest[0] == '{') {
      if (rest.substr(0, 2) != "[]" && rest.substr(0, 2) != "{}")
        return error(Errc::unsupported, "flow collections are not supported");
      value = rest[0] == '[' ? Node::sequence() : Node::mapping();
      tail = rest.substr(2);
    } else if (rest[0] == '"' || rest[0] == '\'') {
      std::size_t used = 0;
      auto text = parse_quoted(rest, used);
      if (!text) return error(text.error().code, text.error().message);
      value = Node(Kind::string, std::string_view(text->data(), text->size()));
      tail = rest.substr(used);
    } else {
      return plain_value(rest, owner, add_comment);
    }
    while (!tail.empty() && tail[0] == ' ') tail.remove_prefix(1);
    if (!tail.empty() && tail[0] != '#') return error(Errc::malformed, "unexpected text after value");
    if (!tail.empty() && tail.size() == rest.size()) return error(Errc::malformed, "comment needs a space before '#'");
    if (!tail.empty()) add_comment(Node::comment(tail.substr(1)));
    advance();
    return value;
  }

  template <class AddComment>
  Result<Node> plain_value(std::string_view rest, std::size_t owner, AddComment add_comment) {
    std::size_t cut = rest.size();
    for (std::size_t i = 1; i < rest.size(); ++i)
      if (rest[i] == '#' && rest[i - 1] == ' ') {
        cut = i;
        break;
      }
    std::string_view text = rest.substr(0, cut);
    std::string_view comment = cut < rest.size() ? rest.substr(cut + 1) : std::string_view();
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.find(": ") != std::string_view::npos || text.back() == ':')
      return error(Errc::malformed, "':' in a plain value (quote it)");
    bool had_comment = cut < rest.size();
    if (had_comment) add_comment(Node::comment(comment));
    advance();
    SecretString joined(text.begin(), text.end());
    bool continued = false;
    // Continuation lines of a multi-line plain scalar (go-yaml v2 folds long values).
    while (!had_comment && !at_end()) {
      std::size_t blank = 0;
      std::size_t look = m_pos;
      while (look < m_lines.size() && m_lines[look].find_first_not_of(' ') == std::string_view::npos) ++blank, ++look;
      if (look >= m_lines.size()) break;
      std::string_view next = m_lines[look];
      std::size_t ind = next.find_first_not_of(' ');
      std::string_view body = next.substr(ind);
      if (ind <= owner || body[0] == '#' || key_line(body) || (body[0] == '-' && (body.size() == 1 || body[1] == ' ')))
        break;
      if (body.find(" #") != std::string_view::npos || body.find(": ") != std::string_view::npos)
        return error(Errc::unsupported, "comment or ':' inside a multi-line plain scalar");
      while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
      if (blank == 0) joined.push_back(' ');
      else joined.append(blank, '\n');
      joined.append(body.begin(), body.end());
      continued = true;
      m_pos = look;
      advance();
    }
    if (continued) return Node(Kind::string, std::string_view(joined.data(), joined.size()));
    auto resolved = resolve_plain(text);
    if (!resolved) return error(resolved.error().code, resolved.error().message);
    return std::move(*resolved);
  }

  // A value that starts on the next line: a nested collection, or null.
  Result<Node> block_node(std::size_t owner, bool in_mapping) {
    skip_insignificant();
    if (at_end()) return Node();
    std::size_t ind = indent();
    if (is_sequence_line() && (ind > owner || (in_mapping && ind == owner))) return sequence(ind);
    if (ind <= owner) return Node();
    if (key_line(content())) return mapping(ind);
    return inline_value(content(), owner, false, [](Node) {});
  }

  Result<Node> block_scalar(std::string_view header, std::size_t owner);

  std::vector<std::string_view> m_lines;
  std::size_t m_first_line;
  std::size_t m_pos = 0;
  std::size_t m_offset = 0;
  std::size_t m_depth = 0;
  std::vector<Pending> m_pending;
};

Result<Node> Reader::block_scalar(std::string_view header, std::size_t owner) {
  bool folded = header[0] == '>';
  char chomp = 'c';
  std::size_t explicit_indent = 0;
  std::size_t i = 1;
  for (; i < header.size() && header[i] != ' '; ++i) {
    char c = header[i];
    if ((c == '-' || c == '+') && chomp == 'c') chomp = c;
    else if (c >= '1' && c <= '9' && explicit_indent == 0) explicit_indent = static_cast<std::size_t>(c - '0');
    else return error(Errc::malformed, "bad block scalar header");
  }
  std::string_view tail = header.substr(i);
  while (!tail.empty() && tail[0] == ' ') tail.remove_prefix(1);
  if (!tail.empty() && tail[0] != '#') return error(Errc::malformed, "bad block scalar header");
  advance();
  std::size_t block = explicit_indent ? owner + explicit_indent : 0;
  std::vector<std::string_view> body;
  while (!at_end()) {
    std::string_view l = line();
    std::size_t ind = l.find_first_not_of(' ');
    if (ind == std::string_view::npos) {  // blank (or spaces only)
      body.push_back(l.size() > block && block ? l.substr(block) : std::string_view());
      advance();
      continue;
    }
    if (block == 0) {
      if (ind <= owner) break;
      block = ind;
    }
    if (ind < block) break;
    body.push_back(l.substr(block));
    advance();
  }
  std::size_t trailing = 0;
  while (trailing < body.size() && body[body.size() - 1 - trailing].empty()) ++trailing;
  std::size_t lines = body.size() - trailing;
  SecretString text;
  for (std::size_t n = 0; n < lines; ++n) {
    if (folded && n > 0 && !body[n].empty() && body[n][0] != ' ' && !body[n - 1].empty() && body[n - 1][0] != ' ')
      text.back() = ' ';  // fold the previous line break
    text.append(body[n].begin(), body[n].end());
    text.push_back('\n');
  }
  if (chomp == '-') {
    while (!text.empty() && text.back() == '\n') text.pop_back();
  } else if (chomp == '+') {
    text.append(trailing, '\n');
  }
  return Node(Kind::string, std::string_view(text.data(), text.size()));
}

}  // namespace

Result<std::vector<Document>> parse(std::string_view text) {
  if (text.size() > k_max_file_size) return fail(Errc::malformed, "parsing YAML: file larger than 16 MiB");
  if (text.find('\r') != std::string_view::npos) return fail(Errc::malformed, "parsing YAML: CR characters are not accepted");
  if (text.find('\0') != std::string_view::npos) return fail(Errc::malformed, "parsing YAML: NUL byte");
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  // Anywhere else a BOM would be part of a key or value here, while go-yaml skips it at the start
  // of a line and refuses it elsewhere: "\n<BOM>y:\ny:" was two keys to us and one duplicated key
  // to sops, and our own encrypted output then failed to load (found by sops_yaml_fuzz).
  if (auto bom = text.find("\xEF\xBB\xBF"); bom != std::string_view::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bom), '\n');
    return fail(Errc::malformed, "parsing YAML: line " + std::to_string(line) +
                                     ": byte order mark (U+FEFF) after the start of the file");
  }
  std::vector<std::vector<std::string_view>> chunks(1);
  std::vector<std::size_t> first_lines{1};
  std::size_t number = 0;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    ++number;
    std::size_t tab = l.find('\t');
    if (tab != std::string_view::npos && l.find_first_not_of(' ') == tab)
      return fail(Errc::malformed, "parsing YAML: line " + std::to_string(number) + ": tab in indentation");
    if (l == "---" || l.substr(0, 4) == "--- ") {
      if (l.find_first_not_of(' ', 3) != std::string_view::npos && l[l.find_first_not_of(' ', 3)] != '#')
        return fail(Errc::unsupported, "parsing YAML: line " + std::to_string(number) + ": content after '---'");
      chunks.emplace_back();
      first_lines.push_back(number + 1);
    } else if (l == "..." || l.substr(0, 1) == "%") {
      return fail(Errc::unsupported, "parsing YAML: line " + std::to_string(number) + ": directives and '...' are not supported");
    } else {
      chunks.back().push_back(l);
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  // Text before the first "---" that holds only comments belongs to the first document.
  auto only = [](const std::vector<std::string_view>& ls, bool comments_ok) {
    for (auto l : ls) {
      auto i = l.find_first_not_of(' ');
      if (i != std::string_view::npos && !(comments_ok && l[i] == '#')) return false;
    }
    return true;
  };
  if (chunks.size() > 1 && only(chunks[0], true)) {
    chunks[1].insert(chunks[1].begin(), chunks[0].begin(), chunks[0].end());
    first_lines[1] = first_lines[0];
    chunks.erase(chunks.begin());
    first_lines.erase(first_lines.begin());
  }
  std::vector<Document> documents;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (chunks.size() == 1 && only(chunks[i], false)) break;  // an empty file has no documents
    Reader reader(std::move(chunks[i]), first_lines[i]);
    documents.push_back(VPS_TRY(reader.document()));
  }
  return documents;
}

}  // namespace vps::formats::sops::yaml
