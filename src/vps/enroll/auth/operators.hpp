#pragma once
// The authorized-operators file: which ed25519 keys may act as operators, and their names for
// the audit trail. The syntax and its checks are formats/openssh/authorized_operators.hpp
// (shared with the host's rebuild: authorized_operators); this adds loading the file.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/formats/openssh/authorized_operators.hpp>

namespace vps::enroll::auth {

inline constexpr std::size_t k_max_operators_file = 1024 * 1024;

using Operator = formats::openssh::AuthorizedOperator;

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
