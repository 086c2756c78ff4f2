#include <vps/formats/sops/sops.hpp>

#include <vps/base/clock.hpp>
#include <vps/base/text.hpp>

#include <vps/crypto/random.hpp>
#include <vps/formats/sops/crypt_rules.hpp>
#include <vps/formats/sops/json_store.hpp>
#include <vps/formats/sops/mac.hpp>
#include <vps/formats/sops/tree_crypt.hpp>
#include <vps/formats/sops/value.hpp>
#include <vps/formats/sops/yaml_store.hpp>
#include <vps/formats/sops/yaml_scalar.hpp>

namespace vps::formats::sops {
namespace {

struct Step {
  bool index = false;
  std::string key;
  std::size_t position = 0;
};

// A list index in an extract path (text::parse_decimal: digits only, bounded).
std::optional<std::size_t> index_of(std::string_view s) {
  const auto n = text::parse_decimal(s, 0, 999'999'999);
  return n ? std::optional<std::size_t>(static_cast<std::size_t>(*n)) : std::nullopt;
}

// "a/b/0" or '["a"]["b"][0]'.
Result<std::vector<Step>> parse_path(std::string_view path) {
  std::vector<Step> steps;
  auto bad = [&] { return fail(Errc::usage, "invalid extract path '" + std::string(path) + "'"); };
  if (!path.empty() && path[0] == '[') {
    for (std::size_t i = 0; i < path.size();) {
      if (path[i] != '[') return bad();
      auto close = path.find(']', i);
      if (close == std::string_view::npos) return bad();
      std::string_view inner = path.substr(i + 1, close - i - 1);
      if (inner.size() >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner.back() == inner[0])
        steps.push_back(Step{false, std::string(inner.substr(1, inner.size() - 2)), 0});
      else if (const auto index = index_of(inner))
        steps.push_back(Step{true, {}, *index});
      else
        return bad();
      i = close + 1;
    }
    return steps;
  }
  std::size_t start = 0;
  while (start <= path.size() && !path.empty()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty()) return bad();
    const auto index = index_of(part);
    steps.push_back(Step{index.has_value(), std::string(part), index.value_or(0)});
    start = end + 1;
  }
  return steps;
}

const Node* step_into(const Node& node, const Step& step) {
  if (node.kind == Kind::mapping) return node.find(step.key);
  if (node.kind == Kind::sequence && step.index) {
    std::size_t n = 0;
    for (const auto& item : node.items) {
      if (item.is_comment()) continue;
      if (n++ == step.position) return &item;
    }
  }
  return nullptr;
}

SecretString render_value(const Node& node, Format format) {
  if (node.kind == Kind::string || node.kind == Kind::bytes) return node.text;
  if (node.is_scalar()) {
    if (format == Format::json || format == Format::binary || format == Format::ini) return json::emit(node);
    return yaml::scalar_text(node);
  }
  if (format == Format::yaml && node.kind == Kind::mapping) return yaml::emit({node});
  SecretString out = json::emit(node);
  out += '\n';
  return out;
}

}  // namespace

Result<EncryptedFile> load(std::string_view text, Format format) { return load_encrypted(text, format); }

Result<PlainFile> decrypt_with_key(const EncryptedFile& file, ByteView data_key) {
  if (data_key.size() != k_data_key_size) return fail(Errc::malformed, "sops data key must be 32 bytes");
  PlainFile plain{file.format, file.documents};
  auto rules = VPS_TRY(CryptRuleSet::compile(file.metadata.rules));
  std::string mac = VPS_TRY(decrypt_documents(plain.documents, rules, data_key));
  VPS_CHECK(verify_mac(file.metadata.mac, mac, data_key, file.metadata.last_modified));
  return plain;
}

Result<PlainFile> decrypt(std::string_view text, Format format, const std::vector<const age::Identity*>& identities) {
  EncryptedFile file = VPS_TRY(load(text, format));
  SecretBytes key = VPS_TRY(unwrap_data_key(file.metadata, identities));
  return decrypt_with_key(file, key);
}

