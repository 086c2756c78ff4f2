#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/file.h>

#include <vps/sys/fs/fd.hpp>
#include <vps/host/secrets/activation.hpp>

#include "secrets_fixture.hpp"

using namespace vps;
using namespace vps::host::secrets;
using vps::test::secret;
using vps::test::stat_of;

TEST_SUITE("host::secrets::activate") {
  TEST_CASE("writes every secret with owner, group and mode, and points the link at it") {
    VPS_SECRETS_SCRATCH(s);
    std::vector<Material> materials;
    materials.push_back(secret("api-token", "token-1", "nobody", "nogroup", 0440));
    materials.push_back(secret("db/password", "pw-1", "65534", "65534", 0400));
    materials.push_back(secret("root-only", "r"));
    auto report = activate(materials, s.options);
    REQUIRE_MESSAGE(report, report.error().message);
    CHECK(report->generation == 1);
    CHECK_FALSE(report->previous);
    CHECK(report->changed == std::vector<std::string>{"api-token", "db/password", "root-only"});
    CHECK(report->errors.empty());
    CHECK(std::filesystem::read_symlink(s.link()) == s.generation(1));

    auto token = stat_of(s.link() / "api-token");
    CHECK(token.st_uid == 65534);
    CHECK(token.st_gid == 65534);
    CHECK((token.st_mode & 07777) == 0440);
    auto password = stat_of(s.generation(1) / "db/password");
    CHECK(password.st_uid == 65534);
    CHECK((password.st_mode & 07777) == 0400);
    auto root_only = stat_of(s.generation(1) / "root-only");
    CHECK(root_only.st_uid == 0);
    CHECK(root_only.st_gid == 0);
    CHECK((root_only.st_mode & 07777) == 0400);
    CHECK((stat_of(s.generation(1)).st_mode & 07777) == 0751);
    CHECK((stat_of(s.generation(1) / "db").st_mode & 07777) == 0751);
    CHECK(test::read_text(s.link() / "api-token") == "token-1");
    CHECK(test::read_text(s.link() / "db/password") == "pw-1");
  }

  TEST_CASE("reports changed, new and removed secrets and the units to restart or reload") {
    VPS_SECRETS_SCRATCH(s);
    std::vector<Material> first;
    first.push_back(secret("same", "unchanged"));
    first.push_back(secret("rotated", "old"));
    first.push_back(secret("dropped", "bye"));
    first[0].spec.restart_units = {"same.service"};
    REQUIRE(activate(first, s.options));

    std::vector<Material> second;
    second.push_back(secret("same", "unchanged"));
    second.push_back(secret("rotated", "new"));
    second.push_back(secret("added", "hello"));
    second[0].spec.restart_units = {"same.service"};
    second[1].spec.restart_units = {"app.service"};
    second[1].spec.reload_units = {"app.service", "nginx.service"};
    second[2].spec.reload_units = {"added.service"};
    auto report = activate(second, s.options);
    REQUIRE_MESSAGE(report, report.error().message);
    CHECK(report->generation == 2);
    CHECK(report->previous == 1u);
    CHECK(report->changed == std::vector<std::string>{"rotated", "added"});
    CHECK(report->removed == std::vector<std::string>{"dropped"});
    CHECK(report->restart_units == std::vector<std::string>{"app.service"});
    CHECK(report->reload_units == std::vector<std::string>{"added.service", "nginx.service"});
    // Same bytes, different length: still a change.
    second[1].plaintext.push_back('!');
    auto third = activate(second, s.options);
    REQUIRE(third);
    CHECK(third->changed == std::vector<std::string>{"rotated"});
  }

  TEST_CASE("custom paths are symlinks through the current link") {
    VPS_SECRETS_SCRATCH(s);
    std::vector<Material> materials;
    materials.push_back(secret("token", "v1", "nobody", "nogroup"));
    materials[0].spec.path = s.scratch / "etc/app/token";
    REQUIRE(activate(materials, s.options));
    CHECK(std::filesystem::read_symlink(s.scratch / "etc/app/token") == s.link() / "token");
    CHECK(test::read_text(s.scratch / "etc/app/token") == "v1");
    materials[0].plaintext = {'v', '2'};
    auto report = activate(materials, s.options);
    REQUIRE(report);
    CHECK(report->errors.empty());
    CHECK(test::read_text(s.scratch / "etc/app/token") == "v2");
  }

  TEST_CASE("prunes generations beyond keep_generations") {
    VPS_SECRETS_SCRATCH(s);
    std::vector<Material> materials;
    materials.push_back(secret("a", "x"));
    for (int i = 0; i < 4; ++i) REQUIRE(activate(materials, s.options));
    CHECK(test::entries(s.mount()) == std::vector<std::string>{"3", "4"});
    s.options.keep_generations = 0;
    auto report = activate(materials, s.options);
    REQUIRE(report);
    CHECK(report->pruned == std::vector<std::uint64_t>{4, 3});
    CHECK(test::entries(s.mount()) == std::vector<std::string>{"5"});
    s.options.keep_generations = 3;
    for (int i = 0; i < 5; ++i) REQUIRE(activate(materials, s.options));
    CHECK(test::entries(s.mount()) == std::vector<std::string>{"10", "7", "8", "9"});
  }

  TEST_CASE("renders templates into rendered/ with their own owner, mode and path") {
    VPS_SECRETS_SCRATCH(s);
    std::vector<Material> materials;
    materials.push_back(secret("db/password", "hunter2"));
    TemplateSpec config;
    config.name = "app.env";
    config.content = "DB_USER=app\nDB_PASSWORD={{ secret:db/password }}\nLITERAL={{ \"{{\" }}\n";
    config.owner = "nobody";
    config.group = "nogroup";
    config.mode = 0440;
    config.path = s.scratch / "etc/app.env";
    config.restart_units = {"app.service"};
    auto report = activate(materials, {config}, s.options);
    REQUIRE_MESSAGE(report, report.error().message);
    CHECK(test::read_text(s.link() / "rendered/app.env") == "DB_USER=app\nDB_PASSWORD=hunter2\nLITERAL={{\n");
    auto st = stat_of(s.link() / "rendered/app.env");
    CHECK(st.st_uid == 65534);
    CHECK((st.st_mode & 07777) == 0440);
    CHECK(std::filesystem::read_symlink(s.scratch / "etc/app.env") == s.link() / "rendered/app.env");
    CHECK(report->changed == std::vector<std::string>{"db/password", "rendered/app.env"});
    CHECK(report->restart_units == std::vector<std::string>{"app.service"});
    // A change of the embedded secret changes the rendering.
    materials[0].plaintext = {'n', 'e', 'w'};
    report = activate(materials, {config}, s.options);
    REQUIRE(report);
    CHECK(report->changed == std::vector<std::string>{"db/password", "rendered/app.env"});
  }

  TEST_CASE("exports credentials 0400 in a 0700 store, removing only its own stale ones") {
    VPS_SECRETS_SCRATCH(s);
    auto store = s.scratch / "run/credstore";
    s.options.credstore = store;
    std::vector<Material> materials;
    materials.push_back(secret("app/token", "t1"));
    materials.push_back(secret("old", "o"));
    auto report = activate(materials, s.options);
    REQUIRE_MESSAGE(report, report.error().message);
    CHECK(report->errors.empty());
    CHECK((stat_of(store).st_mode & 07777) == 0700);
    CHECK((stat_of(store / "app_token").st_mode & 07777) == 0400);
    CHECK(test::read_text(store / "app_token") == "t1");
    CHECK(test::read_text(store / "old") == "o");
    test::write_text(store / "foreign", "someone else's");
    materials.pop_back();
    materials[0].plaintext = {'t', '2'};
    report = activate(materials, s.options);
    REQUIRE(report);
    CHECK(report->errors.empty());
    CHECK(test::read_text(store / "app_token") == "t2");
    CHECK_FALSE(std::filesystem::exists(store / "old"));
    CHECK(std::filesystem::exists(store / "foreign"));
  }

  TEST_CASE("credential export refuses a store on a disk filesystem") {
    VPS_SECRETS_SCRATCH(s);
    s.options.credstore = s.scratch / "disk-credstore";
    std::vector<Material> materials;
    materials.push_back(secret("a", "x"));
    auto report = activate(materials, s.options);
    REQUIRE(report);  // the generation itself is live
    REQUIRE(report->errors.size() == 1);
    CHECK(report->errors[0].code == Errc::io);
    CHECK(test::entries(s.scratch / "disk-credstore").empty());
  }

  TEST_CASE("refuses to write plaintext into a directory on a disk filesystem") {
    VPS_REQUIRE_PRIVATE_MOUNTS();
    test::TempDir dir;
    ActivationOptions options;
    options.mount.mount_point = dir / "secrets.d";
    options.link = dir / "secrets";
    options.ensure_mount = false;
    std::filesystem::create_directory(options.mount.mount_point);
    // Decided before activating: only a directory that is not on a memory filesystem proves the
    // refusal, and activation succeeding there is exactly the failure this test guards against.
    {
      sys::Fd probe(::open(options.mount.mount_point.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (probe.get() >= 0 && host::mounts::require_memory_fs(probe.get(), options.mount.mount_point))
        VPS_SKIP("TMPDIR is on a memory filesystem: no disk directory to refuse");
    }
    std::vector<Material> materials;
    materials.push_back(secret("a", "plaintext"));
    auto report = activate(materials, options);
    REQUIRE_FALSE(report);
    CHECK(report.error().code == Errc::io);
    CHECK(report.error().message.find("refusing to write plaintext") != std::string::npos);
    CHECK(test::entries(options.mount.mount_point).empty());
    CHECK_FALSE(std::filesystem::exists(options.link));
  }

  TEST_CASE("removes abandoned generations above the live one and tolerates a trailing slash") {
    VPS_SECRETS_SCRATCH(s);
    std::vector<Material> materials;
    materials.push_back(secret("a", "x"));
    REQUIRE(activate(materials, s.options));
    // As if an activation crashed after writing generation 2 but before switching to it.
    std::filesystem::create_directories(s.generation(2) / "partial");
    s.options.mount.mount_point += "/";
    auto report = activate(materials, s.options);
    REQUIRE_MESSAGE(report, report.error().message);
    CHECK(report->previous == 1u);
    CHECK(report->generation == 2);
    CHECK(report->changed.empty());
    CHECK_FALSE(std::filesystem::exists(s.generation(2) / "partial"));
    CHECK(test::entries(s.generation(2)) == std::vector<std::string>{"a"});
  }

  TEST_CASE("a concurrent activation is refused with Errc::retry") {
    VPS_SECRETS_SCRATCH(s);
    std::vector<Material> materials;
    materials.push_back(secret("a", "x"));
    REQUIRE(activate(materials, s.options));
    sys::Fd held(::open(s.mount().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(::flock(held.get(), LOCK_EX) == 0);
    auto report = activate(materials, s.options);
    REQUIRE_FALSE(report);
    CHECK(report.error().code == Errc::retry);
    CHECK(std::filesystem::read_symlink(s.link()) == s.generation(1));
    held.reset();
    CHECK(activate(materials, s.options));
  }
}
