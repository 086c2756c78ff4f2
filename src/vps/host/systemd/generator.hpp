#pragma once
// Support for a systemd generator (a later `vps-agent-generator`): systemd runs generators
// with three output directories (normal, early, late); a generator writes units or drop-ins
// there, e.g. making services that use secrets wait for vps-secrets.target.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::host::systemd {

struct GeneratorDirs {
  std::filesystem::path normal;
  std::filesystem::path early;
  std::filesystem::path late;
};

// argv[1..3] as systemd passes them (argv[0] excluded). Errc::usage unless exactly one or three
// absolute paths (systemd >= 251 may pass only one in some test modes).
Result<GeneratorDirs> parse_generator_args(const std::vector<std::string_view>& args);

// Writes <dir>/<unit>.d/<name>.conf atomically (mode 0644).
Status write_dropin(const std::filesystem::path& dir, std::string_view unit, std::string_view name,
                    std::string_view content);

// vps-agent-generator: every service named in a secret's or template's restart_units or
// reload_units gets <unit>.d/50-vps-secrets.conf: ordered after vps-secrets.service and gated by
// `vps-agent secrets --gate UNIT` (ExecCondition=), so it starts once ITS secrets are active
// (host/delivery/secrets_service.hpp).
inline constexpr std::string_view k_secrets_dropin_name = "50-vps-secrets";

struct SecretsDropins {
  std::vector<std::string> units;    // valid .service names, sorted, unique
  std::vector<std::string> skipped;  // why each other listed name gets no drop-in (for the log)
};

// Pure: decides from the config alone. Names that are not valid unit names (e.g. "../x.service",
// which would leave the output directory), non-services, and the units vps-secrets.service
// itself runs after (an ordering cycle) are skipped.
SecretsDropins plan_secrets_dropins(const config::Secrets& secrets);

// The drop-in text for `unit`, naming the generator and its source as systemd.generator(7)
// asks. agent_command: the vps-agent binary with any --root/--config it needs.
std::string secrets_dropin_content(const std::filesystem::path& config_path, std::string_view unit,
                                   std::string_view agent_command);

}  // namespace vps::host::systemd
