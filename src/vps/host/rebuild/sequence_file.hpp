#pragma once
// The host's replay guard for rebuilds: the sequence of the last request it accepted, one
// decimal number and a newline, written atomically. A request is recorded before its command
// starts, so a crash or reboot during a rebuild never runs the same request twice.

#include <cstdint>
#include <filesystem>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::host::rebuild {

// Where the guard lives: rebuild.state_file, or <state_dir>/rebuild-sequence by default.
std::filesystem::path sequence_file_path(const config::Config& config);

// 0 when the file does not exist. Errc::malformed for any other content (the guard cannot be
// trusted, so nothing may run until an operator looks: never guess a replay window).
Result<std::int64_t> load_last_sequence(const std::filesystem::path& path);

Status store_last_sequence(const std::filesystem::path& path, std::int64_t sequence);

}  // namespace vps::host::rebuild
