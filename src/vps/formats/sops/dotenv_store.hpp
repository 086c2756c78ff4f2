#pragma once
// dotenv files as sops reads them: one "KEY=value" per line (split at the first '=', nothing
// trimmed or unquoted), "#comment" lines, "\n" escapes in values; metadata as "sops_*" keys.

#include <string_view>

#include <vps/base/result.hpp>
#include <vps/formats/sops/flatten.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops::dotenv {

struct Parsed {
  Document document;
  FlatItems metadata;  // "sops_" keys with the prefix removed, in file order
};

// Errors: Errc::malformed ("parsing dotenv: line N: ...").
Result<Parsed> parse(std::string_view text);

// Fails (Errc::malformed) when a value is a mapping or sequence, which dotenv cannot hold.
Result<SecretString> emit(const Document& document, const FlatItems& metadata);

}  // namespace vps::formats::sops::dotenv
