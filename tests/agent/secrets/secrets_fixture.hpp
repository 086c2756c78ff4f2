#pragma once
// A scratch host for `vps-agent --root R secrets`: an ssh-keygen host key, a config with a
// secrets: section, sources encrypted with our own encrypters, and a private mount namespace
// (this test process unshares once, so the ramfs the agent mounts under R is visible here and
// vanishes with the process).
#include <doctest/doctest.h>

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <vps/crypto/random.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/formats/sops/sops.hpp>

#include "test_support.hpp"

namespace vps::test::secrets {

namespace fs = std::filesystem;

// Enters a private mount namespace; false (caller skips) when not permitted.
inline bool enter_private_mount_namespace() {
  static bool entered = false;
  if (entered) return true;
  if (!is_root()) return false;
  if (::unshare(CLONE_NEWNS) != 0) return false;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
  entered = true;
  return true;
}

#define VPS_REQUIRE_MOUNT_NAMESPACE()                                                            \
  if (!::vps::test::is_root()) VPS_SKIP("needs root (mounts a ramfs in a private mount namespace)"); \
  if (!::vps::test::secrets::enter_private_mount_namespace())                                   \
    VPS_SKIP("cannot unshare a private mount namespace")

struct Host {
  TempDir dir;
  fs::path root = dir.path() / "root";
  std::string recipient;  // the host's age1...

  Host() {
    fs::create_directories(root / "etc/ssh");
    fs::create_directories(root / "etc/vps-agent");
    fs::create_directories(root / "srv/secrets");
    auto r = run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (root / "etc/ssh/ssh_host_ed25519_key").string()});
    REQUIRE(r.exit_code == 0);
    auto pub = run({agent_binary().string(), "--root", root.string(), "pubkey", "--format", "age"});
    REQUIRE(pub.exit_code == 0);
    recipient = pub.out.substr(0, pub.out.find('\n'));
  }
  ~Host() {
    // The ramfs lives in our namespace only; detach it so TempDir can remove the tree.
    ::umount2((root / "run/vps-secrets.d").c_str(), MNT_DETACH);
  }

  fs::path src(const std::string& name) const { return root / "srv/secrets" / name; }
  fs::path mount() const { return root / "run/vps-secrets.d"; }
  fs::path link() const { return root / "run/vps-secrets"; }

  void config(const std::string& secrets_section) const {
    write_text(root / "etc/vps-agent/config.yaml", "secrets:\n" + secrets_section);
  }

  ProcessResult agent(std::vector<std::string> args, const ProcessOptions& options = {}) const {
    std::vector<std::string> argv{agent_binary().string(), "--root", root.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, options);
  }
};

inline std::string another_recipient() {
  crypto::Ed25519Seed seed;
  crypto::random_bytes(std::span<std::uint8_t>(seed.data(), seed.size()));
  return formats::age::X25519Identity::from_ed25519_seed(seed).recipient().encode();
}

inline std::string age_encrypt(const std::string& plaintext, const std::string& recipient) {
  auto r = formats::age::parse_recipient(recipient);
  REQUIRE(r);
  auto out = formats::age::encrypt(as_bytes(plaintext), {r->get()}, /*armor=*/false);
  REQUIRE(out);
  return std::string(as_chars(*out));
}

inline std::string sops_encrypt(const std::string& plaintext, formats::sops::Format format, const std::string& recipient) {
  auto r = formats::age::parse_recipient(recipient);
  REQUIRE(r);
  auto out = formats::sops::encrypt(plaintext, format, {r->get()});
  REQUIRE(out);
  return *out;
}

// Writes via temp + rename, as deployment tools do.
inline void replace_file(const fs::path& path, const std::string& content) {
  write_text(path.string() + ".tmp", content);
  fs::rename(path.string() + ".tmp", path);
}

}  // namespace vps::test::secrets
