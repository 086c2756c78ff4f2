#pragma once
// INI files as sops reads them through go-ini: sections become mappings of string values
// (keys before any section land in "DEFAULT"), ';'/'#' comments attach to the next section or
// key (sops stores a key's comment after it), values may be `...`, "..." or """multi-line""".
// The [sops] section holds the flattened metadata.

#include <string_view>

#include <vps/base/result.hpp>
#include <vps/formats/sops/flatten.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops::ini {

struct Parsed {
  Document document;
  FlatItems metadata;  // the [sops] section, when present
  bool has_metadata = false;
};

// Errors: Errc::malformed ("parsing INI: line N: ...").
Result<Parsed> parse(std::string_view text);

// go-ini's pretty format: "key = value" aligned per section, sections separated by a blank line.
// Errc::malformed when a section holds a nested value.
Result<SecretString> emit(const Document& document, const FlatItems* metadata);

}  // namespace vps::formats::sops::ini
