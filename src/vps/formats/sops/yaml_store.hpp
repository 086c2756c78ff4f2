#pragma once
// YAML documents <-> trees. The reader is strict and keeps comments (see yaml_reader.cpp);
// the writer produces go-yaml v3 style with 4-space indentation as sops does.

#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops::yaml {

// Errors: Errc::malformed ("parsing YAML: line N: ..."), Errc::unsupported (anchors, tags, flow).
Result<std::vector<Document>> parse(std::string_view text);

// Documents separated by "---".
SecretString emit(const std::vector<Document>& documents);

}  // namespace vps::formats::sops::yaml
