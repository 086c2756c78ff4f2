#pragma once
// The "sops" metadata block: key groups (age usable here; pgp/kms/gcp_kms/azure_kv/hc_vault only
// reported), lastmodified, mac, crypt rules and version. Parsed from the generic tree so every
// store shares it (dotenv/ini first unflatten their "pgp__list_0__map_enc" keys).

#include <optional>
#include <string>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops {

inline constexpr std::string_view k_version = "3.9.4";  // the sops format version we write

struct AgeKey {
  std::string recipient;  // "age1..." (or "ssh-ed25519 ..." as sops-age writes it)
  std::string enc;        // ASCII-armored age file holding the 32-byte data key
};

struct KeyGroup {
  std::vector<AgeKey> age;
  std::vector<std::string> others;  // "pgp FBC7...", "kms arn:...": present but not usable here
};

struct CryptRules {
  std::string unencrypted_suffix;
  std::string encrypted_suffix;
  std::string unencrypted_regex;
  std::string encrypted_regex;
  std::string unencrypted_comment_regex;
  std::string encrypted_comment_regex;
  bool mac_only_encrypted = false;
};

struct Metadata {
  std::vector<KeyGroup> groups;
  bool uses_key_groups = false;  // "key_groups:" form (several groups, Shamir)
  int shamir_threshold = 0;
  std::string last_modified;  // as written in the file
  std::string mac;            // ENC[...] or "" when absent
  std::string version;
  CryptRules rules;
  Node raw;  // the original block, kept so a rewrap changes only the age keys
};

// Errors are Errc::malformed ("sops metadata: ...").
Result<Metadata> parse_metadata(const Node& block);

// Metadata for a file we encrypt (age keys only), in sops' key order.
Node metadata_node(const Metadata& metadata);

// lastmodified as sops uses it for the MAC's additional data: Go time.Parse(RFC3339) then
// Format(RFC3339), i.e. fractional seconds dropped and a zero offset written "Z".
Result<std::string> normalize_rfc3339(std::string_view text);

}  // namespace vps::formats::sops
