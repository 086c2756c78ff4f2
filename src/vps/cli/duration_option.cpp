#include <vps/cli/duration_option.hpp>

#include <string>

namespace vps::cli {

Result<Millis> duration_option(std::string_view text, std::string_view option, Millis min, Millis max) {
  auto value = parse_duration(text, min, max);
  if (!value) return fail(Errc::usage, std::string(option) + ": " + value.error().message);
  return *value;
}

}  // namespace vps::cli
