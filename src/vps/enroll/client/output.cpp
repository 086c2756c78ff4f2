#include <vps/enroll/client/output.hpp>

#include <vps/base/clock.hpp>

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
  return unix_seconds == 0 ? "-" : clock::utc_readable(unix_seconds);
}

}  // namespace vps::enroll::client
