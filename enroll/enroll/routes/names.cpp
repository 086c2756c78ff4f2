#include <enroll/routes/names.hpp>

#include <algorithm>

namespace vps::enroll::routes {

namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

}  // namespace

bool valid_secret_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || !alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

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
