#include <vps/sys/fs/under_root.hpp>

#include <string>
#include <string_view>

namespace vps::sys {

std::filesystem::path under_root(const std::filesystem::path& root, const std::filesystem::path& path) {
  if (path.empty() || root.empty() || root == "/") return path;
  std::string_view base = root.native();
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  std::string_view rest = path.native();
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  std::string joined;
  joined.reserve(base.size() + 1 + rest.size());
  joined.append(base).append("/").append(rest);
  return joined;
}

}  // namespace vps::sys
