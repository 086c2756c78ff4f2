#pragma once
// What an activation materialises: decrypted secrets (plaintext already in memory) with their
// sops-nix style options, and templates that embed secrets into config files.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include <vps/base/bytes.hpp>
#include <vps/base/error.hpp>
#include <vps/host/mounts/secrets_mount.hpp>

namespace vps::host::secrets {

// Options named as in sops-nix (`path`, `owner`, `group`, `mode`, `restartUnits`, `reloadUnits`).
struct SecretSpec {
  std::string name;                           // file name under the generation; may contain '/'
  std::optional<std::filesystem::path> path;  // extra symlink to <link>/<name>; unset = none
  std::string owner = "root";                 // user name (resolved on the live system) or numeric uid
  std::string group = "root";                 // group name or numeric gid
  mode_t mode = 0400;
  std::vector<std::string> restart_units;
  std::vector<std::string> reload_units;
};

struct Material {
  SecretSpec spec;
  SecretBytes plaintext;
};

// Rendered to <generation>/rendered/<name>. `content` holds placeholders "{{ secret:<name> }}"
// (see template.hpp); the template text itself is not secret, its rendering is.
struct TemplateSpec {
  std::string name;
  std::string content;
  std::optional<std::filesystem::path> path;  // extra symlink to <link>/rendered/<name>
  std::string owner = "root";
  std::string group = "root";
  mode_t mode = 0400;
  std::vector<std::string> restart_units;
  std::vector<std::string> reload_units;
};

struct ActivationOptions {
  mounts::MountOptions mount;                   // mount point (default /run/vps-secrets.d) and fs type
  bool ensure_mount = true;                     // mount the memory fs if nothing is mounted there
  std::filesystem::path link = "/run/vps-secrets";  // current-generation symlink
  std::size_t keep_generations = 1;             // previous generations kept after a switch
  std::optional<std::filesystem::path> credstore;  // e.g. /run/credstore: export for LoadCredential=
};

struct ActivationReport {
  std::uint64_t generation = 0;
  std::optional<std::uint64_t> previous;  // nullopt on the first activation
  // Files whose bytes differ from the previous generation (or are new), relative to the
  // generation: secret names, and "rendered/<template>" for templates.
  std::vector<std::string> changed;
  std::vector<std::string> removed;        // present in the previous generation only
  std::vector<std::string> restart_units;  // from changed entries, sorted, unique
  std::vector<std::string> reload_units;   // same, minus units already being restarted
  std::vector<std::uint64_t> pruned;
  // Failures after the switch (custom-path links, credential export, pruning): the new
  // generation is live, but these need the operator's attention.
  std::vector<Error> errors;
};

}  // namespace vps::host::secrets
