#include <vps/config/load.hpp>

#include <cerrno>
#include <cstring>
#include <optional>

#include <fcntl.h>
#include <unistd.h>

#include <vps/config/parse.hpp>

namespace vps::config {
namespace {

// root + path by string: path is absolute and normalised by the parser, and std::filesystem's
// operator/ re-splits both into components (it dominated loading a 1000-secret config).
std::filesystem::path under(const std::filesystem::path& root, const std::filesystem::path& path) {
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

// Bounded read without the host/ layer (config sits below it).
Result<std::optional<std::string>> read_config_text(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return fail(Errc::io, "cannot open '" + path.string() + "': " + std::strerror(errno));
  }
  std::string text;
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fail(Errc::io, "cannot read '" + path.string() + "': " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > k_max_config_size) {
      ::close(fd);
      return fail(Errc::config, path.string() + ": larger than 1 MiB");
    }
  }
  ::close(fd);
  return std::optional<std::string>(std::move(text));
}

}  // namespace

Config relocate(Config config, const std::filesystem::path& root) {
  config.identity.host_key = under(root, config.identity.host_key);
  config.instance.dmi_path = under(root, config.instance.dmi_path);
  config.state_dir = under(root, config.state_dir);
  config.console.path = under(root, config.console.path);
  config.enrollment.ca_file = under(root, config.enrollment.ca_file);
  config.enrollment.token_file = under(root, config.enrollment.token_file);
  config.authorized_operators.file = under(root, config.authorized_operators.file);
  config.rebuild.state_file = under(root, config.rebuild.state_file);  // the command is not relocated
  auto& secrets = config.secrets;
  secrets.mount = under(root, secrets.mount);
  secrets.link = under(root, secrets.link);
  if (secrets.credentials_dir) secrets.credentials_dir = under(root, *secrets.credentials_dir);
  for (auto& file : secrets.files) {
    file.source = under(root, file.source);
    if (file.path) file.path = under(root, *file.path);
  }
  for (auto& tmpl : secrets.templates) {
    tmpl.file = under(root, tmpl.file);
    if (tmpl.path) tmpl.path = under(root, *tmpl.path);
  }
  return config;
}

std::filesystem::path config_file(const std::filesystem::path& root, const std::string& config_path) {
  return config_path.empty() ? under(root, k_default_config_path) : std::filesystem::path(config_path);
}

Result<Config> load(const std::filesystem::path& root, const std::string& config_path) {
  const std::filesystem::path path = config_file(root, config_path);
  auto text = VPS_TRY(read_config_text(path));
  if (!text) {
    if (!config_path.empty()) return fail(Errc::missing, "config file '" + path.string() + "' does not exist");
    return relocate(Config{}, root);
  }
  auto config = VPS_TRY(parse(*text, path.string()));
  return relocate(std::move(config), root);
}

}  // namespace vps::config
