#include <vps/config/load.hpp>

#include <optional>

#include <vps/config/parse.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/sys/fs/under_root.hpp>

namespace vps::config {

Config relocate(Config config, const std::filesystem::path& root) {
  config.identity.host_key = sys::under_root(root, config.identity.host_key);
  config.instance.dmi_path = sys::under_root(root, config.instance.dmi_path);
  config.state_dir = sys::under_root(root, config.state_dir);
  config.console.path = sys::under_root(root, config.console.path);
  config.enrollment.ca_file = sys::under_root(root, config.enrollment.ca_file);
  config.enrollment.token_file = sys::under_root(root, config.enrollment.token_file);
  config.authorized_operators.file = sys::under_root(root, config.authorized_operators.file);
  config.rebuild.state_file = sys::under_root(root, config.rebuild.state_file);  // the command is not relocated
  auto& secrets = config.secrets;
  secrets.mount = sys::under_root(root, secrets.mount);
  secrets.link = sys::under_root(root, secrets.link);
  if (secrets.credentials_dir) secrets.credentials_dir = sys::under_root(root, *secrets.credentials_dir);
  for (auto& file : secrets.files) {
    file.source = sys::under_root(root, file.source);
    if (file.path) file.path = sys::under_root(root, *file.path);
  }
  for (auto& tmpl : secrets.templates) {
    tmpl.file = sys::under_root(root, tmpl.file);
    if (tmpl.path) tmpl.path = sys::under_root(root, *tmpl.path);
  }
  return config;
}

std::filesystem::path config_file(const std::filesystem::path& root, const std::string& config_path) {
  return config_path.empty() ? sys::under_root(root, k_default_config_path) : std::filesystem::path(config_path);
}

Result<Config> load(const std::filesystem::path& root, const std::string& config_path) {
  const std::filesystem::path path = config_file(root, config_path);
  auto text = sys::read_text_file(path, k_max_config_size);
  if (!text && text.error().code == Errc::missing) {
    if (!config_path.empty()) return fail(Errc::missing, "config file '" + path.string() + "' does not exist");
    return relocate(Config{}, root);
  }
  if (!text && text.error().code == Errc::malformed) {
    return fail(Errc::config, path.string() + ": larger than 1 MiB");
  }
  if (!text) return fail(std::move(text).error());
  auto config = VPS_TRY(parse(*text, path.string()));
  return relocate(std::move(config), root);
}

}  // namespace vps::config
