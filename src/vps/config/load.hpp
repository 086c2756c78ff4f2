#pragma once
// Loading config.yaml from disk and relocating it under --root.
//
// Path rule: every path in Config, default or configured, names a path on the managed host and
// is interpreted inside --root. `vps-agent --root /mnt/img ...` therefore reads
// /mnt/img/etc/vps-agent/config.yaml and a configured `host_key: /etc/ssh/k` means
// /mnt/img/etc/ssh/k. Only --config itself is taken literally (it names a file on the machine
// running the command).

#include <filesystem>
#include <string>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::config {

inline constexpr const char* k_default_config_path = "/etc/vps-agent/config.yaml";

// config_path empty: <root>/etc/vps-agent/config.yaml, and a missing file means all defaults.
// config_path given: it must exist (Errc::missing). Unreadable: Errc::io. Parse errors:
// Errc::config. The result is relocated under root.
Result<Config> load(const std::filesystem::path& root, const std::string& config_path);

// The file load() reads: config_path as given, else <root>/etc/vps-agent/config.yaml.
std::filesystem::path config_file(const std::filesystem::path& root, const std::string& config_path);

// Prefixes every path in config with root ("/" leaves them unchanged).
Config relocate(Config config, const std::filesystem::path& root);

}  // namespace vps::config
