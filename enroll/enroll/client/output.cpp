#include <enroll/client/output.hpp>

#include <cstdio>
#include <ctime>

#include <vps/base/text.hpp>

namespace vps::enroll::client {

int print_json(const nlohmann::json& value) {
  const std::string text = value.dump(2) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

std::string shown(const nlohmann::json& object, const char* key) {
  return text::escape_control(object.value(key, std::string()));
}

std::string format_time(std::int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

}  // namespace vps::enroll::client
