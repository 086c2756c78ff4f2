// image-hooks/install-agent, prepare-capture and build-linode-image's argument checks, on
// scratch root trees (no root needed, nothing outside the TempDir touched).
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "image_tree.hpp"

using namespace vps::test;
using namespace vps::test::image;

TEST_SUITE("image-hooks") {

TEST_CASE("install-agent installs, configures for Linode and enables the units") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);
  CHECK(fs::exists(tree / "usr/bin/vps-agent"));
  auto config = read_text(tree / "etc/vps-agent/config.yaml");
  CHECK(config.find("path: /dev/ttyS0") != std::string::npos);
  CHECK(read_text(tree / "etc/systemd/system/vps-agent-firstboot.service.d/10-serial-console.conf")
            .find("DeviceAllow=/dev/ttyS0 w") != std::string::npos);
  for (const char* link : {"sysinit.target.wants/vps-agent-firstboot.service",
                           "multi-user.target.wants/vps-agent-publish.service",
                           "multi-user.target.wants/vps-secrets.target",
                           "multi-user.target.wants/vps-secrets.service",
                           "vps-secrets.target.requires/vps-secrets-wait.service"})
    CHECK_MESSAGE(fs::is_symlink(tree / "etc/systemd/system" / link), link);

  // The agent accepts the config it will boot with: 79 (no key yet), never 78 (config invalid).
  auto status = run({agent_binary().string(), "--root", tree.root().string(), "pubkey"});
  INFO(status.err);
  CHECK(status.exit_code == 79);
}

TEST_CASE("install-agent takes the operator's config and refuses the running system") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);
  write_text(tmp / "custom.yaml", "console:\n  path: /dev/ttyS1\n");
  auto again = run({"bash", hook("install-agent").string(), "--config", (tmp / "custom.yaml").string(),
                    tree.root().string(), (tmp / "stage").string()});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(read_text(tree / "etc/vps-agent/config.yaml") == "console:\n  path: /dev/ttyS1\n");

  CHECK(run({"bash", hook("install-agent").string(), "/", (tmp / "stage").string()}).exit_code == 64);
  CHECK(run({"bash", hook("install-agent").string(), tree.root().string()}).exit_code == 64);
  CHECK(run({"bash", hook("install-agent").string(), tree.root().string(), (tmp / "no.deb").string()}).exit_code ==
        66);
}

TEST_CASE("prepare-capture removes every per-instance trace") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);  // ran prepare-capture over a tree with a key, ids, state and a journal
  CHECK_FALSE(fs::exists(tree / "etc/ssh/ssh_host_ed25519_key"));
  CHECK(fs::file_size(tree / "etc/machine-id") == 0);
  CHECK(fs::is_symlink(tree / "var/lib/dbus/machine-id"));
  CHECK(fs::read_symlink(tree / "var/lib/dbus/machine-id") == "/etc/machine-id");
  CHECK(fs::is_directory(tree / "var/lib/vps-agent"));
  CHECK(fs::is_empty(tree / "var/lib/vps-agent"));
  CHECK(fs::is_empty(tree / "var/log/journal"));
}

