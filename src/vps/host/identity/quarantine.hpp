#pragma once
// Quarantine: a host key we will not use is renamed aside, never deleted, so an operator can
// inspect it ("<key>.corrupt-20261127T033000Z", "<key>.inherited-<old instance id>"; the .pub
// follows as "<key>.pub.<same suffix>"). Also clears temp files a killed writer left behind.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>

namespace vps::host::identity {

std::string corrupt_suffix();                                   // "corrupt-<UTC compact>"
std::string inherited_suffix(std::string_view old_instance_id);  // "inherited-<id or unknown>"

// Renames key_path (and its .pub when present) to "<name>.<suffix>" without replacing anything
// ("-2", "-3", ... appended on collision), then fsyncs the directory. Returns the key's new path.
Result<std::filesystem::path> quarantine_key(const std::filesystem::path& key_path, std::string_view suffix);

// Quarantined private keys next to key_path, sorted.
std::vector<std::filesystem::path> list_quarantined(const std::filesystem::path& key_path);

// Removes "<file>.tmp-*" and "<file>.pub.tmp-*" (AtomicFile temps of a killed run). Only safe
// while holding the StateLock. Returns how many were removed.
Result<int> remove_stale_temps(const std::filesystem::path& file);

}  // namespace vps::host::identity
