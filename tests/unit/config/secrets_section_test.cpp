// The `secrets:` section: sops-nix option names, both list and mapping forms, strict errors.
#include <doctest/doctest.h>

#include <vps/config/parse.hpp>

using namespace vps;
using namespace vps::config;

TEST_SUITE("config::secrets") {
  TEST_CASE("defaults when absent") {
    auto c = parse("", "c.yaml");
    REQUIRE(c);
    CHECK(c->secrets.mount == "/run/vps-secrets.d");
    CHECK(c->secrets.link == "/run/vps-secrets");
    CHECK(c->secrets.fs == SecretFs::ramfs);
    CHECK(c->secrets.keep_generations == 1);
    CHECK(c->secrets.timeout == std::chrono::milliseconds(0));  // no limit: never a dead end
    CHECK(c->secrets.files.empty());
  }

  TEST_CASE("every option, list form and mapping form") {
    auto c = parse(
        "secrets:\n"
        "  mount: /run/s.d\n"
        "  link: /run/s\n"
        "  fs: tmpfs\n"
        "  keep_generations: 3\n"
        "  credentials_dir: /run/credstore\n"
        "  timeout: 2m\n"
        "  files:\n"
        "    - name: db/password\n"
        "      source: /etc/s/app.yaml\n"
        "      format: yaml\n"
        "      key: db/password\n"
        "      path: /etc/app/pw\n"
        "      owner: app\n"
        "      group: app\n"
        "      mode: \"0440\"\n"
        "      restart_units: [app.service, b.service]\n"
        "      reload_units: nginx.service\n"
        "  templates:\n"
        "    app.env:\n"
        "      content: \"X={{ secret:db/password }}\"\n"
        "      mode: 0444\n",
        "c.yaml");
    REQUIRE_MESSAGE(c, c.error().message);
    const auto& s = c->secrets;
    CHECK(s.mount == "/run/s.d");
    CHECK(s.fs == SecretFs::tmpfs);
    CHECK(s.keep_generations == 3);
    CHECK(s.credentials_dir == std::filesystem::path("/run/credstore"));
    CHECK(s.timeout == std::chrono::minutes(2));
    REQUIRE(s.files.size() == 1);
    CHECK(s.files[0].name == "db/password");
    CHECK(s.files[0].format == SecretFormat::yaml);
    CHECK(s.files[0].key == "db/password");
    CHECK(s.files[0].path == std::filesystem::path("/etc/app/pw"));
    CHECK(s.files[0].mode == 0440);
    CHECK(s.files[0].restart_units == std::vector<std::string>{"app.service", "b.service"});
    CHECK(s.files[0].reload_units == std::vector<std::string>{"nginx.service"});
    REQUIRE(s.templates.size() == 1);
    CHECK(s.templates[0].name == "app.env");
    CHECK(s.templates[0].mode == 0444);
  }

  TEST_CASE("strict: unknown keys, bad values, missing source, with the line") {
    struct Case { const char* text; const char* expect; };
    for (auto [text, expect] : {
             Case{"secrets:\n  files:\n    - name: a\n      source: /x\n      colour: red\n", "c.yaml:5: secrets.files[0].colour: unknown key"},
             Case{"secrets:\n  files:\n    - name: a\n      source: /x\n      format: toml\n", "c.yaml:5:"},
             Case{"secrets:\n  files:\n    - name: a\n", "source: is required"},
             Case{"secrets:\n  files:\n    - source: /x\n", "name: is required"},
             Case{"secrets:\n  files:\n    - name: a\n      source: /x\n      mode: \"0999\"\n", "octal mode"},
             Case{"secrets:\n  files:\n    - name: a\n      source: rel\n", "not an absolute path"},
             Case{"secrets:\n  fs: zfs\n", "secrets.fs"},
             Case{"secrets:\n  keep_generations: many\n", "keep_generations"},
             Case{"secrets:\n  templates:\n    - name: t\n", "exactly one of content or file"},
             Case{"secrets:\n  files:\n    - name: a\n      source: /x.age\n      format: age\n      key: a/b\n", "age file has no keys"},
             Case{"secrets:\n  bogus: 1\n", "secrets.bogus: unknown key"},
         }) {
      auto c = parse(text, "c.yaml");
      REQUIRE_FALSE(c);
      CHECK(c.error().code == Errc::config);
      CHECK_MESSAGE(c.error().message.find(expect) != std::string::npos, c.error().message);
    }
  }
}
