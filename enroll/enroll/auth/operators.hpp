#pragma once
// The authorized-operators file: which ed25519 keys may act as operators, and their names for
// the audit trail. authorized_keys syntax restricted to what this needs:
//
//   # comment
//   ssh-ed25519 AAAAC3Nza... alice
//
// One key per line, the comment is the operator's name and is required: 1-64 of
// [A-Za-z0-9._@-], starting with a letter or digit, unique in the file. Lines with an options
// prefix (from="...", command=...) are refused rather than half-honoured, as are other key
// types, duplicate keys and duplicate names. Any bad line fails the whole file (Errc::config,
// naming source and line), so a typo never silently locks out or lets in somebody.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::enroll::auth {

inline constexpr std::size_t k_max_operators_file = 1024 * 1024;

struct Operator {
  std::string name;
  crypto::Ed25519Public key{};
  std::string fingerprint;  // "SHA256:..."
};

class Operators {
 public:
  static Result<Operators> parse(std::string_view text, std::string_view source_name);
  static Result<Operators> load(const std::filesystem::path& path);

  // nullptr when the key is not an operator's.
  const Operator* find(const crypto::Ed25519Public& key) const;
  const std::vector<Operator>& all() const { return m_operators; }

 private:
  std::vector<Operator> m_operators;
};

bool valid_operator_name(std::string_view name);

}  // namespace vps::enroll::auth
