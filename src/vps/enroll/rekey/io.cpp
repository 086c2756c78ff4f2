#include <vps/enroll/rekey/io.hpp>

#include <cstdlib>

#include <sys/stat.h>

#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::enroll::rekey {
namespace {

namespace fs = std::filesystem;
namespace age = vps::formats::age;

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0600;
  return st.st_mode & 07777;
}

}  // namespace

bool is_age_file(const fs::path& path) { return path.extension() == ".age"; }

std::string relative_to(const fs::path& file, const fs::path& dir) {
  const std::string abs = fs::absolute(file).lexically_normal().string();
  const std::string prefix = fs::absolute(dir).lexically_normal().string();
  const std::string with_slash = prefix.ends_with('/') ? prefix : prefix + "/";
  return abs.starts_with(with_slash) ? abs.substr(with_slash.size()) : abs;
}

Result<age::IdentityList> load_identities(const std::vector<fs::path>& identity_files) {
  std::vector<fs::path> paths = identity_files;
  if (paths.empty()) {
    if (const char* env = std::getenv("SOPS_AGE_KEY_FILE"); env && *env) {
      paths.emplace_back(env);
    } else {
      const char* xdg = std::getenv("XDG_CONFIG_HOME");
      const char* home = std::getenv("HOME");
      fs::path def = xdg && *xdg ? fs::path(xdg) / "sops/age/keys.txt"
                                 : fs::path(home ? home : "/") / ".config/sops/age/keys.txt";
      if (fs::exists(def)) paths.push_back(def);
    }
  }
  if (paths.empty()) return fail(Errc::no_identity, "rekey: no identity; pass -i FILE (age key file or OpenSSH ed25519 key)");
  age::IdentityList all;
  for (const fs::path& path : paths) {
    auto text = VPS_TRY(sys::read_text_file(path, k_max_config_size));
    auto list = age::parse_identity_file(text, path.string());
    if (!list) return fail(list.error().context("-i " + path.string()));
    for (auto& id : *list) all.push_back(std::move(id));
  }
  return all;
}

Status write_keeping_mode(const fs::path& path, std::string_view text) {
  auto st = sys::write_file_atomic(path, as_bytes(text), mode_of(path));
  if (!st) return fail(st.error().context("writing " + path.string()));
  return {};
}

}  // namespace vps::enroll::rekey
