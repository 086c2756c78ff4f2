#include <vps/formats/sops/metadata.hpp>

#include <vps/base/text.hpp>

#include <ctime>

namespace vps::formats::sops {
namespace {

constexpr std::string_view k_other_key_types[] = {"pgp", "kms", "gcp_kms", "azure_kv", "hc_vault"};

Result<std::string> optional_string(const Node& block, std::string_view key) {
  const Node* value = block.find(key);
  if (!value || value->kind == Kind::null) return std::string();
  if (!value->is_scalar() || value->is_comment())
    return fail(Errc::malformed, "sops metadata: '" + std::string(key) + "' must be a scalar");
  return std::string(value->text.begin(), value->text.end());
}

std::string describe_other(std::string_view type, const Node& key) {
  std::string who;
  for (std::string_view field : {"fp", "arn", "resource_id", "vault_url", "vault_address"}) {
    if (const Node* v = key.find(field); v && v->is_scalar()) {
      who = std::string(v->text.begin(), v->text.end());
      break;
    }
  }
  return std::string(type) + (who.empty() ? "" : " " + who);
}

Result<KeyGroup> parse_group(const Node& group) {
  KeyGroup out;
  if (group.kind != Kind::mapping) return fail(Errc::malformed, "sops metadata: key group must be a mapping");
  if (const Node* age = group.find("age"); age && age->kind != Kind::null) {
    if (age->kind != Kind::sequence) return fail(Errc::malformed, "sops metadata: 'age' must be a list");
    for (const auto& item : age->items) {
      if (item.is_comment()) continue;
      if (item.kind != Kind::mapping) return fail(Errc::malformed, "sops metadata: age key must be a mapping");
      AgeKey key;
      key.recipient = VPS_TRY(optional_string(item, "recipient"));
      key.enc = VPS_TRY(optional_string(item, "enc"));
      if (key.recipient.empty() || key.enc.empty())
        return fail(Errc::malformed, "sops metadata: age key needs 'recipient' and 'enc'");
      out.age.push_back(std::move(key));
    }
  }
  for (std::string_view type : k_other_key_types) {
    const Node* list = group.find(type);
    if (!list || list->kind == Kind::null) continue;
    if (list->kind != Kind::sequence)
      return fail(Errc::malformed, "sops metadata: '" + std::string(type) + "' must be a list");
    for (const auto& item : list->items)
      if (!item.is_comment()) out.others.push_back(describe_other(type, item));
  }
  return out;
}

bool is_digits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

void add(Node& map, std::string_view key, Node value) { map.entries.push_back(Entry{std::string(key), std::move(value)}); }

}  // namespace

Result<Metadata> parse_metadata(const Node& block) {
  if (block.kind != Kind::mapping) return fail(Errc::malformed, "sops metadata: 'sops' must be a mapping");
  Metadata out;
  out.raw = block;
  out.last_modified = VPS_TRY(optional_string(block, "lastmodified"));
  if (out.last_modified.empty()) return fail(Errc::malformed, "sops metadata: 'lastmodified' missing");
  VPS_TRY(normalize_rfc3339(out.last_modified));
  out.mac = VPS_TRY(optional_string(block, "mac"));
  out.version = VPS_TRY(optional_string(block, "version"));
  auto& r = out.rules;
  r.unencrypted_suffix = VPS_TRY(optional_string(block, "unencrypted_suffix"));
  r.encrypted_suffix = VPS_TRY(optional_string(block, "encrypted_suffix"));
  r.unencrypted_regex = VPS_TRY(optional_string(block, "unencrypted_regex"));
  r.encrypted_regex = VPS_TRY(optional_string(block, "encrypted_regex"));
  r.unencrypted_comment_regex = VPS_TRY(optional_string(block, "unencrypted_comment_regex"));
  r.encrypted_comment_regex = VPS_TRY(optional_string(block, "encrypted_comment_regex"));
  std::string mac_only = VPS_TRY(optional_string(block, "mac_only_encrypted"));
  r.mac_only_encrypted = mac_only == "true";
  int rules = !r.unencrypted_suffix.empty() + !r.encrypted_suffix.empty() + !r.unencrypted_regex.empty() +
              !r.encrypted_regex.empty();
  if (rules > 1)
    return fail(Errc::malformed, "sops metadata: more than one of encrypted_suffix, unencrypted_suffix, "
                                 "encrypted_regex, unencrypted_regex");
  if (rules == 0) r.unencrypted_suffix = "_unencrypted";  // sops' default
  std::string threshold = VPS_TRY(optional_string(block, "shamir_threshold"));
  if (!threshold.empty()) {
    const auto n = text::parse_decimal(threshold, 0, 255);
    if (!n) return fail(Errc::malformed, "sops metadata: bad 'shamir_threshold'");
    out.shamir_threshold = static_cast<int>(*n);
  }
  KeyGroup top = VPS_TRY(parse_group(block));
  if (!top.age.empty() || !top.others.empty()) {
    out.groups.push_back(std::move(top));
  } else if (const Node* groups = block.find("key_groups"); groups && groups->kind == Kind::sequence) {
    out.uses_key_groups = true;
    for (const auto& group : groups->items)
      if (!group.is_comment()) out.groups.push_back(VPS_TRY(parse_group(group)));
  }
  if (out.groups.empty()) return fail(Errc::malformed, "sops metadata: no keys found in file");
  return out;
}

Node metadata_node(const Metadata& metadata) {
  Node block = Node::mapping();
  Node age = Node::sequence();
  for (const auto& group : metadata.groups)
    for (const auto& key : group.age) {
      Node item = Node::mapping();
      add(item, "recipient", Node::string(key.recipient));
      add(item, "enc", Node::string(key.enc));
      age.items.push_back(std::move(item));
    }
  add(block, "age", std::move(age));
  add(block, "lastmodified", Node::string(metadata.last_modified));
  add(block, "mac", Node::string(metadata.mac));
  const auto& r = metadata.rules;
  auto optional = [&](std::string_view key, const std::string& value) {
    if (!value.empty()) add(block, key, Node::string(value));
  };
  optional("unencrypted_suffix", r.unencrypted_suffix);
  optional("encrypted_suffix", r.encrypted_suffix);
  optional("unencrypted_regex", r.unencrypted_regex);
  optional("encrypted_regex", r.encrypted_regex);
  optional("unencrypted_comment_regex", r.unencrypted_comment_regex);
  optional("encrypted_comment_regex", r.encrypted_comment_regex);
  if (r.mac_only_encrypted) add(block, "mac_only_encrypted", Node(Kind::boolean, "true"));
  add(block, "version", Node::string(metadata.version.empty() ? std::string(k_version) : metadata.version));
  return block;
}

Result<std::string> normalize_rfc3339(std::string_view t) {
  auto bad = [] { return fail(Errc::malformed, "sops metadata: 'lastmodified' is not an RFC 3339 time"); };
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (t.size() < 20) return bad();
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u})
    if (t[i] < '0' || t[i] > '9') return bad();
  if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':') return bad();
  std::string out(t.substr(0, 19));
  out[10] = 'T';
  std::size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    std::size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == start) return bad();
  }
  std::string_view zone = t.substr(i);
  if (zone == "Z" || zone == "z") return out + "Z";
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !is_digits(zone.substr(1, 2)) ||
      !is_digits(zone.substr(4, 2)))
    return bad();
  if (zone.substr(1) == "00:00") return out + "Z";
  return out + std::string(zone);
}


}  // namespace vps::formats::sops
