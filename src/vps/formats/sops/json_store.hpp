#pragma once
// JSON documents <-> trees (sops' JSON store; the binary store wraps it). See json_store.cpp.

#include <string_view>

#include <vps/base/result.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops::json {

// Errors: Errc::malformed ("parsing JSON: offset N: ...").
Result<Document> parse(std::string_view text);

// A value indented like json.Indent(..., "\t") without a final newline.
SecretString emit(const Node& node);
// A whole document, with the final newline sops writes.
SecretString emit_document(const Document& document);

}  // namespace vps::formats::sops::json
