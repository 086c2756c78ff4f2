#include <vps/host/identity/hostname.hpp>

#include <unistd.h>

#include <vps/sys/fs/file.hpp>

namespace vps::host::identity {

std::string host_name(const std::filesystem::path& root) {
  if (!root.empty() && root != "/") {
    if (auto text = sys::read_text_file(root / "etc/hostname", 1024)) {
      auto& s = *text;
      auto begin = s.find_first_not_of(" \t\r\n");
      auto end = s.find_last_not_of(" \t\r\n");
      if (begin != std::string::npos) return s.substr(begin, end - begin + 1);
    }
  }
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace vps::host::identity
