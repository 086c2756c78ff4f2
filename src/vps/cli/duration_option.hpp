#pragma once
// A command-line option holding a duration (base/duration.hpp: 500ms, 30s, 5m, 1h, 7d, or
// plain seconds), read the same way by every command of both programs.

#include <string_view>

#include <vps/base/duration.hpp>
#include <vps/base/result.hpp>

namespace vps::cli {

// Errc::usage naming the option and what it accepts.
Result<Millis> duration_option(std::string_view text, std::string_view option, Millis min, Millis max);

}  // namespace vps::cli
