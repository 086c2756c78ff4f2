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
#include <vps/sys/fs/atomic_file.hpp>

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

// Switching a link (the generation link, custom paths) is the symlink form of the one atomic
// replace (sys/fs/atomic_file.hpp).
using sys::replace_symlink;
using sys::replace_symlink_at;

// Removes generation directories other than `current`, keeping the `keep_previous` newest ones
// below it; also removes leftovers above it (failed activations that could not clean up).
// Returns the generations removed.
Result<std::vector<std::uint64_t>> prune_generations(int mount_fd, const std::filesystem::path& mount,
                                                     std::uint64_t current, std::size_t keep_previous);

}  // namespace vps::host::mounts
