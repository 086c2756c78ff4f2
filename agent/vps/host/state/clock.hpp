#pragma once
// UTC timestamps for state.json and quarantine file names.

#include <chrono>
#include <string>

namespace vps::host::state {

// RFC 3339, seconds precision: "2026-11-27T03:30:00Z".
std::string utc_rfc3339(std::chrono::system_clock::time_point when = std::chrono::system_clock::now());
// Compact, file-name safe: "20261127T033000Z".
std::string utc_compact(std::chrono::system_clock::time_point when = std::chrono::system_clock::now());

}  // namespace vps::host::state
