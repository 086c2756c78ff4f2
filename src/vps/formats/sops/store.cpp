#include <vps/formats/sops/store.hpp>

#include <optional>

#include <vps/formats/sops/dotenv_store.hpp>
#include <vps/formats/sops/flatten.hpp>
#include <vps/formats/sops/ini_store.hpp>
#include <vps/formats/sops/json_store.hpp>
#include <vps/formats/sops/yaml_store.hpp>

namespace vps::formats::sops {
namespace {

constexpr std::string_view k_not_found = "sops metadata not found (not a sops-encrypted file?)";

// Removes the top-level "sops" entry of a document and returns its value.
std::optional<Node> take_metadata(Document& doc) {
  for (auto it = doc.entries.begin(); it != doc.entries.end(); ++it) {
    if (it->is_comment() || it->key != "sops") continue;
    Node block = std::move(it->value);
    doc.entries.erase(it);
    return block;
  }
  return std::nullopt;
}

std::string to_std(SecretString s) { return std::string(s.begin(), s.end()); }

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view format_name(Format format) {
  switch (format) {
    case Format::yaml: return "yaml";
    case Format::json: return "json";
    case Format::dotenv: return "dotenv";
    case Format::ini: return "ini";
    case Format::binary: return "binary";
  }
  return "binary";
}

Result<Format> parse_format(std::string_view name) {
  for (Format f : {Format::yaml, Format::json, Format::dotenv, Format::ini, Format::binary})
    if (name == format_name(f)) return f;
  return fail(Errc::usage, "unknown sops format '" + std::string(name) + "' (yaml, json, dotenv, ini, binary)");
}

Format format_for_path(std::string_view path) {
  if (ends_with(path, ".yaml") || ends_with(path, ".yml")) return Format::yaml;
  if (ends_with(path, ".json")) return Format::json;
  if (ends_with(path, ".env")) return Format::dotenv;
  if (ends_with(path, ".ini")) return Format::ini;
  return Format::binary;
}

Result<EncryptedFile> load_encrypted(std::string_view text, Format format) {
  EncryptedFile file;
  file.format = format;
  Node block;
  switch (format) {
    case Format::yaml: {
      file.documents = VPS_TRY(yaml::parse(text));
      if (file.documents.empty()) return fail(Errc::malformed, std::string(k_not_found));
      auto found = take_metadata(file.documents[0]);
      if (!found) return fail(Errc::malformed, std::string(k_not_found));
      block = std::move(*found);
      for (std::size_t i = 1; i < file.documents.size(); ++i) take_metadata(file.documents[i]);
      break;
    }
    case Format::json:
    case Format::binary: {
      file.documents.push_back(VPS_TRY(json::parse(text)));
      auto found = take_metadata(file.documents[0]);
      if (!found) return fail(Errc::malformed, std::string(k_not_found));
      block = std::move(*found);
      break;
    }
    case Format::dotenv: {
      auto parsed = VPS_TRY(dotenv::parse(text));
      if (parsed.metadata.empty()) return fail(Errc::malformed, std::string(k_not_found));
      block = VPS_TRY(unflatten_metadata(parsed.metadata));
      file.documents.push_back(std::move(parsed.document));
      break;
    }
    case Format::ini: {
      auto parsed = VPS_TRY(ini::parse(text));
      if (!parsed.has_metadata) return fail(Errc::malformed, std::string(k_not_found));
      block = VPS_TRY(unflatten_metadata(parsed.metadata));
      file.documents.push_back(std::move(parsed.document));
      break;
    }
  }
  file.metadata = VPS_TRY(parse_metadata(block));
  return file;
}

Result<std::vector<Document>> load_plain(std::string_view text, Format format) {
  std::vector<Document> docs;
  switch (format) {
    case Format::yaml: docs = VPS_TRY(yaml::parse(text)); break;
    case Format::json: docs.push_back(VPS_TRY(json::parse(text))); break;
    case Format::dotenv: {
      auto parsed = VPS_TRY(dotenv::parse(text));
      if (!parsed.metadata.empty()) return fail(Errc::malformed, "file already has sops metadata");
      docs.push_back(std::move(parsed.document));
      break;
    }
    case Format::ini: {
      auto parsed = VPS_TRY(ini::parse(text));
      if (parsed.has_metadata) return fail(Errc::malformed, "file already has sops metadata");
      docs.push_back(std::move(parsed.document));
      break;
    }
    case Format::binary: {
      if (text.size() > k_max_file_size) return fail(Errc::malformed, "file larger than 16 MiB");
      Document doc = Node::mapping();
      doc.entries.push_back(Entry{"data", Node::string(text)});
      docs.push_back(std::move(doc));
      break;
    }
  }
  for (const auto& doc : docs)
    if (doc.find("sops")) return fail(Errc::malformed, "file already has sops metadata");
  return docs;
}

Result<SecretString> emit_plain(const std::vector<Document>& documents, Format format) {
  if (format == Format::yaml) return yaml::emit(documents);
  if (documents.size() != 1) return fail(Errc::malformed, "this format holds exactly one document");
  const Document& doc = documents[0];
  switch (format) {
    case Format::json: return json::emit_document(doc);
    case Format::dotenv: return dotenv::emit(doc, {});
    case Format::ini: return ini::emit(doc, nullptr);
    case Format::binary: {
      const Node* data = doc.find("data");
      if (!data || (data->kind != Kind::string && data->kind != Kind::bytes))
        return fail(Errc::malformed, "binary sops file has no string 'data' value");
      return data->text;
    }
    default: return fail(Errc::internal, "unreachable");
  }
}

Result<std::string> emit_encrypted(const std::vector<Document>& documents, const Node& metadata, Format format) {
  if (documents.empty()) return fail(Errc::malformed, "nothing to write");
  if (format == Format::yaml) {
    std::vector<Document> docs = documents;
    for (auto& doc : docs) doc.entries.push_back(Entry{"sops", metadata});
    return to_std(yaml::emit(docs));
  }
  if (documents.size() != 1) return fail(Errc::malformed, "this format holds exactly one document");
  Document doc = documents[0];
  switch (format) {
    case Format::json:
    case Format::binary:
      doc.entries.push_back(Entry{"sops", metadata});
      return to_std(json::emit_document(doc));
    case Format::dotenv: return to_std(VPS_TRY(dotenv::emit(doc, flatten_metadata(metadata))));
    case Format::ini: {
      FlatItems flat = flatten_metadata(metadata);
      return to_std(VPS_TRY(ini::emit(doc, &flat)));
    }
    default: return fail(Errc::internal, "unreachable");
  }
}

}  // namespace vps::formats::sops
