#pragma once
// From the `secrets:` config to activation input: every source decrypted in memory with the
// host's identities, before anything is written. A source that is absent or not (yet)
// encrypted to this host is "pending" — the caller waits for enrollment — while any other
// failure (MAC, tag, syntax, missing key path, unknown format) is an error. One exception: a
// source that does not parse and was modified within k_settle_window is pending too (a tool
// writing it in place rather than by rename may not be done); once stable it is an error.

#include <chrono>
#include <filesystem>
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

struct Collected {
  std::vector<secrets::Material> materials;
  std::vector<secrets::TemplateSpec> templates;
  std::vector<Pending> pending;  // non-empty: materials are incomplete, do not activate
};

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
