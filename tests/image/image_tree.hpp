#pragma once
// A synthetic Linode root tree made by the real hooks (install-agent from a staged copy of the
// built binaries and units, prepare-capture), with stub kernel/initrd and the grub.cfg that
// build-linode-image writes, turned into images with mkfs -d: seconds, no debootstrap, no root.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace vps::test::image {

namespace fs = std::filesystem;

inline fs::path hook(const std::string& name) { return source_dir() / "image-hooks" / name; }

inline const char* k_grub_cfg =
    "set default=0\n"
    "menuentry 'test' {\n"
    "\tlinux /boot/vmlinuz-6.1.0-99-amd64 root=/dev/sda ro console=ttyS0,19200n8 net.ifnames=0\n"
    "\tinitrd /boot/initrd.img-6.1.0-99-amd64\n"
    "}\n";

// Every tool the image tests run; a test skips loudly when one is missing.
inline std::vector<std::string> missing_tools() {
  std::vector<std::string> missing;
  for (const char* tool : {"mkfs.ext4", "debugfs", "blkid", "gzip", "systemctl"})
    if (!find_program(tool)) missing.emplace_back(tool);
  return missing;
}

#define VPS_REQUIRE_IMAGE_TOOLS()                                                        \
  if (auto missing = ::vps::test::image::missing_tools(); !missing.empty())              \
  VPS_SKIP("image tools missing: " + missing.front() + " (apt-get install e2fsprogs systemd)")

class ImageTree {
 public:
  explicit ImageTree(const TempDir& tmp) : m_dir(tmp.path()), m_root(tmp.path() / "root") {
    stage();
    for (const char* dir : {"etc/ssh", "boot/grub", "var/lib/vps-agent", "var/lib/dbus", "var/log/journal",
                            "usr/lib/systemd/system", "tmp", "proc", "sys", "dev"})
      fs::create_directories(m_root / dir);
    write_text(m_root / "boot/vmlinuz-6.1.0-99-amd64", "stub kernel\n");
    write_text(m_root / "boot/initrd.img-6.1.0-99-amd64", "stub initrd\n");
    write_text(m_root / "boot/grub/grub.cfg", k_grub_cfg);
    // What a build machine leaves behind, for prepare-capture to remove.
    write_text(m_root / "etc/ssh/ssh_host_ed25519_key", "build machine key\n");
    write_text(m_root / "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
    write_text(m_root / "var/lib/dbus/machine-id", "0123456789abcdef0123456789abcdef\n");
    write_text(m_root / "var/lib/vps-agent/state.json", "{}\n");
    write_text(m_root / "var/log/journal/system.journal", "journal\n");
    auto installed = run({"bash", hook("install-agent").string(), m_root.string(), m_stage.string()});
    INFO(installed.err);
    REQUIRE(installed.exit_code == 0);
    auto prepared = run({"bash", hook("prepare-capture").string(), m_root.string()});
    INFO(prepared.err);
    REQUIRE(prepared.exit_code == 0);
  }

  const fs::path& root() const { return m_root; }
  fs::path operator/(const std::string& rel) const { return m_root / rel; }

  // mkfs (ext4 unless told otherwise) -d the tree into <name>; returns its path.
  fs::path raw(const std::string& name, const std::string& mkfs = "mkfs.ext4") const {
    auto image = m_dir / name;
    auto made = run({mkfs, "-q", "-F", "-L", "linode-root", "-d", m_root.string(), image.string(), "32M"});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    return image;
  }

  // raw() then gzip → <name>.gz
  fs::path gz(const std::string& name, const std::string& mkfs = "mkfs.ext4") const {
    auto image = raw(name, mkfs);
    auto zipped = run({"gzip", "-n", "-f", image.string()});
    REQUIRE(zipped.exit_code == 0);
    return fs::path(image.string() + ".gz");
  }

 private:
  // What 'DESTDIR=stage cmake --install build --prefix /usr' produces (agent part).
  void stage() {
    m_stage = m_dir / "stage";
    fs::create_directories(m_stage / "usr/bin");
    fs::create_directories(m_stage / "usr/lib/systemd/system");
    // A stand-in that runs the built binary: the real one with debug info would not fit the
    // small test filesystems, and no test runs the agent from inside the tree.
    write_text(m_stage / "usr/bin/vps-agent", "#!/bin/sh\nexec '" + agent_binary().string() + "' \"$@\"\n");
    fs::permissions(m_stage / "usr/bin/vps-agent", fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    for (const auto& entry : fs::directory_iterator(source_dir() / "units")) {
      auto name = entry.path().filename().string();
      if (name.starts_with("vps-agent") || name.starts_with("vps-secrets"))
        fs::copy_file(entry.path(), m_stage / "usr/lib/systemd/system" / name);
    }
  }

  fs::path m_dir;
  fs::path m_root;
  fs::path m_stage;
};

struct CheckResult {
  int exit_code = -1;
  nlohmann::json report;
  std::string err;
};

inline CheckResult check_image(const fs::path& image) {
  auto result = run({"bash", hook("check-image").string(), "--json", image.string()});
  CheckResult out{result.exit_code, nlohmann::json::parse(result.out, nullptr, false), result.err};
  INFO("check-image: " << result.out << result.err);
  REQUIRE_FALSE(out.report.is_discarded());
  return out;
}

// The problems of one check ("compression", "host-keys", ...).
inline std::vector<nlohmann::json> problems_of(const CheckResult& result, const std::string& check) {
  std::vector<nlohmann::json> found;
  for (const auto& p : result.report.at("problems"))
    if (p.at("check") == check) found.push_back(p);
  return found;
}

}  // namespace vps::test::image
