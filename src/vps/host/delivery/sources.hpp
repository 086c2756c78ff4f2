#pragma once
// From the `secrets:` config to activation input: every source decrypted in memory with the
// host's identities, before anything is written. A source that is absent or not (yet)
// encrypted to this host is "pending" — the caller waits for enrollment — while any other
// failure (MAC, tag, syntax, missing key path, unknown format) is an error. One exception: a
// source that does not parse and was modified within k_settle_window is pending too (a tool
// writing it in place rather than by rename may not be done); once stable it is an error.
//
// Nothing here fails the whole set: every secret and template that can be had is collected,
// and each one that cannot is listed in Collected::unavailable with its reason (a source that
// is missing, malformed or not decryptable blocks only the secrets it feeds, and the templates
// that embed them). Whether to wait, fail or activate the rest is the caller's decision:
// `vps-agent secrets` without --follow waits for all (Collected::first_error, pending), the
// service (secrets_service.hpp) activates what it has.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/host/secrets/spec.hpp>

namespace vps::host::delivery {

constexpr std::chrono::seconds k_settle_window{3};

struct Pending {
  std::filesystem::path source;
  // no_identity (not a recipient), missing (no file yet) or malformed (still being written:
  // does not parse and changed less than k_settle_window ago).
  Errc code = Errc::no_identity;
  std::string detail;  // the decrypter's message (lists the file's recipients)
};

// A secret or template that cannot be materialised now.
struct Unavailable {
  std::string name;                // the secret's name, or "rendered/<template>"
  std::filesystem::path source;    // its source file (empty for a template's own text)
  Errc code = Errc::no_identity;   // why (the decrypter's or parser's code)
  std::string reason;              // one line, with the source and key
  bool waiting = false;            // pending (absent, not a recipient yet, settling), not an error
  std::vector<std::string> units;  // its restart_units and reload_units
};

struct Collected {
  std::vector<secrets::Material> materials;      // every secret that could be decrypted
  std::vector<secrets::TemplateSpec> templates;  // every template whose secrets are all there
  std::vector<Pending> pending;                  // sources waited for (one entry per source)
  std::vector<Unavailable> unavailable;          // per secret and template, in config order
  // The first secret or template that failed for another reason than waiting, with context
  // (what `vps-agent secrets` without --follow reports and exits with).
  std::optional<Error> first_error;
  bool complete() const { return unavailable.empty(); }
};

// Errc::config only for what the config itself gets wrong before any file is read.
Result<Collected> collect(const config::Secrets& secrets, const std::vector<const formats::age::Identity*>& identities);

// The concrete format of a file: `automatic` resolves by content (age header or armor) and
// then by extension (.age, else sops' rule: .yaml/.yml, .json, .env, .ini, else binary).
config::SecretFormat resolve_format(config::SecretFormat format, const std::filesystem::path& source,
                                    std::string_view content);

// "auto", "yaml", "json", "dotenv", "ini", "binary", "age" (Errc::usage otherwise).
Result<config::SecretFormat> parse_format(std::string_view name);

// One file's plaintext: an age file whole; a sops file's value at key ("a/b/c"), or the whole
// file as `sops -d` prints it when key is empty.
Result<SecretBytes> decrypt_file(std::string_view content, config::SecretFormat format, std::string_view key,
                                 const std::vector<const formats::age::Identity*>& identities);

secrets::ActivationOptions activation_options(const config::Secrets& secrets);

// The directories whose changes may make a pending source decryptable (parents of every
// source: deployments replace files by rename).
std::vector<std::filesystem::path> watch_dirs(const config::Secrets& secrets);

}  // namespace vps::host::delivery
