// The `secrets:` section of config.yaml, with sops-nix option names:
//
//   secrets:
//     mount: /run/vps-secrets.d      link: /run/vps-secrets      fs: ramfs | tmpfs
//     keep_generations: 1            credentials_dir: /run/credstore     timeout: 0 (none)
//     files:                         # a list of mappings with `name`, or a mapping name -> options
//       - name: db/password
//         source: /etc/vps-secrets/db.yaml
//         format: yaml               # auto (default), yaml, json, dotenv, ini, binary, age
//         key: db/password           # sops value path; empty/absent = whole file
//         path: /etc/app/db-pass     # extra symlink
//         owner: app  group: app  mode: "0440"
//         restart_units: [app.service]  reload_units: [nginx.service]
//     templates:                     # same two shapes; content (inline) or file
//       - name: app.env
//         content: "DB={{ secret:db/password }}"
#include <vps/config/secrets_section.hpp>

#include <vps/base/text.hpp>

#include <charconv>

#include <vps/config/fields.hpp>

namespace vps::config {
namespace {

constexpr std::uint32_t k_max_generations = 100;

Status parse_mode(Fields& f, std::uint32_t& out) {
  std::string text;
  if (!f.has("mode")) return {};
  VPS_CHECK(f.string("mode", text));
  std::uint32_t mode = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || mode > 07777)
    return f.error_at("mode", "'" + text + "' is not an octal mode like 0400");
  out = mode;
  return {};
}

Status parse_optional_path(Fields& f, std::string_view key, std::optional<std::filesystem::path>& out) {
  if (!f.has(key)) return {};
  std::filesystem::path path;
  VPS_CHECK(f.absolute_path(key, path));
  out = std::move(path);
  return {};
}

template <class Entry>
Status parse_common(Fields& f, Entry& entry) {
  VPS_CHECK(f.string("name", entry.name));
  VPS_CHECK(parse_optional_path(f, "path", entry.path));
  VPS_CHECK(f.string("owner", entry.owner));
  VPS_CHECK(f.string("group", entry.group));
  VPS_CHECK(parse_mode(f, entry.mode));
  VPS_CHECK(f.string_list("restart_units", entry.restart_units));
  VPS_CHECK(f.string_list("reload_units", entry.reload_units));
  return {};
}

Status parse_file(Fields& f, SecretFile& file) {
  VPS_CHECK(parse_common(f, file));
  VPS_CHECK(f.absolute_path("source", file.source));
  VPS_CHECK(f.choice("format", file.format,
                     {{"auto", SecretFormat::automatic},
                      {"yaml", SecretFormat::yaml},
                      {"json", SecretFormat::json},
                      {"dotenv", SecretFormat::dotenv},
                      {"ini", SecretFormat::ini},
                      {"binary", SecretFormat::binary},
                      {"age", SecretFormat::age}}));
  VPS_CHECK(f.string("key", file.key));
  VPS_CHECK(f.finish());
  if (file.source.empty()) return f.error_at("source", "is required");
  if (file.format == SecretFormat::age && !file.key.empty())
    return f.error_at("key", "an age file has no keys: it is one secret");
  return {};
}

Status parse_template(Fields& f, SecretTemplate& tmpl) {
  VPS_CHECK(parse_common(f, tmpl));
  VPS_CHECK(f.string("content", tmpl.content));
  VPS_CHECK(f.absolute_path("file", tmpl.file));
  VPS_CHECK(f.finish());
  if (f.has("content") == f.has("file")) return f.error_at("content", "give exactly one of content or file");
  return {};
}

// Both shapes: a sequence of mappings (each with `name`), or a mapping name -> options.
template <class Entry, class Parse>
Status parse_entries(Fields& parent, std::string_view key, std::vector<Entry>& out, Parse parse) {
  YAML::Node list = parent.raw(key);
  if (!list || list.IsNull()) return {};
  const std::string base = parent.section() + "." + std::string(key);
  if (list.IsSequence()) {
    std::size_t index = 0;
    for (const auto& item : list) {
      auto f = VPS_TRY(Fields::open(item, base + "[" + std::to_string(index++) + "]", parent.source()));
      Entry entry;
      VPS_CHECK(parse(f, entry));
      if (entry.name.empty()) return f.error_at("name", "is required");
      out.push_back(std::move(entry));
    }
    return {};
  }
  if (!list.IsMap()) return parent.error_at(key, "must be a list or a mapping of entries");
  VPS_CHECK(Fields::open(list, base, parent.source()));  // rejects duplicate names
  for (const auto& item : list) {
    const std::string name = item.first.Scalar();
    auto f = VPS_TRY(Fields::open(item.second, base + "." + name, parent.source()));
    Entry entry;
    entry.name = name;
    VPS_CHECK(parse(f, entry));
    if (entry.name != name) return f.error_at("name", "differs from the entry's key '" + name + "'");
    out.push_back(std::move(entry));
  }
  return {};
}

}  // namespace

Status parse_secrets(const YAML::Node& node, std::string_view source, Config& config) {
  auto& s = config.secrets;
  auto f = VPS_TRY(Fields::open(node, "secrets", source));
  VPS_CHECK(f.absolute_path("mount", s.mount));
  VPS_CHECK(f.absolute_path("link", s.link));
  VPS_CHECK(f.choice("fs", s.fs, {{"ramfs", SecretFs::ramfs}, {"tmpfs", SecretFs::tmpfs}}));
  VPS_CHECK(f.string("tmpfs_size", s.tmpfs_size));
  if (f.has("keep_generations")) {
    std::string text;
    VPS_CHECK(f.string("keep_generations", text));
    auto n = vps::text::parse_decimal(text, 0, k_max_generations);
    if (!n) return f.error_at("keep_generations", "'" + text + "' is not a number from 0 to 100");
    s.keep_generations = static_cast<std::uint32_t>(*n);
  }
  VPS_CHECK(parse_optional_path(f, "credentials_dir", s.credentials_dir));
  VPS_CHECK(f.duration("timeout", s.timeout));
  VPS_CHECK(parse_entries(f, "files", s.files, parse_file));
  VPS_CHECK(parse_entries(f, "templates", s.templates, parse_template));
  VPS_CHECK(f.finish());
  if (s.link == s.mount) return f.error_at("link", "must differ from mount");
  return {};
}

std::string_view to_string(SecretFormat value) {
  switch (value) {
    case SecretFormat::automatic: return "auto";
    case SecretFormat::yaml: return "yaml";
    case SecretFormat::json: return "json";
    case SecretFormat::dotenv: return "dotenv";
    case SecretFormat::ini: return "ini";
    case SecretFormat::binary: return "binary";
    case SecretFormat::age: return "age";
  }
  return "?";
}

}  // namespace vps::config
