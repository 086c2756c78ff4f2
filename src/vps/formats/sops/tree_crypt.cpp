#include <vps/formats/sops/tree_crypt.hpp>

#include <vps/formats/sops/mac.hpp>
#include <vps/formats/sops/value.hpp>

namespace vps::formats::sops {
namespace {

class Walker {
 public:
  Walker(bool encrypting, const CryptRuleSet& rules, ByteView key)
      : m_encrypting(encrypting), m_rules(rules), m_key(key), m_mac(rules.mac_only_encrypted()) {}

  Status document(Node& doc) {
    if (doc.kind != Kind::mapping) return fail(Errc::malformed, "document is not a mapping");
    return mapping(doc);
  }
  std::string finish() { return m_mac.finish_hex(); }

 private:
  Status value(Node& node) {
    if (node.kind == Kind::mapping) return nested([&] { return mapping(node); });
    if (node.kind == Kind::sequence) return nested([&] { return sequence(node); });
    if (node.kind == Kind::null) return {};  // sops neither hashes nor encrypts nulls
    return leaf(node);
  }

  template <class F>
  Status nested(F&& body) {
    if (m_stack.size() >= k_max_depth) return fail(Errc::malformed, "nesting deeper than 64 levels");
    return body();
  }

  Status mapping(Node& map) {
    m_stack.emplace_back();
    for (auto& entry : map.entries) {
      if (entry.is_comment()) {
        m_stack.back().push_back(std::string(entry.value.text.begin(), entry.value.text.end()));
        VPS_CHECK(leaf(entry.value));
        continue;
      }
      m_path.push_back(entry.key);
      auto status = value(entry.value);
      m_path.pop_back();
      if (!status) return status;
      m_stack.back().clear();
    }
    m_stack.pop_back();
    return {};
  }

  Status sequence(Node& seq) {
    m_stack.emplace_back();
    for (auto& item : seq.items) {
      bool comment = item.is_comment();
      if (comment) m_stack.back().push_back(std::string(item.text.begin(), item.text.end()));
      VPS_CHECK(value(item));
      if (!comment) m_stack.back().clear();
    }
    m_stack.pop_back();
    return {};
  }

  Status leaf(Node& node) {
    bool comment = node.is_comment();
    bool encrypted = m_rules.should_encrypt(m_path, m_stack, comment);
    std::string aad = path_aad(m_path);
    if (m_encrypting) {
      if (!comment && (!m_rules.mac_only_encrypted() || encrypted)) m_mac.add(node);
      if (!encrypted) return {};
      auto ciphertext = encrypt_value(node, m_key, aad);
      if (!ciphertext) return fail(std::move(ciphertext).error().context("encrypting '" + aad + "'"));
      node = comment ? Node::comment(*ciphertext) : Node::string(*ciphertext);
      return {};
    }
    if (encrypted) VPS_CHECK(decrypt_leaf(node, comment, aad));
    if (!comment && (!m_rules.mac_only_encrypted() || encrypted)) m_mac.add(node);
    return {};
  }

  Status decrypt_leaf(Node& node, bool comment, const std::string& aad) {
    std::string_view text(node.text.data(), node.text.size());
    if (comment && !looks_encrypted(text)) return {};  // a clear comment (older sops left them so)
    if (!comment && node.kind != Kind::string)
      return fail(Errc::malformed, "value at '" + aad + "' should be encrypted but is a " +
                                       std::string(kind_name(node.kind)));
    if (!comment && !text.empty() && !looks_encrypted(text))
      return fail(Errc::malformed, "value at '" + aad + "' should be encrypted but is clear text");
    auto plain = decrypt_value(text, m_key, aad);
    if (!plain) return fail(std::move(plain).error().context("decrypting value at '" + aad + "'"));
    if (comment != plain->is_comment())
      return fail(Errc::malformed, "decrypting value at '" + aad + "': comment/value type mismatch");
    node = std::move(*plain);
    return {};
  }

  bool m_encrypting;
  const CryptRuleSet& m_rules;
  ByteView m_key;
  MacHasher m_mac;
  std::vector<std::string> m_path;
  CommentStack m_stack;
};

template <class W>
Result<std::string> walk_all(std::vector<Document>& documents, W& walker) {
  for (auto& doc : documents) VPS_CHECK(walker.document(doc));
  return walker.finish();
}

}  // namespace

std::string path_aad(const std::vector<std::string>& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i) out += ':';
    out += path[i];
  }
  return out + ":";
}

Result<std::string> decrypt_documents(std::vector<Document>& documents, const CryptRuleSet& rules, ByteView key) {
  Walker walker(false, rules, key);
  return walk_all(documents, walker);
}

Result<std::string> encrypt_documents(std::vector<Document>& documents, const CryptRuleSet& rules, ByteView key) {
  Walker walker(true, rules, key);
  return walk_all(documents, walker);
}

}  // namespace vps::formats::sops
