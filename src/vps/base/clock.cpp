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

}  // namespace vps::clock
