#include <vps/host/delivery/sources.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include <vps/base/parallel.hpp>
#include <vps/formats/age/armor.hpp>
#include <vps/formats/sops/sops.hpp>
#include <vps/host/secrets/template.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::delivery {
namespace {

namespace age = formats::age;
namespace sops = formats::sops;
using config::SecretFormat;

constexpr std::size_t k_max_source = 64 * 1024 * 1024;
constexpr std::size_t k_max_template = 1024 * 1024;


sops::Format sops_format(SecretFormat format) {
  switch (format) {
    case SecretFormat::json: return sops::Format::json;
    case SecretFormat::dotenv: return sops::Format::dotenv;
    case SecretFormat::ini: return sops::Format::ini;
    case SecretFormat::binary: return sops::Format::binary;
    default: return sops::Format::yaml;
  }
}

SecretFormat from_sops(sops::Format format) {
  switch (format) {
    case sops::Format::yaml: return SecretFormat::yaml;
    case sops::Format::json: return SecretFormat::json;
    case sops::Format::dotenv: return SecretFormat::dotenv;
    case sops::Format::ini: return SecretFormat::ini;
    case sops::Format::binary: return SecretFormat::binary;
  }
  return SecretFormat::binary;
}

SecretBytes to_secret_bytes(std::string_view text) { return SecretBytes(text.begin(), text.end()); }

// Changed within the settle window (either way: a clock step must not make it "recent" forever).
bool recently_modified(const std::filesystem::path& path) {
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec) return false;
  const auto age = std::filesystem::file_time_type::clock::now() - mtime;
  return age < k_settle_window && age > -k_settle_window;
}

// One distinct (source, format) pair, read and decrypted once however many secrets it feeds.
struct Source {
  std::filesystem::path path;
  SecretFormat requested = SecretFormat::automatic;
  SecretFormat format = SecretFormat::automatic;  // resolved after reading
  bool absent = false;                            // the file itself does not exist
  std::optional<Error> error;                     // reading or decrypting failed
  SecretBytes age_plaintext;                      // format == age
  std::optional<sops::PlainFile> plain;           // any sops format
};

// Reads and decrypts one source; touches nothing but `source`, so sources run in parallel.
void decrypt_source(Source& source, const std::vector<const age::Identity*>& identities) {
  auto bytes = sys::read_file(source.path, k_max_source);
  if (!bytes) {
    source.absent = bytes.error().code == Errc::missing;
    source.error = std::move(bytes).error();
    return;
  }
  const std::string_view content = as_chars(*bytes);
  source.format = resolve_format(source.requested, source.path, content);
  if (source.format == SecretFormat::age) {
    auto plaintext = age::decrypt(*bytes, identities);
    if (plaintext) source.age_plaintext = std::move(*plaintext);
    else source.error = std::move(plaintext).error();
    return;
  }
  auto plain = sops::decrypt(content, sops_format(source.format), identities);
  if (plain) source.plain = std::move(*plain);
  else source.error = std::move(plain).error();
}

// The distinct sources of `files`, in first-use order; index[i] is the source of files[i].
std::vector<Source> distinct_sources(const std::vector<config::SecretFile>& files, std::vector<std::size_t>& index) {
  std::vector<Source> sources;
  std::map<std::pair<std::filesystem::path, SecretFormat>, std::size_t> seen;
  for (const auto& file : files) {
    auto [it, inserted] = seen.try_emplace({file.source, file.format}, sources.size());
    index.push_back(it->second);
    if (!inserted) continue;
    auto& source = sources.emplace_back();
    source.path = file.source;
    source.requested = file.format;
  }
  return sources;
}

// A decrypted sops file's value at key ("a/b/c"), or the whole file as `sops -d` prints it.
Result<SecretBytes> sops_secret(const sops::PlainFile& plain, std::string_view key) {
  auto text = key.empty() ? VPS_TRY(sops::render(plain)) : VPS_TRY(sops::extract(plain, key));
  return to_secret_bytes(text);
}

// One secret's bytes from its decrypted source: an age file whole, a sops value or file.
Result<SecretBytes> secret_bytes(const Source& source, const config::SecretFile& file) {
  if (source.error) return fail(*source.error);
  if (source.format == SecretFormat::age) {
    if (!file.key.empty()) return fail(Errc::config, "key '" + file.key + "': an age file has no keys");
    return SecretBytes(source.age_plaintext.begin(), source.age_plaintext.end());
  }
  return sops_secret(*source.plain, file.key);
}

// A thread costs about as much as decrypting a few small age files.
constexpr std::size_t k_min_sources_per_worker = 8;

}  // namespace

SecretFormat resolve_format(SecretFormat format, const std::filesystem::path& source, std::string_view content) {
  if (format != SecretFormat::automatic) return format;
  if (age::looks_like_age_file(as_bytes(content)) || source.extension() == ".age") return SecretFormat::age;
  return from_sops(sops::format_for_path(source.string()));
}

Result<SecretFormat> parse_format(std::string_view name) {
  for (auto format : {SecretFormat::automatic, SecretFormat::yaml, SecretFormat::json, SecretFormat::dotenv,
                      SecretFormat::ini, SecretFormat::binary, SecretFormat::age})
    if (config::to_string(format) == name) return format;
  return fail(Errc::usage, "unknown format '" + std::string(name) + "' (auto, yaml, json, dotenv, ini, binary, age)");
}

