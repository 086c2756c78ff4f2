#pragma once
// Atomic but not durable replacement: temp file (O_EXCL, final mode), write, rename; no fsync.
// Readers and crashes still see the old or the new content only (modulo the filesystem losing
// the not-yet-written-back new file after power loss). For files that are derived or
// re-derivable on every boot (the host key's .pub; state.json at first boot), where the rules
// that read them handle their loss; the two fsyncs per file would otherwise double the
// first-boot critical path. Temps are "<target>.tmp-<hex>", like AtomicFile's, so
// identity::remove_stale_temps clears those a killed run left.

#include <filesystem>

#include <sys/types.h>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::host::state {

enum class Durability {
  durable,  // AtomicFile: fsync file, rename, fsync directory
  atomic,   // replace_file_unsynced
};

Status replace_file_unsynced(const std::filesystem::path& target, ByteView data, mode_t mode);

}  // namespace vps::host::state
