#include <vps/base/duration.hpp>

#include <array>
#include <cstdio>
#include <cstdint>
#include <utility>

namespace vps {
namespace {

constexpr std::int64_t k_max_number = 1'000'000'000;
constexpr Millis k_max_total = std::chrono::hours(24 * 1000);

// Largest first: format_duration picks the first unit that divides exactly.
constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> k_units{{
    {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}}};

Error malformed(std::string_view text) {
  return Error{Errc::malformed,
               "'" + std::string(text.substr(0, 32)) + "' is not a duration like 500ms, 30s, 5m, 1h or 7d"};
}

}  // namespace

Result<Millis> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 10) return fail(malformed(text));
  std::int64_t number = 0;
  for (std::size_t i = 0; i < digits; ++i) number = number * 10 + (text[i] - '0');
  if (number > k_max_number) return fail(malformed(text));
  const std::string_view unit = text.substr(digits);
  std::int64_t scale = unit.empty() ? 1000 : 0;
  for (const auto& [name, ms] : k_units)
    if (unit == name) scale = ms;
  if (scale == 0) return fail(malformed(text));
  const Millis value(number * scale);  // 10^9 days fits int64 milliseconds
  if (value > k_max_total) return fail(Errc::malformed, "'" + std::string(text) + "' is longer than 1000 days");
  return value;
}

Result<Millis> parse_duration(std::string_view text, Millis min, Millis max) {
  const Millis value = VPS_TRY(parse_duration(text));
  if (value < min || value > max) {
    return fail(Errc::malformed, "'" + std::string(text) + "' is not between " + format_duration(min) + " and " +
                                     format_duration(max));
  }
  return value;
}

std::string format_duration(Millis duration) {
  const std::int64_t ms = duration.count();
  if (ms == 0) return "0s";
  for (const auto& [name, scale] : k_units)
    if (ms % scale == 0) return std::to_string(ms / scale) + std::string(name);
  return std::to_string(ms) + "ms";
}

std::string describe_duration(Millis duration) {
  char buffer[32];
  if (duration < Millis(1000)) {
    std::snprintf(buffer, sizeof buffer, "%lld ms", static_cast<long long>(duration.count()));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(duration.count()) / 1000.0);
  }
  return buffer;
}

}  // namespace vps
