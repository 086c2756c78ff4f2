#pragma once
// Which values sops encrypts (sops.go shouldBeEncrypted): a key path component ending in
// unencrypted_suffix (default "_unencrypted") or matching unencrypted_regex stays clear;
// encrypted_suffix / encrypted_regex turn it around; comment regexes look at the comments above.
// Regexes are ECMAScript (std::regex), which agrees with Go RE2 on the usual patterns.

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/sops/metadata.hpp>

namespace vps::formats::sops {

using CommentStack = std::vector<std::vector<std::string>>;

class CryptRuleSet {
 public:
  static Result<CryptRuleSet> compile(const CryptRules& rules);
  bool should_encrypt(const std::vector<std::string>& path, const CommentStack& comments, bool is_comment) const;
  bool mac_only_encrypted() const { return m_rules.mac_only_encrypted; }

 private:
  CryptRules m_rules;
  std::optional<std::regex> m_unencrypted;
  std::optional<std::regex> m_encrypted;
  std::optional<std::regex> m_unencrypted_comment;
  std::optional<std::regex> m_encrypted_comment;
};

}  // namespace vps::formats::sops
