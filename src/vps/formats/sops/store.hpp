#pragma once
// Per-format loading and writing of whole sops files (YAML, JSON, dotenv, INI, binary), so the
// façade deals with documents and a metadata block only.

#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/sops/metadata.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops {

enum class Format { yaml, json, dotenv, ini, binary };

std::string_view format_name(Format format);
// "yaml", "json", "dotenv", "ini", "binary" (Errc::usage otherwise).
Result<Format> parse_format(std::string_view name);
// sops' rule: .yaml/.yml, .json, .env, .ini by extension; anything else is binary.
Format format_for_path(std::string_view path);

struct EncryptedFile {
  Format format = Format::yaml;
  std::vector<Document> documents;  // values still encrypted; "sops" removed
  Metadata metadata;
};

// Errc::malformed for syntax errors and for a file without sops metadata.
Result<EncryptedFile> load_encrypted(std::string_view text, Format format);
Result<std::vector<Document>> load_plain(std::string_view text, Format format);

// The plaintext file as `sops -d` prints it.
Result<SecretString> emit_plain(const std::vector<Document>& documents, Format format);
// The encrypted file with this metadata block.
Result<std::string> emit_encrypted(const std::vector<Document>& documents, const Node& metadata, Format format);

}  // namespace vps::formats::sops
