#pragma once
// vps-agent configuration (/etc/vps-agent/config.yaml) as plain values with their defaults.
// Every path is absolute as written in the file and is interpreted inside --root: load()
// prefixes them all (defaults and configured values alike), so `--root R` relocates the
// whole host, like systemd-firstboot --root.

#include <chrono>
#include <filesystem>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vps::config {

using Duration = std::chrono::milliseconds;

// What firstboot does with an existing host key it cannot parse (after quarantining it).
enum class OnCorruptKey {
  fail,        // exit Errc::corrupt_key; an operator decides
  regenerate,  // make a new key (the instance's identity changes: it must re-enroll)
  automatic,   // "auto": regenerate while not yet enrolled, fail once enrolled
};

enum class IdSource {
  dmi,        // DMI system-serial-number (Linode: the instance id)
  metadata,   // only the metadata service knows it; firstboot (pre-network) cannot check clones
  automatic,  // "auto": DMI when it has a value, else no instance check
};

struct Identity {
  std::filesystem::path host_key = "/etc/ssh/ssh_host_ed25519_key";  // .pub beside it
  OnCorruptKey on_corrupt_key = OnCorruptKey::automatic;
};

struct Instance {
  IdSource id_source = IdSource::automatic;
  std::filesystem::path dmi_path = "/sys/class/dmi/id/product_serial";
};

struct Console {
  std::filesystem::path path = "/dev/console";  // where firstboot prints the fingerprint block
};

struct Retry {
  Duration initial_delay = std::chrono::seconds(2);
  Duration max_delay = std::chrono::minutes(5);
  Duration attempt_timeout = std::chrono::seconds(30);
  Duration overall_timeout = std::chrono::hours(24);
};

struct Enrollment {
  std::string endpoint;            // "https://..."; empty: enrollment not configured
  std::filesystem::path ca_file;   // empty: system trust store
  bool allow_insecure_http = false;  // http:// to a non-loopback host (loopback is always allowed)
  bool require_token = false;      // refuse to publish without an enrollment token
  std::filesystem::path token_file;  // empty: token from metadata user-data only
  Retry retry;
};

struct Metadata {
  bool enabled = true;
  std::string base_url = "http://169.254.169.254";
  Duration token_ttl = std::chrono::seconds(300);
};

// secrets: (sops-nix semantics). `format: auto` picks by extension: .age -> age, else sops'
// rule (.yaml/.yml, .json, .env, .ini, anything else binary).
enum class SecretFormat { automatic, yaml, json, dotenv, ini, binary, age };
enum class SecretFs { ramfs, tmpfs };

struct SecretFile {
  std::string name;
  std::filesystem::path source;
  SecretFormat format = SecretFormat::automatic;
  std::string key;                            // sops value path "a/b/c"; empty = whole file
  std::optional<std::filesystem::path> path;  // extra symlink
  std::string owner = "root";
  std::string group = "root";
  std::uint32_t mode = 0400;
  std::vector<std::string> restart_units;
  std::vector<std::string> reload_units;
};

struct SecretTemplate {
  std::string name;
  std::string content;                        // inline, or read from `file` at activation
  std::filesystem::path file;                 // empty: use content
  std::optional<std::filesystem::path> path;
  std::string owner = "root";
  std::string group = "root";
  std::uint32_t mode = 0400;
  std::vector<std::string> restart_units;
  std::vector<std::string> reload_units;
};

struct Secrets {
  std::filesystem::path mount = "/run/vps-secrets.d";
  std::filesystem::path link = "/run/vps-secrets";
  SecretFs fs = SecretFs::ramfs;
  std::string tmpfs_size;  // tmpfs only, e.g. "16m"
  std::uint32_t keep_generations = 1;
  std::optional<std::filesystem::path> credentials_dir;
  // Overall wait for every secret (`secrets` without --follow, vps-secrets-wait.service); zero:
  // no limit (the default: a host approved hours after boot must still get its secrets).
  Duration timeout{0};
  std::vector<SecretFile> files;
  std::vector<SecretTemplate> templates;
};

// authorized_operators: the operators this host trusts, the ONE trust root for both rebuild
// requests and secret bundles (operators_section.hpp): authorized_keys lines given inline, or
// the absolute path of a file of them.
struct AuthorizedOperators {
  std::vector<std::string> lines;
  std::filesystem::path file;

  bool configured() const { return !lines.empty() || !file.empty(); }
};

// rebuild: (vps-agent watch; see rebuild_section.hpp). Unconfigured while command is empty.
struct Rebuild {
  std::vector<std::string> command;                 // argv; "{revision}" is substituted
  Duration timeout = std::chrono::hours(1);
  Duration poll_wait = std::chrono::seconds(25);
  std::filesystem::path state_file;                 // empty: <state_dir>/rebuild-sequence
};

struct Config {
  Identity identity;
  Instance instance;
  std::filesystem::path state_dir = "/var/lib/vps-agent";
  Console console;
  Enrollment enrollment;
  Metadata metadata;
  AuthorizedOperators authorized_operators;
  Secrets secrets;
  Rebuild rebuild;
};

std::string_view to_string(OnCorruptKey value);
std::string_view to_string(IdSource value);
std::string_view to_string(SecretFormat value);

}  // namespace vps::config
