#include <vps/formats/sops/rotate.hpp>

#include <algorithm>

#include <vps/base/text.hpp>
#include <vps/base/clock.hpp>
#include <vps/crypto/random.hpp>
#include <vps/formats/sops/crypt_rules.hpp>
#include <vps/formats/sops/mac.hpp>
#include <vps/formats/sops/sops.hpp>
#include <vps/formats/sops/tree_crypt.hpp>
#include <vps/formats/sops/value.hpp>

namespace vps::formats::sops {
namespace {

Node age_list(const std::vector<AgeKey>& keys) {
  Node list = Node::sequence();
  for (const auto& k : keys) {
    Node item = Node::mapping();
    item.entries.push_back(Entry{"recipient", Node::string(k.recipient)});
    item.entries.push_back(Entry{"enc", Node::string(k.enc)});
    list.items.push_back(std::move(item));
  }
  return list;
}

// Replaces block[key] (appended when absent) and keeps every other entry as the file had it.
void set_entry(Node& block, std::string_view key, Node value) {
  if (Node* existing = block.find(key)) {
    *existing = std::move(value);
    return;
  }
  block.entries.push_back(Entry{std::string(key), std::move(value)});
}

class PathCollector {
 public:
  std::vector<std::string> paths;

  void value(const Node& node, std::size_t depth) {
    if (depth > k_max_depth) return;
    if (node.kind == Kind::mapping) {
      for (const auto& entry : node.entries) {
        if (entry.is_comment()) continue;
        m_path.push_back(entry.key);
        value(entry.value, depth + 1);
        m_path.pop_back();
      }
    } else if (node.kind == Kind::sequence) {
      std::size_t n = 0;
      for (const auto& item : node.items) {
        if (item.is_comment()) continue;
        m_path.push_back(std::to_string(n++));
        value(item, depth + 1);
        m_path.pop_back();
      }
    } else if (node.kind == Kind::string && looks_encrypted(std::string_view(node.text.data(), node.text.size()))) {
      std::string path;
      for (const auto& part : m_path) path += (path.empty() ? "" : "/") + part;
      if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(std::move(path));
    }
  }

 private:
  std::vector<std::string> m_path;
};

}  // namespace

Result<std::string> rotate(std::string_view text, Format format, const std::vector<const age::Recipient*>& recipients,
                           const std::vector<const age::Identity*>& identities, const RotateOptions& options) {
  if (recipients.empty()) return fail(Errc::usage, "rotating the data key: no age recipients left to wrap it for");
  EncryptedFile file = VPS_TRY(load(text, format));
  if (file.metadata.uses_key_groups || file.metadata.groups.size() != 1)
    return fail(Errc::unsupported, "rotating the data key of files with sops key_groups is not supported");
  const RecipientReport keys = sops::recipients(file.metadata);
  if (!keys.unusable.empty())
    return fail(Errc::unsupported, "the data key is also wrapped for " + text::join(keys.unusable) +
                                       ", which cannot be re-wrapped here; rotate with `sops rotate` where those "
                                       "keys are available (nothing was changed)");
  SecretBytes old_key = VPS_TRY(unwrap_data_key(file.metadata, identities));
  PlainFile plain = VPS_TRY(decrypt_with_key(file, old_key));  // verifies the MAC first

  SecretBytes new_key(k_data_key_size);
  crypto::random_bytes(new_key);
  const auto rules = VPS_TRY(CryptRuleSet::compile(file.metadata.rules));
  std::vector<Document> documents = std::move(plain.documents);
  const std::string mac = VPS_TRY(encrypt_documents(documents, rules, new_key));
  // sops stores lastmodified as Go's time.RFC3339 of a UTC time: no fraction, "Z".
  const std::string last_modified =
      VPS_TRY(normalize_rfc3339(options.last_modified.empty() ? clock::utc_rfc3339() : options.last_modified));
  const std::string mac_enc = VPS_TRY(encrypt_mac(mac, new_key, last_modified));
  const std::vector<AgeKey> wrapped = VPS_TRY(wrap_data_key(new_key, recipients));

  Node block = file.metadata.raw;
  set_entry(block, "age", age_list(wrapped));
  set_entry(block, "lastmodified", Node::string(last_modified));
  set_entry(block, "mac", Node::string(mac_enc));
  return emit_encrypted(documents, block, format);
}

std::vector<std::string> encrypted_value_paths(const EncryptedFile& file) {
  PathCollector collector;
  for (const auto& doc : file.documents) collector.value(doc, 0);
  return collector.paths;
}

}  // namespace vps::formats::sops
