#pragma once
// Generations on the secrets mount: each activation writes a fresh directory <mount>/<N>
// (decimal, no leading zeros) and then points the current-generation link at it. Readers that
// opened a file keep the inode they opened; a path resolved after the switch sees the new
// generation whole. Everything here works relative to directory descriptors and never follows
// symlinks inside the mount.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>

namespace vps::host::mounts {

// "17" -> 17; rejects "", "017", "+1", "1a", and anything above 10^18.
std::optional<std::uint64_t> parse_generation(std::string_view name);

// Numbers of the generation directories under the mount, ascending.
Result<std::vector<std::uint64_t>> list_generations(int mount_fd, const std::filesystem::path& mount);

// The generation `link` points to, if it is a symlink to <mount>/<N>; nullopt if absent or
// pointing elsewhere.
Result<std::optional<std::uint64_t>> current_generation(const std::filesystem::path& link,
                                                        const std::filesystem::path& mount);

// Removes `name` under `dir_fd` and everything below it, never following symlinks.
Status remove_tree_at(int dir_fd, const std::string& name, const std::filesystem::path& what);

// Atomically makes `link` a symlink to `target`: a uniquely named temp symlink in the same
// directory renamed over `link`. Refuses (Errc::io) to replace anything but a symlink.
Status replace_symlink(const std::filesystem::path& target, const std::filesystem::path& link);

// The same inside an open directory (an O_PATH descriptor is enough): `name` under `dir_fd`,
// made with symlinkat/renameat relative to it, so nothing can redirect it to another
// directory. `link` only names it in messages.
Status replace_symlink_at(int dir_fd, const std::string& name, const std::filesystem::path& target,
                          const std::filesystem::path& link);

// Removes generation directories other than `current`, keeping the `keep_previous` newest ones
// below it; also removes leftovers above it (failed activations that could not clean up).
// Returns the generations removed.
Result<std::vector<std::uint64_t>> prune_generations(int mount_fd, const std::filesystem::path& mount,
                                                     std::uint64_t current, std::size_t keep_previous);

}  // namespace vps::host::mounts
