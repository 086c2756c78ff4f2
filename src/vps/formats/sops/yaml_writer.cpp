// Writes trees as go-yaml v3 does with SetIndent(4): nested collections 4 columns deeper,
// "- " items whose mappings continue 2 columns after the dash, multi-line strings as literal
// blocks, comments as "#text" lines in place.

#include <vps/formats/sops/yaml_store.hpp>

#include <vps/formats/sops/yaml_scalar.hpp>

namespace vps::formats::sops::yaml {
namespace {

class Writer {
 public:
  SecretString take() { return std::move(m_out); }

  void mapping(const Node& map, std::size_t indent, bool first_inline, std::size_t block_base) {
    bool first = true;
    for (const auto& entry : map.entries) {
      if (!(first && first_inline)) pad(indent);
      first = false;
      if (entry.is_comment()) {
        comment(entry.value);
        continue;
      }
      key(entry.key);
      m_out += ':';
      value_after_key(entry.value, indent, block_base);
    }
  }

  void sequence(const Node& seq, std::size_t indent, bool first_inline) {
    bool first = true;
    for (const auto& item : seq.items) {
      if (!(first && first_inline)) pad(indent);
      first = false;
      if (item.is_comment()) {
        comment(item);
        continue;
      }
      m_out += "- ";
      if (item.kind == Kind::mapping && !item.entries.empty()) {
        mapping(item, indent + 2, true, indent);
      } else if (item.kind == Kind::sequence && !item.items.empty()) {
        sequence(item, indent + 2, true);
      } else {
        scalar(item, indent);
      }
    }
  }

 private:
  void pad(std::size_t n) { m_out.append(n, ' '); }

  void comment(const Node& c) {
    m_out += '#';
    m_out.append(c.text.begin(), c.text.end());
    m_out += '\n';
  }

  void key(const std::string& k) {
    if (plain_safe(k)) m_out.append(k.begin(), k.end());
    else {
      auto q = double_quoted(k);
      m_out.append(q.begin(), q.end());
    }
  }

  void value_after_key(const Node& value, std::size_t indent, std::size_t block_base) {
    if (value.kind == Kind::mapping && !value.entries.empty()) {
      m_out += '\n';
      mapping(value, indent + 4, false, indent + 4);
    } else if (value.kind == Kind::sequence && !value.items.empty()) {
      m_out += '\n';
      sequence(value, indent + 4, false);
    } else {
      m_out += ' ';
      scalar(value, block_base);
    }
  }

  // Multi-line text that a literal block reproduces exactly.
  static bool literal_ok(const SecretString& t) {
    if (t.find('\n') == SecretString::npos || t.front() == ' ' || t.front() == '\n') return false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(t[i]);
      if ((c < 0x20 && c != '\n') || c == 0x7f) return false;
      if (c == ' ' && (i + 1 == t.size() || t[i + 1] == '\n')) return false;  // trailing spaces
    }
    return true;
  }

  void scalar(const Node& node, std::size_t block_base) {
    if (node.kind == Kind::mapping) {
      m_out += "{}\n";
      return;
    }
    if (node.kind == Kind::sequence) {
      m_out += "[]\n";
      return;
    }
    if ((node.kind == Kind::string || node.kind == Kind::bytes) && literal_ok(node.text)) {
      literal(node.text, block_base + 4);
      return;
    }
    SecretString text = scalar_text(node);
    m_out.append(text.begin(), text.end());
    m_out += '\n';
  }

  void literal(const SecretString& t, std::size_t indent) {
    std::size_t newlines = 0;
    while (newlines < t.size() && t[t.size() - 1 - newlines] == '\n') ++newlines;
    m_out += newlines == 0 ? "|-\n" : newlines == 1 ? "|\n" : "|+\n";
    std::size_t body_end = t.size() - newlines;
    std::size_t start = 0;
    while (start < body_end) {
      std::size_t end = t.find('\n', start);
      if (end == SecretString::npos || end > body_end) end = body_end;
      if (end > start) pad(indent);
      m_out.append(t.begin() + static_cast<std::ptrdiff_t>(start), t.begin() + static_cast<std::ptrdiff_t>(end));
      m_out += '\n';
      start = end + 1;
    }
    for (std::size_t i = 1; i < newlines; ++i) m_out += '\n';
  }

  SecretString m_out;
};

}  // namespace

SecretString emit(const std::vector<Document>& documents) {
  SecretString out;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (i > 0) out += "---\n";
    if (documents[i].entries.empty()) {
      out += "{}\n";
      continue;
    }
    Writer w;
    w.mapping(documents[i], 0, false, 0);
    SecretString part = w.take();
    out.append(part.begin(), part.end());
  }
  return out;
}

}  // namespace vps::formats::sops::yaml
