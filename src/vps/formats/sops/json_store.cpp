// JSON documents <-> trees, as sops' JSON store sees them through encoding/json's tokenizer:
// key order kept, every number a float64, a top-level object required. The parser is strict
// (RFC 8259, no duplicate keys, depth <= 64); the writer matches json.Indent with a tab.

#include <vps/formats/sops/json_store.hpp>

#include <set>

#include <vps/base/hex.hpp>
#include <vps/formats/sops/value.hpp>

namespace vps::formats::sops::json {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : m_text(text) {}

  Result<Node> document() {
    skip_space();
    if (peek() != '{') return error("sops JSON files must hold a top-level object");
    Node root = VPS_TRY(value(0));
    skip_space();
    if (m_pos != m_text.size()) return error("unexpected data after the top-level object");
    return root;
  }

 private:
  char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
  void skip_space() {
    while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n' ||
                                     m_text[m_pos] == '\r'))
      ++m_pos;
  }
  tl::unexpected<Error> error(std::string_view what) const {
    return fail(Errc::malformed, "parsing JSON: offset " + std::to_string(m_pos) + ": " + std::string(what));
  }
  bool literal(std::string_view word) {
    if (m_text.substr(m_pos, word.size()) != word) return false;
    m_pos += word.size();
    return true;
  }

  Result<Node> value(std::size_t depth) {
    if (depth > k_max_depth) return error("nesting deeper than 64 levels");
    skip_space();
    char c = peek();
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') {
      SecretString s = VPS_TRY(string());
      return Node(Kind::string, std::string_view(s.data(), s.size()));
    }
    if (literal("true")) return make_boolean(true);
    if (literal("false")) return make_boolean(false);
    if (literal("null")) return Node();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    return error("unexpected character");
  }

  Result<Node> object(std::size_t depth) {
    ++m_pos;
    Node map = Node::mapping();
    std::set<std::string> seen;
    skip_space();
    if (peek() == '}') {
      ++m_pos;
      return map;
    }
    while (true) {
      skip_space();
      if (peek() != '"') return error("expected a string key");
      SecretString key = VPS_TRY(string());
      std::string k(key.begin(), key.end());
      if (!seen.insert(k).second) return error("duplicate key '" + k + "'");
      skip_space();
      if (peek() != ':') return error("expected ':'");
      ++m_pos;
      Node v = VPS_TRY(value(depth + 1));
      map.entries.push_back(Entry{std::move(k), std::move(v)});
      skip_space();
      if (peek() == ',') {
        ++m_pos;
        continue;
      }
      if (peek() == '}') {
        ++m_pos;
        return map;
      }
      return error("expected ',' or '}'");
    }
  }

  Result<Node> array(std::size_t depth) {
    ++m_pos;
    Node seq = Node::sequence();
    skip_space();
    if (peek() == ']') {
      ++m_pos;
      return seq;
    }
    while (true) {
      seq.items.push_back(VPS_TRY(value(depth + 1)));
      skip_space();
      if (peek() == ',') {
        ++m_pos;
        continue;
      }
      if (peek() == ']') {
        ++m_pos;
        return seq;
      }
      return error("expected ',' or ']'");
    }
  }

  Result<Node> number() {
    std::size_t start = m_pos;
    if (peek() == '-') ++m_pos;
    auto digits = [&] {
      std::size_t s = m_pos;
      while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9') ++m_pos;
      return m_pos - s;
    };
    if (peek() == '0') ++m_pos;
    else if (digits() == 0) return error("bad number");
    if (peek() == '.') {
      ++m_pos;
      if (digits() == 0) return error("bad number");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++m_pos;
      if (peek() == '+' || peek() == '-') ++m_pos;
      if (digits() == 0) return error("bad number");
    }
    auto f = parse_go_float(m_text.substr(start, m_pos - start));
    if (!f) return error("number out of range");
    return make_floating(*f);
  }

  Result<std::uint32_t> hex4() {
    if (m_pos + 4 > m_text.size()) return error("bad \\u escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = m_text[m_pos++];
      auto d = hex::digit_value(c);
      if (!d) return error("bad \\u escape");
      v = v * 16 + static_cast<std::uint32_t>(*d);
    }
    return v;
  }

  Result<SecretString> string() {
    ++m_pos;
    SecretString out;
    while (m_pos < m_text.size()) {
      char c = m_text[m_pos++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return error("control character in string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (m_pos >= m_text.size()) break;
      char e = m_text[m_pos++];
      switch (e) {
        case '"': case '\\': case '/': out.push_back(e); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          std::uint32_t cp = VPS_TRY(hex4());
          if (cp >= 0xD800 && cp < 0xDC00 && m_text.substr(m_pos, 2) == "\\u") {
            m_pos += 2;
            std::uint32_t low = VPS_TRY(hex4());
            if (low < 0xDC00 || low > 0xDFFF) return error("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;  // a lone surrogate, as encoding/json decodes it
          }
          append_utf8(out, cp);
          break;
        }
        default: return error("bad escape");
      }
    }
    return error("unterminated string");
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

class Writer {
 public:
  SecretString take() { return std::move(m_out); }

  void value(const Node& node, std::size_t depth) {
    switch (node.kind) {
      case Kind::mapping: return object(node, depth);
      case Kind::sequence: return array(node, depth);
      case Kind::null: m_out += "null"; return;
      case Kind::boolean:
      case Kind::integer: m_out += node.text; return;
      case Kind::floating: {
        auto f = parse_go_float(std::string_view(node.text.data(), node.text.size()));
        std::string text = f ? format_float_json(*f) : "null";
        m_out.append(text.begin(), text.end());
        return;
      }
      default: string(std::string_view(node.text.data(), node.text.size()));
    }
  }

 private:
  void newline(std::size_t depth) {
    m_out += '\n';
    m_out.append(depth, '\t');
  }

  void object(const Node& map, std::size_t depth) {
    bool any = false;
    m_out += '{';
    for (const auto& entry : map.entries) {
      if (entry.is_comment()) continue;
      if (any) m_out += ',';
      newline(depth + 1);
      string(entry.key);
      m_out += ": ";
      value(entry.value, depth + 1);
      any = true;
    }
    if (any) newline(depth);
    m_out += '}';
  }

  void array(const Node& seq, std::size_t depth) {
    bool any = false;
    m_out += '[';
    for (const auto& item : seq.items) {
      if (item.is_comment()) continue;
      if (any) m_out += ',';
      newline(depth + 1);
      value(item, depth + 1);
      any = true;
    }
    if (any) newline(depth);
    m_out += ']';
  }

  // encoding/json string escaping, HTML-safe as json.Marshal is.
  void string(std::string_view s) {
    m_out += '"';
    for (std::size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '"' || c == '\\') {
        m_out += '\\';
        m_out += static_cast<char>(c);
      } else if (c == '\n') {
        m_out += "\\n";
      } else if (c == '\r') {
        m_out += "\\r";
      } else if (c == '\t') {
        m_out += "\\t";
      } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        m_out += "\\u00";
        m_out.append(hex::byte_digits(c).data(), 2);
      } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                 (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
        m_out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
        i += 2;
      } else {
        m_out += static_cast<char>(c);
      }
    }
    m_out += '"';
  }

  SecretString m_out;
};

}  // namespace

Result<Document> parse(std::string_view text) {
  if (text.size() > k_max_file_size) return fail(Errc::malformed, "parsing JSON: file larger than 16 MiB");
  return Parser(text).document();
}

SecretString emit(const Node& node) {
  Writer writer;
  writer.value(node, 0);
  return writer.take();
}

SecretString emit_document(const Document& document) {
  SecretString out = emit(document);
  out += '\n';
  return out;
}

}  // namespace vps::formats::sops::json
