#include <vps/formats/openssh/authorized_operators.hpp>

#include <algorithm>

#include <vps/base/text.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/public_key.hpp>

namespace vps::formats::openssh {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '@' || c == '-';
}

}  // namespace

bool valid_operator_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), name_char)) return false;
  const char first = name.front();
  return (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || (first >= '0' && first <= '9');
}

Result<std::vector<AuthorizedOperator>> parse_authorized_operators(std::string_view text, std::string_view source_name) {
  std::vector<AuthorizedOperator> out;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view raw = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    const std::string where = std::string(source_name) + ":" + std::to_string(line_number);
    const std::string_view line = text::trim(raw, " \t\r");
    if (line.empty() || line.front() == '#') continue;
    if (!line.starts_with("ssh-")) {
      return fail(Errc::config, where + ": expected \"ssh-ed25519 <key> <name>\" (options prefixes are not supported)");
    }
    auto key = parse_public_key_line(line);
    if (!key) return fail(Errc::config, where + ": " + key.error().message);
    if (key->comment.empty()) return fail(Errc::config, where + ": the key needs an operator name after it");
    if (!valid_operator_name(key->comment)) {
      return fail(Errc::config, where + ": invalid operator name (1-64 of A-Z a-z 0-9 . _ @ -, one word)");
    }
    for (const AuthorizedOperator& existing : out) {
      if (existing.name == key->comment) return fail(Errc::config, where + ": duplicate operator name '" + key->comment + "'");
      if (existing.key == key->key) return fail(Errc::config, where + ": key already listed for '" + existing.name + "'");
    }
    out.push_back(AuthorizedOperator{key->comment, key->key, sha256_fingerprint(key->key)});
  }
  return out;
}

const AuthorizedOperator* find_operator(std::span<const AuthorizedOperator> operators, const crypto::Ed25519Public& key) {
  for (const AuthorizedOperator& op : operators) {
    if (op.key == key) return &op;
  }
  return nullptr;
}

}  // namespace vps::formats::openssh