Result<SecretString> render(const PlainFile& file) { return emit_plain(file.documents, file.format); }

Result<SecretString> extract(const PlainFile& file, std::string_view path) {
  if (path.empty()) return render(file);
  if (file.format == Format::binary) return fail(Errc::usage, "binary sops files have no keys to extract");
  auto steps = VPS_TRY(parse_path(path));
  for (const auto& doc : file.documents) {
    const Node* at = &doc;
    for (const auto& step : steps)
      if (!(at = step_into(*at, step))) break;
    if (at) return render_value(*at, file.format);
  }
  return fail(Errc::missing, "no value at '" + std::string(path) + "' in the sops file");
}

Result<std::string> encrypt_with_key(std::string_view plaintext, Format format, ByteView data_key,
                                     std::vector<AgeKey> age_keys, const EncryptOptions& options) {
  if (data_key.size() != k_data_key_size) return fail(Errc::internal, "sops data key must be 32 bytes");
  auto documents = VPS_TRY(load_plain(plaintext, format));
  if (documents.empty()) return fail(Errc::malformed, "nothing to encrypt (empty file)");
  Metadata metadata;
  metadata.rules = options.rules;
  const auto& r = metadata.rules;
  if (r.unencrypted_suffix.empty() && r.encrypted_suffix.empty() && r.unencrypted_regex.empty() &&
      r.encrypted_regex.empty())
    metadata.rules.unencrypted_suffix = "_unencrypted";
  metadata.last_modified = options.last_modified.empty() ? clock::utc_rfc3339() : options.last_modified;
  metadata.last_modified = VPS_TRY(normalize_rfc3339(metadata.last_modified));
  metadata.version = std::string(k_version);
  metadata.groups.push_back(KeyGroup{std::move(age_keys), {}});
  auto rules = VPS_TRY(CryptRuleSet::compile(metadata.rules));
  std::string mac = VPS_TRY(encrypt_documents(documents, rules, data_key));
  metadata.mac = VPS_TRY(encrypt_mac(mac, data_key, metadata.last_modified));
  return emit_encrypted(documents, metadata_node(metadata), format);
}

Result<std::string> encrypt(std::string_view plaintext, Format format, const std::vector<const age::Recipient*>& recipients,
                            const EncryptOptions& options) {
  SecretBytes key(k_data_key_size);
  crypto::random_bytes(key);
  auto age_keys = VPS_TRY(wrap_data_key(key, recipients));
  return encrypt_with_key(plaintext, format, key, std::move(age_keys), options);
}

Result<std::string> rewrap(std::string_view text, Format format, const std::vector<const age::Recipient*>& recipients,
                           const std::vector<const age::Identity*>& identities) {
  EncryptedFile file = VPS_TRY(load(text, format));
  if (file.metadata.uses_key_groups) return fail(Errc::unsupported, "rewrapping files with key_groups is not supported");
  SecretBytes key = VPS_TRY(unwrap_data_key(file.metadata, identities));
  VPS_TRY(decrypt_with_key(file, key));  // never rewrap a file whose MAC does not verify
  auto age_keys = VPS_TRY(wrap_data_key(key, recipients));
  Node age_list = Node::sequence();
  for (const auto& k : age_keys) {
    Node item = Node::mapping();
    item.entries.push_back(Entry{"recipient", Node::string(k.recipient)});
    item.entries.push_back(Entry{"enc", Node::string(k.enc)});
    age_list.items.push_back(std::move(item));
  }
  Node block = file.metadata.raw;
  if (Node* existing = block.find("age")) {
    *existing = std::move(age_list);
  } else {
    block.entries.insert(block.entries.begin(), Entry{"age", std::move(age_list)});
  }
  return emit_encrypted(file.documents, block, format);
}

}  // namespace vps::formats::sops
