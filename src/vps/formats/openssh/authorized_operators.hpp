#pragma once
// Authorized operator keys: which ed25519 keys may act as operators, with their names for the
// audit trail. authorized_keys syntax restricted to what this needs:
//
//   # comment
//   ssh-ed25519 AAAAC3Nza... alice
//
// One key per line, the comment is the operator's name and is required: 1-64 of
// [A-Za-z0-9._@-], starting with a letter or digit, unique in the list. Lines with an options
// prefix (from="...", command=...) are refused rather than half-honoured, as are other key
// types, duplicate keys and duplicate names. Any bad line fails the whole list (Errc::config,
// naming source and line), so a typo never silently locks out or lets in somebody.
//
// Shared by the enrollment endpoint (its operators file) and the host (rebuild:
// authorized_operators), so both sides read one list the same way.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::formats::openssh {

struct AuthorizedOperator {
  std::string name;
  crypto::Ed25519Public key{};
  std::string fingerprint;  // "SHA256:..."
};

Result<std::vector<AuthorizedOperator>> parse_authorized_operators(std::string_view text, std::string_view source_name);

bool valid_operator_name(std::string_view name);

// nullptr when the key is not listed.
const AuthorizedOperator* find_operator(std::span<const AuthorizedOperator> operators, const crypto::Ed25519Public& key);

}  // namespace vps::formats::openssh
