#include <vps/formats/sops/crypt_rules.hpp>

namespace vps::formats::sops {
namespace {

constexpr std::size_t k_max_pattern = 512;

Result<std::optional<std::regex>> compile_one(const std::string& pattern, std::string_view name) {
  if (pattern.empty()) return std::optional<std::regex>();
  if (pattern.size() > k_max_pattern)
    return fail(Errc::malformed, "sops metadata: '" + std::string(name) + "' is too long");
  try {
    return std::optional<std::regex>(std::regex(pattern, std::regex::ECMAScript));
  } catch (const std::regex_error&) {
    return fail(Errc::malformed, "sops metadata: '" + std::string(name) + "' is not a valid regex");
  }
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool search(const std::regex& re, const std::string& text) {
  try {
    return std::regex_search(text, re);
  } catch (const std::regex_error&) {
    return false;  // complexity limit: treat as no match (the MAC still catches a wrong decision)
  }
}

}  // namespace

Result<CryptRuleSet> CryptRuleSet::compile(const CryptRules& rules) {
  CryptRuleSet set;
  set.m_rules = rules;
  set.m_unencrypted = VPS_TRY(compile_one(rules.unencrypted_regex, "unencrypted_regex"));
  set.m_encrypted = VPS_TRY(compile_one(rules.encrypted_regex, "encrypted_regex"));
  set.m_unencrypted_comment = VPS_TRY(compile_one(rules.unencrypted_comment_regex, "unencrypted_comment_regex"));
  set.m_encrypted_comment = VPS_TRY(compile_one(rules.encrypted_comment_regex, "encrypted_comment_regex"));
  return set;
}

// Same order of rules as sops, each later rule overriding the earlier ones.
bool CryptRuleSet::should_encrypt(const std::vector<std::string>& path, const CommentStack& comments,
                                  bool is_comment) const {
  bool encrypted = true;
  if (!m_rules.unencrypted_suffix.empty())
    for (const auto& p : path)
      if (ends_with(p, m_rules.unencrypted_suffix)) {
        encrypted = false;
        break;
      }
  if (!m_rules.encrypted_suffix.empty()) {
    encrypted = false;
    for (const auto& p : path)
      if (ends_with(p, m_rules.encrypted_suffix)) {
        encrypted = true;
        break;
      }
  }
  if (m_unencrypted)
    for (const auto& p : path)
      if (search(*m_unencrypted, p)) {
        encrypted = false;
        break;
      }
  if (m_encrypted) {
    encrypted = false;
    for (const auto& p : path)
      if (search(*m_encrypted, p)) {
        encrypted = true;
        break;
      }
  }
  if (m_unencrypted_comment) {
    for (const auto& level : comments)
      for (const auto& c : level)
        if (search(*m_unencrypted_comment, c)) encrypted = false;
  }
  if (m_encrypted_comment && !comments.empty()) {
    encrypted = false;
    std::size_t last_level = comments.size() - 1;
    std::size_t last_index = comments.back().size();
    for (std::size_t i = 0; i < comments.size() && !encrypted; ++i)
      for (std::size_t j = 0; j < comments[i].size(); ++j) {
        // A comment matching the regex stays clear itself; only comments after it are encrypted.
        if (is_comment && i == last_level && j + 1 == last_index) continue;
        if (search(*m_encrypted_comment, comments[i][j])) {
          encrypted = true;
          break;
        }
      }
  }
  return encrypted;
}

}  // namespace vps::formats::sops
