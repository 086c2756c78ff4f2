#include <enroll/client/duration.hpp>

#include <charconv>

namespace vps::enroll::client {

Result<std::int64_t> parse_duration(std::string_view text, std::string_view option, std::int64_t max_seconds) {
  std::int64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 's': unit = 1; text.remove_suffix(1); break;
      case 'm': unit = 60; text.remove_suffix(1); break;
      case 'h': unit = 3600; text.remove_suffix(1); break;
      case 'd': unit = 86400; text.remove_suffix(1); break;
      default: break;
    }
  }
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0 ||
      value > max_seconds / unit) {
    return fail(Errc::usage, std::string(option) + ": expected a duration like 90s, 30m, 1h or 7d (at most " +
                                 std::to_string(max_seconds) + " s)");
  }
  return value * unit;
}

}  // namespace vps::enroll::client
