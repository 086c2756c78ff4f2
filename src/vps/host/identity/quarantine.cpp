#include <vps/host/identity/quarantine.hpp>

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <stdio.h>

#include <vps/sys/fs/file.hpp>
#include <vps/host/identity/host_key.hpp>
#include <vps/base/clock.hpp>

namespace vps::host::identity {
namespace {

constexpr int k_max_collisions = 100;

std::filesystem::path with_suffix(const std::filesystem::path& path, std::string_view suffix) {
  auto out = path;
  out += ".";
  out += std::string(suffix);
  return out;
}

enum class Renamed { moved, source_absent, target_exists };

// rename(2) that never replaces an existing target.
Result<Renamed> rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return Renamed::moved;
  int err = errno;
  if (err == ENOENT) return Renamed::source_absent;
  if (err == EEXIST) return Renamed::target_exists;
  return fail(Errc::io, "cannot rename '" + from.string() + "' to '" + to.string() + "': " + sys::errno_text(err));
}

}  // namespace

std::string corrupt_suffix() { return "corrupt-" + clock::utc_compact(); }

std::string inherited_suffix(std::string_view old_instance_id) {
  std::string id;
  for (char c : old_instance_id.substr(0, 64)) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    id += safe ? c : '_';
  }
  return "inherited-" + (id.empty() ? std::string("unknown") : id);
}

Result<std::filesystem::path> quarantine_key(const std::filesystem::path& key_path, std::string_view suffix) {
  for (int attempt = 1; attempt <= k_max_collisions; ++attempt) {
    std::string unique(suffix);
    if (attempt > 1) unique += "-" + std::to_string(attempt);
    auto target = with_suffix(key_path, unique);
    auto pub_target = with_suffix(public_key_path(key_path), unique);
    if (std::filesystem::exists(pub_target)) continue;
    auto moved = VPS_TRY(rename_no_replace(key_path, target));
    if (moved == Renamed::target_exists) continue;
    if (moved == Renamed::source_absent)
      return fail(Errc::missing, "host key '" + key_path.string() + "' vanished before quarantine");
    // The .pub describes the quarantined key, so it moves along (absent is fine; pub_target was
    // checked free above and we hold the state lock).
    VPS_TRY(rename_no_replace(public_key_path(key_path), pub_target));
    auto dir = key_path.parent_path();
    VPS_CHECK(sys::fsync_directory(dir.empty() ? std::filesystem::path(".") : dir));
    return target;
  }
  return fail(Errc::io, "too many quarantined keys named '" + with_suffix(key_path, suffix).string() + "*'");
}

std::vector<std::filesystem::path> list_quarantined(const std::filesystem::path& key_path) {
  std::vector<std::filesystem::path> out;
  std::string name = key_path.filename().string();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(key_path.parent_path(), ec)) {
    std::string file = entry.path().filename().string();
    if (file.starts_with(name + ".corrupt-") || file.starts_with(name + ".inherited-")) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<int> remove_stale_temps(const std::filesystem::path& key_path) {
  std::string name = key_path.filename().string();
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(key_path.parent_path(), ec)) {
    std::string file = entry.path().filename().string();
    if (!file.starts_with(name + ".tmp-") && !file.starts_with(name + ".pub.tmp-")) continue;
    if (!std::filesystem::remove(entry.path(), ec) || ec)
      return fail(Errc::io, "cannot remove stale '" + entry.path().string() + "': " + ec.message());
    ++removed;
  }
  return removed;
}

}  // namespace vps::host::identity
