// vps-agent secrets --once as root in a private mount namespace: age and sops sources encrypted
// to the host, owner/mode, link switching, and bad inputs that must leave the previous
// generation intact. Waiting for enrollment (sd_notify) is in waiting_test.cpp.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "secrets_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::secrets;
namespace sops = vps::formats::sops;

namespace {

const char* k_app_yaml = "db:\n  password: hunter2\n  port: 5432\napi_token: tok-123\n";

// An age file (api) and two values of a sops YAML file, plus a template using one of them.
void standard_setup(const Host& host) {
  write_text(host.src("api.age"), age_encrypt("age-secret\n", host.recipient));
  write_text(host.src("app.yaml"), sops_encrypt(k_app_yaml, sops::Format::yaml, host.recipient));
  host.config(
      "  files:\n"
      "    - name: api\n"
      "      source: /srv/secrets/api.age\n"
      "      owner: \"1234\"\n"
      "      group: \"5678\"\n"
      "      mode: \"0440\"\n"
      "    - name: db/password\n"
      "      source: /srv/secrets/app.yaml\n"
      "      key: db/password\n"
      "    - name: db_port\n"
      "      source: /srv/secrets/app.yaml\n"
      "      key: db/port\n"
      "  templates:\n"
      "    - name: app.env\n"
      "      content: \"DB_PASSWORD={{ secret:db/password }}\\n\"\n");
}

std::string link_target(const Host& host) { return fs::read_symlink(host.link()).filename().string(); }

}  // namespace

TEST_SUITE("agent::secrets") {
  TEST_CASE("age and sops secrets appear with owner and mode: the link follows each generation") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    Host host;
    standard_setup(host);
    auto r = host.agent({"secrets", "--once"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(link_target(host) == "1");
    CHECK(read_text(host.link() / "api") == "age-secret\n");
    CHECK(read_text(host.link() / "db/password") == "hunter2");
    CHECK(read_text(host.link() / "db_port") == "5432");
    CHECK(read_text(host.link() / "rendered/app.env") == "DB_PASSWORD=hunter2\n");
    struct stat st{};
    REQUIRE(::stat((host.link() / "api").c_str(), &st) == 0);
    CHECK(st.st_uid == 1234);
    CHECK(st.st_gid == 5678);
    CHECK((st.st_mode & 07777) == 0440);
    REQUIRE(::stat((host.link() / "db/password").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0400);

    // A new deployment: generation 2, link switched, new bytes.
    replace_file(host.src("api.age"), age_encrypt("rotated\n", host.recipient));
    r = host.agent({"secrets", "--once", "--no-restart"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(link_target(host) == "2");
    CHECK(read_text(host.link() / "api") == "rotated\n");
    // status reports the live generation from the link, without decrypting anything.
    auto status = host.agent({"status"});
    REQUIRE(status.exit_code == 0);
    CHECK(status.out.find("secrets:     generation 2 (") != std::string::npos);
  }

  TEST_CASE("a flipped ciphertext byte fails with 80 and keeps the previous generation") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    Host host;
    standard_setup(host);
    REQUIRE(host.agent({"secrets", "--once"}).exit_code == 0);
    std::string bad = age_encrypt("new\n", host.recipient);
    bad[bad.size() - 3] = static_cast<char>(bad[bad.size() - 3] ^ 0x01);
    replace_file(host.src("api.age"), bad);
    auto r = host.agent({"secrets", "--timeout", "5s"});  // not a waiting state: fails at once
    CHECK(r.exit_code == 80);
    CHECK(r.err.find("api") != std::string::npos);
    CHECK(link_target(host) == "1");
    CHECK(read_text(host.link() / "api") == "age-secret\n");
  }

  TEST_CASE("a missing key path is an error, not a wait") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    Host host;
    write_text(host.src("app.yaml"), sops_encrypt(k_app_yaml, sops::Format::yaml, host.recipient));
    host.config("  files:\n    - name: x\n      source: /srv/secrets/app.yaml\n      key: db/nope\n");
    auto r = host.agent({"secrets", "--timeout", "5s"});
    CHECK(r.exit_code == 66);
    CHECK(r.err.find("db/nope") != std::string::npos);
    CHECK_FALSE(fs::exists(host.link()));
  }

  TEST_CASE("an unknown format and an unknown key are configuration errors with their line") {
    Host host;
    host.config("  files:\n    - name: x\n      source: /srv/secrets/a\n      format: toml\n");
    auto r = host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("config.yaml:5:") != std::string::npos);
    CHECK(r.err.find("toml") != std::string::npos);
    host.config("  files:\n    - name: x\n      source: /srv/secrets/a\n      onwer: app\n");
    r = host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("onwer") != std::string::npos);
  }

  TEST_CASE("--once on a file not encrypted to the host fails with 81 naming the host's recipient") {
    Host host;
    write_text(host.src("api.age"), age_encrypt("x", another_recipient()));
    host.config("  files:\n    - name: api\n      source: /srv/secrets/api.age\n");
    auto r = host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 81);
    CHECK(r.err.find("waiting for enrollment: " + host.recipient) != std::string::npos);
    CHECK(r.err.find("not among recipients of") != std::string::npos);
  }

  TEST_CASE("a sops file for another recipient is a wait too: the error lists the file's recipients") {
    Host host;
    const std::string other = another_recipient();
    write_text(host.src("app.yaml"), sops_encrypt(k_app_yaml, sops::Format::yaml, other));
    host.config("  files:\n    - name: pw\n      source: /srv/secrets/app.yaml\n      key: db/password\n");
    auto r = host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 81);
    CHECK(r.err.find("waiting for enrollment: " + host.recipient) != std::string::npos);
    CHECK(r.err.find(other) != std::string::npos);
  }

  TEST_CASE("waiting past --timeout fails with 83") {
    Host host;
    write_text(host.src("api.age"), age_encrypt("x", another_recipient()));
    host.config("  files:\n    - name: api\n      source: /srv/secrets/api.age\n");
    ProcessOptions options;
    options.timeout_seconds = 20;
    auto r = host.agent({"secrets", "--timeout", "1s"}, options);
    CHECK(r.exit_code == 83);
  }

  TEST_CASE("decrypt opens sops files with the host key: whole file and --extract") {
    Host host;
    write_text(host.src("app.yaml"), sops_encrypt(k_app_yaml, sops::Format::yaml, host.recipient));
    write_text(host.src("app.json"),
               sops_encrypt("{\"a\": {\"b\": \"json-value\"}}", sops::Format::json, host.recipient));
    auto r = host.agent({"decrypt", "--extract", "db/password", host.src("app.yaml").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == "hunter2");
    r = host.agent({"decrypt", host.src("app.yaml").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("password: hunter2") != std::string::npos);
    CHECK(r.out.find("sops") == std::string::npos);
    r = host.agent({"decrypt", "--extract", "a/b", host.src("app.json").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == "json-value");
    write_text(host.src("api.age"), age_encrypt("age-plain", host.recipient));
    r = host.agent({"decrypt", host.src("api.age").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == "age-plain");
  }
}