Result<SecretBytes> decrypt_file(std::string_view content, SecretFormat format, std::string_view key,
                                 const std::vector<const age::Identity*>& identities) {
  if (format == SecretFormat::age) {
    if (!key.empty()) return fail(Errc::usage, "an age file has no keys to extract");
    return age::decrypt(as_bytes(content), identities);
  }
  return sops_secret(VPS_TRY(sops::decrypt(content, sops_format(format), identities)), key);
}

namespace {

std::vector<std::string> units_of(const std::vector<std::string>& restart, const std::vector<std::string>& reload) {
  std::vector<std::string> units = restart;
  units.insert(units.end(), reload.begin(), reload.end());
  std::sort(units.begin(), units.end());
  units.erase(std::unique(units.begin(), units.end()), units.end());
  return units;
}

// The templates: each one whose text parses and whose secrets were all collected; the others
// are unavailable (waiting when a secret they embed is waiting).
void collect_templates(const config::Secrets& secrets, Collected& out) {
  for (const auto& tmpl : secrets.templates) {
    Unavailable missing;
    missing.name = "rendered/" + tmpl.name;
    missing.source = tmpl.file;
    missing.units = units_of(tmpl.restart_units, tmpl.reload_units);
    std::string content = tmpl.content;
    if (!tmpl.file.empty()) {
      auto text = sys::read_text_file(tmpl.file, k_max_template);
      if (!text) {
        auto error = text.error().context("template '" + tmpl.name + "'");
        missing.code = error.code;
        missing.reason = error.message;
        if (!out.first_error) out.first_error = std::move(error);
        out.unavailable.push_back(std::move(missing));
        continue;
      }
      content = std::move(*text);
    }
    auto parsed = secrets::Template::parse(content);
    if (!parsed) {
      auto error = parsed.error().context("template '" + tmpl.name + "'");
      missing.code = error.code;
      missing.reason = error.message;
      if (!out.first_error) out.first_error = std::move(error);
      out.unavailable.push_back(std::move(missing));
      continue;
    }
    const Unavailable* blocker = nullptr;
    for (const auto& name : parsed->references()) {
      for (const auto& u : out.unavailable)
        if (u.name == name) blocker = &u;
      if (blocker) break;
    }
    if (blocker) {
      missing.code = blocker->code;
      missing.waiting = blocker->waiting;
      missing.reason = "embeds secret '" + blocker->name + "': " + blocker->reason;
      out.unavailable.push_back(std::move(missing));
      continue;
    }
    out.templates.push_back({tmpl.name, std::move(content), tmpl.path, tmpl.owner, tmpl.group,
                             static_cast<mode_t>(tmpl.mode), tmpl.restart_units, tmpl.reload_units});
  }
}

}  // namespace

Result<Collected> collect(const config::Secrets& secrets, const std::vector<const age::Identity*>& identities) {
  Collected out;
  std::vector<std::size_t> source_of;
  auto sources = distinct_sources(secrets.files, source_of);
  parallel_for(sources.size(), parallel_workers(sources.size(), k_min_sources_per_worker),
               [&](std::size_t i) { decrypt_source(sources[i], identities); });

  for (std::size_t i = 0; i < secrets.files.size(); ++i) {
    const auto& file = secrets.files[i];
    const Source& source = sources[source_of[i]];
    auto plaintext = secret_bytes(source, file);
    if (!plaintext) {
      const Errc code = plaintext.error().code;
      const bool settling = code == Errc::malformed && recently_modified(file.source);
      const bool waiting = code == Errc::no_identity || source.absent || settling;
      const std::string key = file.key.empty() ? "" : " key '" + file.key + "'";
      auto error = plaintext.error().context("secret '" + file.name + "' (" + file.source.string() + key + ")");
      Unavailable missing{file.name, file.source, code, error.message, waiting,
                          units_of(file.restart_units, file.reload_units)};
      out.unavailable.push_back(std::move(missing));
      if (waiting) {
        const bool known = std::any_of(out.pending.begin(), out.pending.end(),
                                       [&](const Pending& p) { return p.source == file.source; });
        if (!known) out.pending.push_back({file.source, code, plaintext.error().message});
      } else if (!out.first_error) {
        out.first_error = std::move(error);
      }
      continue;
    }
    secrets::SecretSpec spec{file.name, file.path, file.owner, file.group, static_cast<mode_t>(file.mode),
                             file.restart_units, file.reload_units};
    out.materials.push_back({std::move(spec), std::move(*plaintext)});
  }
  collect_templates(secrets, out);
  return out;
}

secrets::ActivationOptions activation_options(const config::Secrets& secrets) {
  secrets::ActivationOptions options;
  options.mount.mount_point = secrets.mount;
  options.mount.type = secrets.fs == config::SecretFs::tmpfs ? mounts::FsType::tmpfs : mounts::FsType::ramfs;
  options.mount.tmpfs_size = secrets.tmpfs_size;
  options.link = secrets.link;
  options.keep_generations = secrets.keep_generations;
  options.credstore = secrets.credentials_dir;
  return options;
}

std::vector<std::filesystem::path> watch_dirs(const config::Secrets& secrets) {
  std::vector<std::filesystem::path> dirs;
  for (const auto& file : secrets.files) {
    auto dir = file.source.parent_path();
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  return dirs;
}

}  // namespace vps::host::delivery
