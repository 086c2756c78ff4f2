#pragma once
// Support for a systemd generator (a later `vps-agent-generator`): systemd runs generators
// with three output directories (normal, early, late); a generator writes units or drop-ins
// there, e.g. making services that use secrets wait for vps-secrets.target.

#include <filesystem>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>

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

}  // namespace vps::host::systemd
