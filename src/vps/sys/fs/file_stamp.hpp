#pragma once
// Has a file changed since we last read it? A FileStamp is what stat() says about identity and
// content version (device, inode, size, modification time in ns, or "absent"): a file replaced
// by rename gets another inode, one edited in place another size or mtime. Cheap enough to
// check on every request, which is how the operator lists (host and endpoint) pick up a
// removed key with the next request instead of at the next restart.

#include <cstdint>
#include <filesystem>

namespace vps::sys {

struct FileStamp {
  bool exists = false;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

// stat() follows symlinks (a /etc/static-style link to a new target counts as a change of
// the target, as it should). Any error other than "absent" yields a stamp that never equals a
// previous one, so the caller re-reads and reports the error.
FileStamp stamp_of(const std::filesystem::path& path);

}  // namespace vps::sys
