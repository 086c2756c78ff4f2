// Custom `path:` symlinks are created as root, so the directory that receives one must be one
// that only root can change (issue 16, item 13): a less-privileged user who can write a
// directory on the way could otherwise make root put (or replace) a link where that user
// chooses, e.g. swap the directory for a symlink to /etc between the check and the creation.
// Every case runs as root in a private mount namespace, on scratch paths.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <vps/host/secrets/activation.hpp>

#include "secrets_fixture.hpp"

using namespace vps;
using namespace vps::host::secrets;
using vps::test::secret;

namespace {

namespace fs = std::filesystem;

void make_dir(const fs::path& path, uid_t owner, mode_t mode) {
  fs::create_directories(path);
  REQUIRE(::chown(path.c_str(), owner, owner) == 0);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

// The activation is refused before anything is written: no generation, no link.
void check_refused_untouched(const vps::test::SecretsScratch& s, const Result<ActivationReport>& report,
                             const fs::path& link_path) {
  REQUIRE_FALSE_MESSAGE(report, "activation succeeded; errors after the switch: "
                                    << (report && !report->errors.empty() ? report->errors[0].message : "none"));
  INFO(report.error().message);
  CHECK(report.error().code == Errc::config);
  CHECK(report.error().message.find(link_path.parent_path().string()) != std::string::npos);
  CHECK_FALSE(fs::exists(fs::symlink_status(link_path)));
  CHECK_FALSE(fs::exists(fs::symlink_status(s.link())));
  CHECK_FALSE(fs::exists(s.generation(1)));
}

}  // namespace

TEST_SUITE("host::secrets::activate") {
  TEST_CASE("a custom path in a directory others can write is refused and nothing changes") {
    VPS_SECRETS_SCRATCH(s);
    struct Case {
      const char* dir;
      uid_t owner;
      mode_t mode;
    };
    for (const Case& c : {Case{"user-owned", 65534, 0755}, Case{"world-writable", 65534, 0777},
                          Case{"group-writable", 0, 0775}, Case{"sticky-tmp", 0, 01777}}) {
      INFO(c.dir);
      make_dir(s.scratch / c.dir, c.owner, c.mode);
      std::vector<Material> materials;
      materials.push_back(secret("token", "v1"));
      materials[0].spec.path = s.scratch / c.dir / "token";
      check_refused_untouched(s, activate(materials, s.options), *materials[0].spec.path);
    }
  }

  TEST_CASE("a custom path through a symlinked directory is refused and its target gets nothing") {
    VPS_SECRETS_SCRATCH(s);
    make_dir(s.scratch / "victim", 0, 0755);  // stands for /etc
    fs::create_directory_symlink(s.scratch / "victim", s.scratch / "app");
    std::vector<Material> materials;
    materials.push_back(secret("token", "v1"));
    materials[0].spec.path = s.scratch / "app/token";
    check_refused_untouched(s, activate(materials, s.options), *materials[0].spec.path);
    CHECK(vps::test::entries(s.scratch / "victim").empty());
  }

  TEST_CASE("a directory swapped for a symlink while activations run never receives a link") {
    VPS_SECRETS_SCRATCH(s);
    make_dir(s.scratch / "victim", 0, 0755);
    make_dir(s.scratch / "app", 0, 0755);
    fs::create_directory_symlink(s.scratch / "victim", s.scratch / "app-swap");
    // Swaps "app" (a real directory) and "app-swap" (a symlink to victim) atomically, over and
    // over, until the activations are done (bounded: at most 200000 swaps).
    std::atomic<bool> done{false};
    std::thread swapper([&] {
      const auto a = (s.scratch / "app").string(), b = (s.scratch / "app-swap").string();
      for (int i = 0; i < 200000 && !done; ++i) ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
    });
    std::vector<Material> materials;
    materials.push_back(secret("token", "v1"));
    materials[0].spec.path = s.scratch / "app/token";
    int activated = 0, refused = 0, link_errors = 0;
    for (int i = 0; i < 300; ++i) {
      auto report = activate(materials, s.options);
      if (!report) {
        ++refused;
        continue;
      }
      ++activated;
      link_errors += report->errors.empty() ? 0 : 1;
    }
    done = true;
    swapper.join();
    MESSAGE("activations: " << activated << " done (" << link_errors << " with the link refused), " << refused
                            << " refused before writing");
    CHECK(vps::test::entries(s.scratch / "victim").empty());
  }

  TEST_CASE("a custom path in root-owned directories (created when missing) still works") {
    VPS_SECRETS_SCRATCH(s);
    make_dir(s.scratch / "etc", 0, 0755);
    std::vector<Material> materials;
    materials.push_back(secret("token", "v1"));
    materials[0].spec.path = s.scratch / "etc/new/deeper/token";
    auto report = activate(materials, s.options);
    REQUIRE_MESSAGE(report, report.error().message);
    CHECK(report->errors.empty());
    CHECK(fs::read_symlink(s.scratch / "etc/new/deeper/token") == s.link() / "token");
    struct stat st {};
    REQUIRE(::lstat((s.scratch / "etc/new").c_str(), &st) == 0);
    CHECK(st.st_uid == 0);
  }
}
