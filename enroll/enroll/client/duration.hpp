#pragma once
// Durations on the operator command line: "90s", "30m", "1h", "7d", or plain seconds.

#include <cstdint>
#include <string_view>

#include <vps/base/result.hpp>

namespace vps::enroll::client {

// Seconds, 1 .. max_seconds; Errc::usage naming `option` otherwise.
Result<std::int64_t> parse_duration(std::string_view text, std::string_view option, std::int64_t max_seconds);

}  // namespace vps::enroll::client
