#include <vps/enroll/routes/names.hpp>

namespace vps::enroll::routes {

std::optional<std::vector<std::string>> split_path(std::string_view target) {
  if (target.empty() || target.front() != '/' || target.size() > 2048) return std::nullopt;
  if (target.find_first_of("?#%\\") != std::string_view::npos) return std::nullopt;
  std::vector<std::string> segments;
  std::string_view rest = target.substr(1);
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    if (segments.size() == 8) return std::nullopt;
    segments.emplace_back(segment);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return segments;
}

}  // namespace vps::enroll::routes
