#pragma once
// Test helper for activation tests: a scratch "/run" (tmpfs) in a private mount namespace,
// with the secrets mount point, link and credential store below it, like the real layout.

#include <sys/stat.h>

#include <vps/host/secrets/activation.hpp>

#include "../mounts/private_mounts.hpp"

namespace vps::test {

struct SecretsScratch {
  ScratchMounts scratch;
  host::secrets::ActivationOptions options;
  bool ready = false;

  explicit SecretsScratch(host::mounts::FsType type = host::mounts::FsType::ramfs, std::string tmpfs_size = {}) {
    if (!scratch.mount("tmpfs", "run", "size=16m,mode=0755")) return;
    options.mount.mount_point = scratch / "run/vps-secrets.d";
    options.mount.type = type;
    options.mount.tmpfs_size = std::move(tmpfs_size);
    options.link = scratch / "run/vps-secrets";
    scratch.adopt(options.mount.mount_point);  // mounted by activate(); detached with the rest
    ready = true;
  }
  std::filesystem::path mount() const { return options.mount.mount_point; }
  std::filesystem::path link() const { return options.link; }
  std::filesystem::path generation(std::uint64_t n) const { return mount() / std::to_string(n); }
};

inline host::secrets::Material secret(std::string name, std::string_view value, std::string owner = "root",
                                      std::string group = "root", mode_t mode = 0400) {
  host::secrets::Material material;
  material.spec.name = std::move(name);
  material.spec.owner = std::move(owner);
  material.spec.group = std::move(group);
  material.spec.mode = mode;
  material.plaintext.assign(value.begin(), value.end());
  return material;
}

inline struct stat stat_of(const std::filesystem::path& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return st;
}

inline std::vector<std::string> entries(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace vps::test

#define VPS_SECRETS_SCRATCH(var, ...)                                    \
  VPS_REQUIRE_PRIVATE_MOUNTS();                                          \
  ::vps::test::SecretsScratch var{__VA_ARGS__};                          \
  REQUIRE_MESSAGE(var.ready, "cannot mount a scratch tmpfs")