TEST_CASE("prepare-capture truncates logs, drops caches and is idempotent") {
  VPS_REQUIRE_IMAGE_TOOLS();
  TempDir tmp;
  ImageTree tree(tmp);
  fs::create_directories(tree / "var/cache/apt/archives/partial");
  fs::create_directories(tree / "var/lib/apt/lists/partial");
  fs::create_directories(tree / "var/lib/systemd");
  write_text(tree / "var/log/dpkg.log", "installed things\n");
  write_text(tree / "var/log/dpkg.log.1", "older\n");
  write_text(tree / "var/cache/apt/pkgcache.bin", "cache");
  write_text(tree / "var/cache/apt/archives/x_1.0_amd64.deb", "deb");
  write_text(tree / "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", "lists");
  write_text(tree / "var/lib/apt/lists/lock", "");
  write_text(tree / "var/lib/systemd/random-seed", "seed");
  // A build machine's core dumps may hold whatever its processes had in memory.
  fs::create_directories(tree / "var/lib/systemd/coredump");
  write_text(tree / "var/lib/systemd/coredump/core.vps-agent.0.1234.zst", "core");
  write_text(tree / "tmp/leftover", "x");
  for (int pass = 0; pass < 2; ++pass) {
    auto prepared = run({"bash", hook("prepare-capture").string(), tree.root().string()});
    INFO(prepared.err);
    REQUIRE(prepared.exit_code == 0);
  }
  CHECK(fs::file_size(tree / "var/log/dpkg.log") == 0);
  CHECK_FALSE(fs::exists(tree / "var/log/dpkg.log.1"));
  CHECK_FALSE(fs::exists(tree / "var/cache/apt/pkgcache.bin"));
  CHECK_FALSE(fs::exists(tree / "var/cache/apt/archives/x_1.0_amd64.deb"));
  CHECK_FALSE(fs::exists(tree / "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease"));
  CHECK(fs::exists(tree / "var/lib/apt/lists/lock"));
  CHECK_FALSE(fs::exists(tree / "var/lib/systemd/random-seed"));
  CHECK(fs::is_directory(tree / "var/lib/systemd/coredump"));
  CHECK(fs::is_empty(tree / "var/lib/systemd/coredump"));
  CHECK(fs::is_empty(tree / "tmp"));
  CHECK(fs::file_size(tree / "etc/machine-id") == 0);
}

TEST_CASE("prepare-capture refuses the running system without --i-mean-it") {
  auto refused = run({"bash", hook("prepare-capture").string(), "/"});
  CHECK(refused.exit_code == 64);
  CHECK(refused.err.find("--i-mean-it") != std::string::npos);
  TempDir tmp;
  CHECK(run({"bash", hook("prepare-capture").string(), (tmp / "absent").string()}).exit_code == 66);
  CHECK(run({"bash", hook("prepare-capture").string(), tmp.path().string()}).exit_code == 66);  // no etc/
}

TEST_CASE("build-linode-image checks its arguments before doing anything") {
  TempDir tmp;
  auto build = hook("build-linode-image").string();
  CHECK(run({"bash", build}).exit_code == 64);  // no agent to install
  CHECK(run({"bash", build, "--deb", (tmp / "absent.deb").string()}).exit_code == 66);
  CHECK(run({"bash", build, "--bogus"}).exit_code == 64);
  // The test overlay only ever goes into a second image, never into --output.
  CHECK(run({"bash", build, "--staged", tmp.path().string(), "--overlay", tmp.path().string()}).exit_code == 64);
  auto help = run({"bash", build, "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--cache DIR") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "image-cache"));
}

TEST_CASE("every hook has --help and is shellcheck-clean") {
  for (const char* name : {"install-agent", "prepare-capture", "build-linode-image", "check-image"}) {
    auto help = run({"bash", hook(name).string(), "--help"});
    CHECK_MESSAGE(help.exit_code == 0, name);
    CHECK_MESSAGE(help.out.find("Usage:") != std::string::npos, name);
    struct stat st {};
    CHECK_MESSAGE((::stat(hook(name).c_str(), &st) == 0 && (st.st_mode & S_IXUSR)), name << " is executable");
  }
  VPS_REQUIRE_PROGRAM(shellcheck, "shellcheck");
  ProcessOptions in_hooks;
  in_hooks.cwd = source_dir() / "image-hooks";
  auto lint = run({shellcheck.string(), "-x", hook("install-agent").string(), hook("prepare-capture").string(),
                   hook("build-linode-image").string(), hook("check-image").string(),
                   hook("lib/configure-system").string(), hook("lib/check-image-content.sh").string()},
                  in_hooks);
  INFO(lint.out);
  CHECK(lint.exit_code == 0);
}

}  // TEST_SUITE
