#pragma once
// What the long-running secrets service (`vps-agent secrets --follow`) knows, shared with the
// commands that read it: `vps-agent status`, the per-unit gate (`vps-agent secrets --gate U`,
// each consumer unit's ExecCondition=) and `vps-agent secrets --wait-complete`
// (vps-secrets-wait.service, which vps-secrets.target requires).
//
// It lives on the secrets mount itself (<mount>/status.json, root-only, ramfs/tmpfs): it names
// secrets and why they are missing, never their values, and like them it is gone at reboot.
//
// Gate records (<mount>/gated/<unit>) close the race between a consumer unit starting and the
// service activating its secrets: the gate writes its record BEFORE it reads the status, the
// service writes the status BEFORE it reads the records. Whichever comes second sees the
// other's write, so a unit skipped for want of a secret is always started by the service once
// the secret arrives (StartUnit on a unit already starting is a no-op).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>

namespace vps::host::secrets {

struct UnavailableSecret {
  std::string name;     // secret name, or "rendered/<template>"
  std::string source;   // its source file ("" for a template's inline text)
  std::string reason;   // one line
  bool waiting = false;  // pending (not yet delivered), not an error
  bool stale = false;    // the previous value stays active (its source became unusable)
  std::int64_t since = 0;  // Unix seconds when it was first seen unavailable
  std::vector<std::string> units;
};

struct SecretsStatus {
  std::optional<std::uint64_t> generation;  // the active one; nullopt before the first activation
  std::int64_t updated_at = 0;
  std::int64_t started_at = 0;               // when the service started
  std::vector<std::string> active;           // secret names (and rendered/<template>) in the generation
  std::vector<UnavailableSecret> unavailable;
  std::vector<std::string> blocked_units;    // units with a secret that is neither active nor stale
  std::string endpoint;                      // the endpoint's state as last seen ("" without one)

  // Every configured secret has a value in the active generation (a stale one counts).
  bool complete() const;
  // The entries that keep `unit` from starting (missing, not stale, naming the unit).
  std::vector<const UnavailableSecret*> blocking(std::string_view unit) const;
  // The oldest `since` among entries that are missing (0 if none).
  std::int64_t waiting_since() const;
};

std::filesystem::path status_file(const std::filesystem::path& mount);
std::filesystem::path gate_dir(const std::filesystem::path& mount);

std::string to_json(const SecretsStatus& status);
// Strict enough for a root-only file this program wrote; Errc::malformed otherwise.
Result<SecretsStatus> status_from_json(std::string_view text);

// Written atomically, mode 0600, no fsync (memory filesystem).
Status write_status(const std::filesystem::path& mount, const SecretsStatus& status);
// nullopt while the service has not written one (not started, or before its first round).
Result<std::optional<SecretsStatus>> read_status(const std::filesystem::path& mount);

// The gate's record that `unit` was kept from starting. Errc::config for an invalid unit name.
Status record_gated(const std::filesystem::path& mount, std::string_view unit);
Status clear_gated(const std::filesystem::path& mount, std::string_view unit);
// Units with a record, sorted (a missing directory is an empty list).
Result<std::vector<std::string>> gated_units(const std::filesystem::path& mount);

}  // namespace vps::host::secrets
