#pragma once
// YAML scalars as sops sees them through go-yaml v3: how an untagged plain scalar resolves
// (null, bool, int, float, else string; timestamps stay strings), quoted-scalar syntax, and how
// a value is written back (plain when it would read back identically, else double-quoted).

#include <string>
#include <string_view>

#include <vps/base/result.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops::yaml {

// Typed node for an untagged plain scalar. Errc::unsupported for integers beyond int64 (sops
// cannot walk them either).
Result<Node> resolve_plain(std::string_view text);

// Parses a quoted scalar at the start of text ('...' or "..."); consumed = bytes used.
// Errc::unsupported when the closing quote is not on this line (multi-line quoted scalars).
Result<SecretString> parse_quoted(std::string_view text, std::size_t& consumed);

// True when text can be written as a plain scalar (or key) and read back as the same string.
bool plain_safe(std::string_view text);

// "..." with YAML escapes.
std::string double_quoted(std::string_view text);

// The inline form of a scalar node (not for multi-line strings written as literal blocks).
SecretString scalar_text(const Node& scalar);

}  // namespace vps::formats::sops::yaml
