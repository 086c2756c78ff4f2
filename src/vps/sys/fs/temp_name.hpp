#pragma once
// Names for temporary files: "<prefix>.tmp-<12 hex digits>" with 48 random bits, so concurrent
// writers never pick the same name and a reader can tell a leftover temp from a real file
// (identity::remove_stale_temps, the generation store). One helper for every temp file the
// programs create.

#include <string>
#include <string_view>

namespace vps::sys {

inline constexpr std::string_view k_temp_marker = ".tmp-";

// 12 lowercase hex digits from getrandom(2).
std::string random_suffix();

// prefix + ".tmp-" + random_suffix().
std::string temp_name(std::string_view prefix);

}  // namespace vps::sys
