#include <doctest/doctest.h>

#include <vps/config/load.hpp>
#include <vps/config/parse.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace std::chrono_literals;

namespace {
Error parse_error(std::string_view text) {
  auto config = config::parse(text, "config.yaml");
  REQUIRE(!config);
  CHECK(config.error().code == Errc::config);
  return config.error();
}
}  // namespace

TEST_SUITE("config::parse") {
  TEST_CASE("empty text gives every default") {
    for (const char* text : {"", "# only a comment\n", "---\n"}) {
      auto config = config::parse(text, "c");
      REQUIRE(config);
      CHECK(config->identity.host_key == "/etc/ssh/ssh_host_ed25519_key");
      CHECK(config->identity.on_corrupt_key == config::OnCorruptKey::automatic);
      CHECK(config->instance.id_source == config::IdSource::automatic);
      CHECK(config->instance.dmi_path == "/sys/class/dmi/id/product_serial");
      CHECK(config->state_dir == "/var/lib/vps-agent");
      CHECK(config->console.path == "/dev/console");
      CHECK(config->metadata.base_url == "http://169.254.169.254");
      CHECK(config->metadata.enabled);
      CHECK(config->enrollment.endpoint.empty());
    }
  }

  TEST_CASE("reads every section") {
    auto config = config::parse(R"(
identity:
  host_key: /etc/ssh/other_key
  on_corrupt_key: fail
instance:
  id_source: dmi
  dmi_path: /sys/x/serial
state_dir: /var/lib/other
console:
  path: /dev/ttyS0
enrollment:
  endpoint: https://enroll.example.net/v1
  ca_file: /etc/vps-agent/ca.pem
  require_token: true
  token_file: /etc/vps-agent/token
  retry:
    initial_delay: 500ms
    max_delay: 2m
    attempt_timeout: 10s
    overall_timeout: 1h
metadata:
  enabled: false
  base_url: http://127.0.0.1:8080
  token_ttl: 60
)",
                                 "c");
    REQUIRE(config);
    CHECK(config->identity.host_key == "/etc/ssh/other_key");
    CHECK(config->identity.on_corrupt_key == config::OnCorruptKey::fail);
    CHECK(config->instance.id_source == config::IdSource::dmi);
    CHECK(config->instance.dmi_path == "/sys/x/serial");
    CHECK(config->state_dir == "/var/lib/other");
    CHECK(config->console.path == "/dev/ttyS0");
    CHECK(config->enrollment.endpoint == "https://enroll.example.net/v1");
    CHECK(config->enrollment.ca_file == "/etc/vps-agent/ca.pem");
    CHECK(config->enrollment.require_token);
    CHECK(config->enrollment.retry.initial_delay == 500ms);
    CHECK(config->enrollment.retry.max_delay == 2min);
    CHECK(config->enrollment.retry.attempt_timeout == 10s);
    CHECK(config->enrollment.retry.overall_timeout == 1h);
    CHECK(!config->metadata.enabled);
    CHECK(config->metadata.token_ttl == 60s);
  }

  TEST_CASE("unknown keys name the key and line") {
    auto e = parse_error("identity:\n  host_key: /k\n  hots_key: /x\n");
    CHECK(e.message == "config.yaml:3: identity.hots_key: unknown key");
    e = parse_error("identity: {}\nsecretz: 1\n");
    CHECK(e.message == "config.yaml:2: secretz: unknown key");
    e = parse_error("enrollment:\n  retry:\n    jitter: 1s\n");
    CHECK(e.message == "config.yaml:3: enrollment.retry.jitter: unknown key");
  }

  TEST_CASE("bad values name the key and line") {
    CHECK(parse_error("identity:\n  on_corrupt_key: maybe\n").message ==
          "config.yaml:2: identity.on_corrupt_key: 'maybe' is not one of: fail, regenerate, auto");
    CHECK(parse_error("state_dir: relative/dir\n").message.starts_with("config.yaml:1: state_dir: "));
    CHECK(parse_error("metadata:\n  enabled: yes\n").message.find("metadata.enabled") != std::string::npos);
    CHECK(parse_error("enrollment:\n  retry:\n    max_delay: 10x\n").message.starts_with(
        "config.yaml:3: enrollment.retry.max_delay:"));
    CHECK(parse_error("enrollment:\n  retry:\n    initial_delay: 1m\n    max_delay: 1s\n").message.find(
              "max_delay") != std::string::npos);
    CHECK(parse_error("identity:\n  host_key: /etc/../k\n").message.find("..") != std::string::npos);
    CHECK(parse_error("identity: [1, 2]\n").message.find("mapping") != std::string::npos);
    CHECK(parse_error("identity:\n  host_key: [a]\n").message.find("single value") != std::string::npos);
    CHECK(parse_error("metadata:\n  token_ttl: 2d\n").message.find("token_ttl") != std::string::npos);
  }

  TEST_CASE("duplicate keys are refused") {
    CHECK(parse_error("identity: {}\nidentity: {}\n").message.find("duplicate") != std::string::npos);
    CHECK(parse_error("console:\n  path: /a\n  path: /b\n").message.find("console.path: duplicate") !=
          std::string::npos);
  }

  TEST_CASE("http endpoints only to loopback unless allowed") {
    CHECK(config::parse("enrollment:\n  endpoint: http://127.0.0.1:9000/\n", "c"));
    CHECK(config::parse("enrollment:\n  endpoint: http://[::1]:9000/\n", "c"));
    CHECK(config::parse("enrollment:\n  endpoint: http://localhost/\n", "c"));
    CHECK(parse_error("enrollment:\n  endpoint: http://enroll.example.net/\n").message.find("loopback") !=
          std::string::npos);
    CHECK(config::parse("enrollment:\n  endpoint: http://enroll.example.net/\n  allow_insecure_http: true\n", "c"));
    CHECK(config::parse("enrollment:\n  allow_insecure_http: true\n  endpoint: http://10.0.0.1/\n", "c"));
    parse_error("enrollment:\n  endpoint: ftp://x/\n");
    parse_error("enrollment:\n  endpoint: https://user:pw@x/\n");
    parse_error("enrollment:\n  endpoint: 'https://x/ y'\n");
  }

  TEST_CASE("invalid YAML names the line") {
    auto e = parse_error("identity:\n  host_key: [\n");
    CHECK(e.message.starts_with("config.yaml:"));
    CHECK(e.message.find("invalid YAML") != std::string::npos);
    parse_error("just a string\n");
  }
}

