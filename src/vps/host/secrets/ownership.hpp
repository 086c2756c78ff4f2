#pragma once
// owner/group options to numeric ids. Names resolve through NSS on the live system (the users
// that will run the services), not through a --root tree; all-digit values are taken as ids.

#include <string_view>

#include <sys/types.h>

#include <vps/base/result.hpp>
#include <vps/sys/fs/atomic_file.hpp>

namespace vps::host::secrets {

// Errc::config for an unknown name or an out-of-range id.
Result<uid_t> resolve_user(std::string_view owner);
Result<gid_t> resolve_group(std::string_view group);
Result<sys::FileOwner> resolve_owner(std::string_view owner, std::string_view group);

}  // namespace vps::host::secrets
