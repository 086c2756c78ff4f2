#pragma once
// Which files changed between the previous generation and the new one, so the caller restarts
// or reloads exactly the units whose secrets changed. Bytes are compared in constant time
// (for equal lengths); lengths alone may differ visibly.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::host::secrets {

// True if `name` under `previous_fd` exists as a regular file with exactly the bytes `now`.
// A missing or unreadable previous file counts as changed.
bool same_as_previous(int previous_fd, std::string_view name, ByteView now);

// Relative paths of all regular files below `dir_fd` (recursively, never following symlinks),
// sorted.
Result<std::vector<std::string>> list_files(int dir_fd, const std::filesystem::path& what);

}  // namespace vps::host::secrets
