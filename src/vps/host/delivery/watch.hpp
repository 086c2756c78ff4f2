#pragma once
// Waiting for source files to change: inotify on their parent directories (deployments replace
// files by rename, which a watch on the file itself would miss). Directories that do not exist
// are skipped; callers retry periodically anyway.

#include <chrono>
#include <filesystem>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/sys/fs/fd.hpp>

namespace vps::host::delivery {

class DirWatch {
 public:
  static Result<DirWatch> open(const std::vector<std::filesystem::path>& dirs);
  // Waits at most `timeout`; true if something changed in a watched directory (events drained).
  Result<bool> wait(std::chrono::milliseconds timeout);
  // For callers that poll several descriptors: readable when something changed; drain() then.
  int fd() const { return m_fd.get(); }
  void drain();

 private:
  explicit DirWatch(sys::Fd fd) : m_fd(std::move(fd)) {}
  sys::Fd m_fd;
};

}  // namespace vps::host::delivery
