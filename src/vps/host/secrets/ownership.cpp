#include <vps/host/secrets/ownership.hpp>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <vps/base/text.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::secrets {

namespace {

constexpr std::size_t k_max_buffer = 1 << 20;

// "65534" -> 65534; nullopt if not a decimal number (then it is a name). (uid_t)-1 is reserved
// ("no change" for chown), so ids up to 10 digits are read and the range checked by the caller.
std::optional<std::int64_t> parse_id(std::string_view text) { return text::parse_decimal(text, 0, 9999999999); }

// Calls getpwnam_r/getgrnam_r-style `lookup`, growing the buffer on ERANGE.
template <class Entry, class Lookup>
Result<std::optional<Entry>> lookup_entry(Lookup lookup, const std::string& name, const char* what) {
  std::vector<char> buffer(1024);
  for (;;) {
    Entry entry{};
    Entry* found = nullptr;
    int rc = lookup(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < k_max_buffer) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 && rc != ENOENT && rc != ESRCH)
      return fail(Errc::io, std::string("cannot look up ") + what + " '" + name + "': " + sys::errno_text(rc));
    if (!found) return std::optional<Entry>{};
    return std::optional<Entry>(entry);
  }
}

}  // namespace

Result<uid_t> resolve_user(std::string_view owner) {
  if (auto id = parse_id(owner)) {
    if (*id >= UINT32_MAX) return fail(Errc::config, "user id '" + std::string(owner) + "' is out of range");
    return static_cast<uid_t>(*id);
  }
  auto entry = VPS_TRY(lookup_entry<passwd>(::getpwnam_r, std::string(owner), "user"));
  if (!entry) return fail(Errc::config, "unknown user '" + std::string(owner) + "'");
  return entry->pw_uid;
}

Result<gid_t> resolve_group(std::string_view group) {
  if (auto id = parse_id(group)) {
    if (*id >= UINT32_MAX) return fail(Errc::config, "group id '" + std::string(group) + "' is out of range");
    return static_cast<gid_t>(*id);
  }
  auto entry = VPS_TRY(lookup_entry<struct group>(::getgrnam_r, std::string(group), "group"));
  if (!entry) return fail(Errc::config, "unknown group '" + std::string(group) + "'");
  return entry->gr_gid;
}

Result<sys::FileOwner> resolve_owner(std::string_view owner, std::string_view group) {
  auto uid = VPS_TRY(resolve_user(owner));
  auto gid = VPS_TRY(resolve_group(group));
  return sys::FileOwner{uid, gid};
}

}  // namespace vps::host::secrets
