#pragma once
// Every default path the programs use is absolute ("/etc/vps-agent/config.yaml"); --root moves
// all of them under another directory (tests, image builds). One join for all of them.

#include <filesystem>

namespace vps::sys {

// root + path: "/" or an empty root leaves path as it is; otherwise path's leading slashes are
// dropped and it is appended to root. Joined as strings: std::filesystem's operator/ re-splits
// both into components, which dominated loading a 1000-secret config.
std::filesystem::path under_root(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace vps::sys
