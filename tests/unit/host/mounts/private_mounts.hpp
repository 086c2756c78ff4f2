#pragma once
// Test helper (header-only, shared by the host/mounts and host/secrets tests): run mount tests in
// a private mount namespace, on scratch paths, never on the real /run. CTest runs each TEST_CASE
// in its own process, so the namespace (entered once per process) dies with the test; every
// mount is also detached explicitly before the scratch directory is removed.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <sched.h>
#include <sys/mount.h>

#include "test_support.hpp"

namespace vps::test {

// Empty string on success, otherwise why the namespace could not be entered.
inline std::string enter_private_mount_namespace() {
  static std::string state = "untried";
  if (state == "untried") {
    if (::unshare(CLONE_NEWNS) != 0) {
      state = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    } else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      state = std::string("making / rprivate: ") + std::strerror(errno);
    } else {
      state.clear();
    }
  }
  return state;
}

// Skips (loudly) unless root and inside a fresh private mount namespace.
#define VPS_REQUIRE_PRIVATE_MOUNTS()                                                              \
  do {                                                                                            \
    if (!::vps::test::is_root()) VPS_SKIP("needs root: mounts ramfs/tmpfs in a private mount namespace"); \
    auto vps_ns_error_ = ::vps::test::enter_private_mount_namespace();                            \
    if (!vps_ns_error_.empty()) VPS_SKIP("cannot enter a private mount namespace: " + vps_ns_error_); \
  } while (0)

// A scratch tree whose mounts are detached (deepest first) before the directory is removed.
class ScratchMounts {
 public:
  ScratchMounts() = default;
  ~ScratchMounts() {
    for (auto it = m_mounts.rbegin(); it != m_mounts.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  }
  ScratchMounts(const ScratchMounts&) = delete;
  ScratchMounts& operator=(const ScratchMounts&) = delete;

  const std::filesystem::path& root() const { return m_dir.path(); }
  std::filesystem::path operator/(const std::string& name) const { return m_dir / name; }

  // Mounts a filesystem of `type` at root()/name (created), with `data` options.
  bool mount(const std::string& type, const std::string& name, const std::string& data = "") {
    auto path = m_dir / name;
    std::filesystem::create_directories(path);
    if (::mount(type.c_str(), path.c_str(), type.c_str(), 0, data.c_str()) != 0) return false;
    m_mounts.push_back(path);
    return true;
  }
  bool bind(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) != 0) return false;
    m_mounts.push_back(to);
    return true;
  }
  // Registers a mount made by the code under test, so it is detached too.
  void adopt(const std::filesystem::path& path) { m_mounts.push_back(path); }

 private:
  TempDir m_dir;
  std::vector<std::filesystem::path> m_mounts;
};

}  // namespace vps::test
