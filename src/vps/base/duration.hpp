#pragma once
// The one duration grammar, for config.yaml, serve.yaml and every command-line option that takes
// a time: a whole number with a unit, "500ms", "30s", "5m", "1h", "7d", or a bare number of
// seconds ("90"). No fractions, signs, spaces or combinations ("1h30m"): a value reads the same
// to the operator, the config parser and the man page.

#include <chrono>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>

namespace vps {

using Millis = std::chrono::milliseconds;

// Errc::malformed saying what is accepted (the caller adds where: a config line, an option);
// at most 10^9 of any unit and at most 1000 days in all.
Result<Millis> parse_duration(std::string_view text);

// As parse_duration, then within [min, max]: Errc::malformed naming both bounds otherwise.
Result<Millis> parse_duration(std::string_view text, Millis min, Millis max);

// The shortest exact spelling: 90000 ms -> "90s", 3600000 -> "1h", 1500 -> "1500ms".
std::string format_duration(Millis duration);

// For progress and log lines, rounded: "340 ms", "2.5 s".
std::string describe_duration(Millis duration);

}  // namespace vps
