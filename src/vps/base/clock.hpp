#pragma once
// The wall clock, in one place: Unix time as the protocol counts it (seconds for signed-request
// timestamps and token expiry, milliseconds for operator sequences) and UTC timestamps as files
// and people read them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vps::clock {

inline std::int64_t unix_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

inline std::int64_t unix_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// RFC 3339, seconds precision: "2026-11-27T03:30:00Z" (state.json, sops' lastmodified).
std::string utc_rfc3339(std::chrono::system_clock::time_point when = std::chrono::system_clock::now());
// Compact, file-name safe: "20261127T033000Z" (quarantined keys).
std::string utc_compact(std::chrono::system_clock::time_point when = std::chrono::system_clock::now());
// For people: "2026-11-27 03:30:00 UTC".
std::string utc_readable(std::int64_t unix_seconds);
// Unix seconds of "2026-11-27" (midnight UTC) or "2026-11-27T03:30:00Z", strictly (a real
// date, 24-hour time, the Z); nullopt for anything else.
std::optional<std::int64_t> parse_utc(std::string_view text);

}  // namespace vps::clock
