#include <vps/enroll/rekey/io.hpp>

#include <cstdlib>

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include <vps/formats/sops/sops.hpp>

#include <vps/sys/fs/atomic_file.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::enroll::rekey {
namespace {

namespace fs = std::filesystem;
namespace age = vps::formats::age;

bool hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.size() > 1 && name.front() == '.' && name != "..";
}

constexpr std::size_t k_max_walked = 100000;
constexpr std::string_view k_age_header = "age-encryption.org/v1\n";

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

Result<std::vector<fs::path>> walk_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) return fail(Errc::io, dir.string() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return fail(Errc::io, dir.string() + ": " + ec.message());
    const fs::directory_entry& entry = *it;
    if (entry.is_directory(ec)) {
      if (hidden(entry.path())) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(ec)) continue;
    if (out.size() >= k_max_walked)
      return fail(Errc::unsupported, dir.string() + ": more than " + std::to_string(k_max_walked) + " files");
    out.push_back(entry.path());
  }
  if (ec) return fail(Errc::io, dir.string() + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> not_encrypted(const fs::path& path, const std::string& text) {
  if (is_age_file(path)) {
    if (text.starts_with(k_age_header) || text.starts_with(k_age_armor_begin)) return std::nullopt;
    return "not an age file (no age header)";
  }
  auto file = formats::sops::load(text, formats::sops::format_for_path(path.string()));
  if (!file) return "not a sops file (" + file.error().message + ")";
  return std::nullopt;
}

Result<std::vector<Candidate>> gather_files(const SopsConfig& config, const fs::path& config_file,
                                            const std::vector<fs::path>& given) {
  const fs::path config_dir = fs::absolute(config_file).parent_path();
  std::vector<Candidate> out;
  std::set<fs::path> seen{fs::weakly_canonical(config_file)};  // .sops.yaml itself is no secret
  for (const fs::path& path : given) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      if (seen.insert(fs::weakly_canonical(path)).second) out.push_back({path, false});
      continue;
    }
    for (const fs::path& found : VPS_TRY(walk_files(path))) {
      if (!seen.insert(fs::weakly_canonical(found)).second) continue;
      auto rule = match_rule(config, relative_to(found, config_dir));
      if (!rule) return fail(rule.error().context(config_file.string()));
      if (*rule) out.push_back({found, true});
    }
  }
  return out;
}

}  // namespace vps::enroll::rekey
