#include <vps/host/secrets/names.hpp>

#include <algorithm>

#include <vps/base/text.hpp>

namespace vps::host::secrets {

namespace {

constexpr std::size_t k_max_component = 255;
constexpr std::size_t k_max_name = 1024;

bool allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c == '+' || c == '=' || c == '@' || c == ',';
}

Status bad(std::string_view kind, std::string_view name, std::string_view why) {
  // Names are not secret; they are quoted so stray spaces are visible.
  return fail(Errc::config, "invalid " + std::string(kind) + " name '" + std::string(name) + "': " + std::string(why));
}

}  // namespace

Status check_name(std::string_view kind, std::string_view name) {
  if (name.empty()) return bad(kind, name, "empty");
  if (name.size() > k_max_name) return bad(kind, text::utf8_prefix(name, 40), "longer than 1024 bytes");
  std::size_t start = 0;
  while (start <= name.size()) {
    auto end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    auto component = name.substr(start, end - start);
    if (component.empty()) return bad(kind, name, "empty path component");
    if (component == "." || component == "..") return bad(kind, name, "'.' or '..' component");
    if (component.size() > k_max_component) return bad(kind, name, "path component longer than 255 bytes");
    if (!std::all_of(component.begin(), component.end(), allowed))
      return bad(kind, name, "only letters, digits and . _ - + = @ , are allowed");
    start = end + 1;
  }
  return {};
}

std::string credential_name(std::string_view secret_name) {
  std::string out(secret_name);
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

Status check_name_set(std::string_view kind, std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  for (std::size_t i = 1; i < names.size(); ++i) {
    if (names[i] == names[i - 1]) return bad(kind, names[i], "defined twice");
  }
  // After sorting, "a/..." entries follow "a" directly or after other "a"-prefixed names
  // ("a-b" sorts before "a/b"), so scan forward while the prefix matches.
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (std::size_t j = i + 1; j < names.size() && names[j].compare(0, names[i].size(), names[i]) == 0; ++j) {
      if (names[j].size() > names[i].size() && names[j][names[i].size()] == '/')
        return bad(kind, names[j], "'" + names[i] + "' is also a file, it cannot be a directory");
    }
  }
  return {};
}

}  // namespace vps::host::secrets
