#pragma once
// An exclusive advisory lock (flock) on a file in the state directory. Whoever changes the
// host identity or state.json holds it, so firstboot, publish and status never interleave
// their read-modify-write cycles. The kernel drops it when the process dies (SIGKILL too).

#include <filesystem>

#include <vps/base/result.hpp>
#include <vps/sys/fs/fd.hpp>

namespace vps::host::state {

class StateLock {
 public:
  // Creates dir (0755) and <dir>/lock (0600) if needed, then blocks until the lock is ours.
  static Result<StateLock> acquire(const std::filesystem::path& state_dir);

 private:
  explicit StateLock(sys::Fd fd) : m_fd(std::move(fd)) {}
  sys::Fd m_fd;
};

}  // namespace vps::host::state
