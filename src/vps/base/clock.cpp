#include <vps/base/clock.hpp>

#include <cstdio>
#include <ctime>

namespace vps::clock {
namespace {
std::tm utc(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return tm;
}
}  // namespace

std::string utc_rfc3339(std::chrono::system_clock::time_point when) {
  auto tm = utc(when);
  char buffer[40];
  int n = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::string utc_compact(std::chrono::system_clock::time_point when) {
  auto tm = utc(when);
  char buffer[40];
  int n = std::snprintf(buffer, sizeof buffer, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::string utc_readable(std::int64_t unix_seconds) {
  auto tm = utc(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(unix_seconds)));
  char buffer[40];
  int n = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::optional<std::int64_t> parse_utc(std::string_view text) {
  using namespace std::chrono;
  const auto number = [&](std::size_t at, std::size_t width) -> std::optional<int> {
    if (at + width > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + width; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  if (text.size() != 10 && text.size() != 20) return std::nullopt;
  const auto y = number(0, 4), mo = number(5, 2), d = number(8, 2);
  if (!y || !mo || !d || text[4] != '-' || text[7] != '-') return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  std::int64_t seconds = 0;
  if (text.size() == 20) {
    const auto h = number(11, 2), mi = number(14, 2), s = number(17, 2);
    if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z' || !h || !mi || !s || *h > 23 ||
        *mi > 59 || *s > 59)
      return std::nullopt;
    seconds = *h * 3600 + *mi * 60 + *s;
  }
  return duration_cast<std::chrono::seconds>(sys_days{date}.time_since_epoch()).count() + seconds;
}

}  // namespace vps::clock
