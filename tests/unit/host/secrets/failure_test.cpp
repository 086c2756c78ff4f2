#include <doctest/doctest.h>

#include <vps/host/secrets/activation.hpp>

#include "secrets_fixture.hpp"

using namespace vps;
using namespace vps::host::secrets;
using vps::test::secret;

namespace {

// Activates generation 1 with a known secret; each test then tries a bad activation.
void activate_first(test::SecretsScratch& s) {
  std::vector<Material> materials;
  materials.push_back(secret("keep", "generation-1"));
  materials[0].spec.path = s.scratch / "etc/keep";
  auto report = activate(materials, s.options);
  REQUIRE_MESSAGE(report, report.error().message);
  REQUIRE(report->generation == 1);
}

void check_first_intact(const test::SecretsScratch& s) {
  CHECK(std::filesystem::read_symlink(s.link()) == s.generation(1));
  CHECK(test::read_text(s.link() / "keep") == "generation-1");
  CHECK(test::read_text(s.scratch / "etc/keep") == "generation-1");
  CHECK(test::entries(s.mount()) == std::vector<std::string>{"1"});
  // No temp links left next to the link.
  CHECK(test::entries(s.link().parent_path()) == std::vector<std::string>{"vps-secrets", "vps-secrets.d"});
}

Error activate_bad(test::SecretsScratch& s, const std::vector<Material>& materials,
                   const std::vector<TemplateSpec>& templates = {}) {
  auto report = activate(materials, templates, s.options);
  REQUIRE_FALSE(report);
  return report.error();
}

}  // namespace

TEST_SUITE("host::secrets::activate failures") {
  TEST_CASE("an unknown owner leaves the previous generation and link intact") {
    VPS_SECRETS_SCRATCH(s);
    activate_first(s);
    std::vector<Material> materials;
    materials.push_back(secret("keep", "generation-2"));
    materials.push_back(secret("other", "x", "no-such-user-vps-test"));
    auto error = activate_bad(s, materials);
    CHECK(error.code == Errc::config);
    CHECK(error.message.find("unknown user 'no-such-user-vps-test'") != std::string::npos);
    CHECK(error.message.find("generation-2") == std::string::npos);  // never echo plaintext
    check_first_intact(s);
    materials[1].spec.owner = "root";
    materials[1].spec.group = "no-such-group-vps-test";
    CHECK(activate_bad(s, materials).code == Errc::config);
    check_first_intact(s);
  }

  TEST_CASE("a template referencing an unknown secret leaves everything intact") {
    VPS_SECRETS_SCRATCH(s);
    activate_first(s);
    std::vector<Material> materials;
    materials.push_back(secret("keep", "generation-2"));
    TemplateSpec config;
    config.name = "cfg";
    config.content = "{{ secret:nope }}";
    auto error = activate_bad(s, materials, {config});
    CHECK(error.code == Errc::config);
    CHECK(error.message.find("'nope'") != std::string::npos);
    check_first_intact(s);
    config.content = "{{ secret:keep }";
    CHECK(activate_bad(s, materials, {config}).code == Errc::malformed);
    check_first_intact(s);
  }

  TEST_CASE("a write failure (full tmpfs) removes the new generation") {
    VPS_SECRETS_SCRATCH(s, host::mounts::FsType::tmpfs, "64k");
    activate_first(s);
    std::vector<Material> materials;
    materials.push_back(secret("keep", "generation-2"));
    materials.push_back(secret("huge", std::string(1024 * 1024, 'x')));
    auto error = activate_bad(s, materials);
    CHECK(error.code == Errc::io);
    CHECK(error.message.find("huge") != std::string::npos);
    check_first_intact(s);
    // The next good activation works and takes the next number.
    materials.pop_back();
    auto report = activate(materials, s.options);
    REQUIRE_MESSAGE(report, report.error().message);
    CHECK(report->generation == 2);
    CHECK(test::read_text(s.link() / "keep") == "generation-2");
  }

  TEST_CASE("a custom path that is a real file is refused before anything is written") {
    VPS_SECRETS_SCRATCH(s);
    activate_first(s);
    test::write_text(s.scratch / "etc/real-file", "do not replace");
    std::vector<Material> materials;
    materials.push_back(secret("keep", "generation-2"));
    materials.push_back(secret("other", "x"));
    materials[1].spec.path = s.scratch / "etc/real-file";
    CHECK(activate_bad(s, materials).code == Errc::config);
    CHECK(test::read_text(s.scratch / "etc/real-file") == "do not replace");
    check_first_intact(s);
  }

  TEST_CASE("invalid names and modes are configuration errors") {
    VPS_SECRETS_SCRATCH(s);
    activate_first(s);
    for (auto name : {"rendered", "rendered/x", "../escape", "a//b", ""}) {
      CAPTURE(name);
      std::vector<Material> materials;
      materials.push_back(secret(name, "x"));
      CHECK(activate_bad(s, materials).code == Errc::config);
    }
    std::vector<Material> duplicate;
    duplicate.push_back(secret("a", "1"));
    duplicate.push_back(secret("a", "2"));
    CHECK(activate_bad(s, duplicate).code == Errc::config);
    std::vector<Material> colliding;  // both export as credential "a_b"
    colliding.push_back(secret("a/b", "1"));
    colliding.push_back(secret("a_b", "2"));
    CHECK(activate_bad(s, colliding).code == Errc::config);
    std::vector<Material> setuid;
    setuid.push_back(secret("a", "1", "root", "root", 04400));
    CHECK(activate_bad(s, setuid).code == Errc::config);
    check_first_intact(s);
  }
}