TEST_SUITE("config::load") {
  TEST_CASE("missing default file gives defaults relocated under root") {
    test::TempDir root;
    auto config = config::load(root.path(), "");
    REQUIRE(config);
    CHECK(config->identity.host_key == root / "etc/ssh/ssh_host_ed25519_key");
    CHECK(config->state_dir == root / "var/lib/vps-agent");
    CHECK(config->console.path == root / "dev/console");
    CHECK(config->enrollment.ca_file.empty());
  }
  TEST_CASE("configured paths are interpreted inside root") {
    test::TempDir root;
    std::filesystem::create_directories(root / "etc/vps-agent");
    test::write_text(root / "etc/vps-agent/config.yaml", "identity:\n  host_key: /keys/k\nconsole:\n  path: /console\n");
    auto config = config::load(root.path(), "");
    REQUIRE(config);
    CHECK(config->identity.host_key == root / "keys/k");
    CHECK(config->console.path == root / "console");
  }
  TEST_CASE("a root given with trailing slashes relocates the same, and the config is not re-read per key") {
    test::TempDir root;
    std::filesystem::create_directories(root / "etc/vps-agent");
    std::string files;
    for (int i = 0; i < 200; ++i)
      files += "    - {name: s" + std::to_string(i) + ", source: /srv/s" + std::to_string(i) + ".age, mode: \"0440\"}\n";
    test::write_text(root / "etc/vps-agent/config.yaml", "secrets:\n  files:\n" + files);
    auto config = config::load(root.path().string() + "//", "");
    REQUIRE(config);
    REQUIRE(config->secrets.files.size() == 200);
    CHECK(config->secrets.files[199].source == root / "srv/s199.age");
    CHECK(config->secrets.files[199].source.native().find("//") == std::string::npos);
    CHECK(config->secrets.files[0].mode == 0440u);
    CHECK(config->identity.host_key == root / "etc/ssh/ssh_host_ed25519_key");
  }
  TEST_CASE("an explicit --config must exist and errors name it") {
    test::TempDir root;
    auto missing = config::load(root.path(), (root / "nope.yaml").string());
    REQUIRE(!missing);
    CHECK(missing.error().code == Errc::missing);
    test::write_text(root / "bad.yaml", "state_dir: 5\nbogus: 1\n");
    auto bad = config::load(root.path(), (root / "bad.yaml").string());
    REQUIRE(!bad);
    CHECK(bad.error().code == Errc::config);
    CHECK(bad.error().message.find((root / "bad.yaml").string() + ":1: state_dir") == 0);
  }
}
