// The configuration files packaging ships or generates parse with the agent's strict parser:
// packaging/debian/config.yaml (the .deb's conffile) and JSON (what the NixOS module writes;
// module_test.cpp checks the module's real output when nix-instantiate is installed).
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace vps;

namespace {

test::ProcessResult status_with(const std::filesystem::path& root, const std::filesystem::path& config) {
  return test::run({test::agent_binary().string(), "--root", root.string(), "--config", config.string(), "status",
                    "--json"});
}

}  // namespace

TEST_SUITE("packaging::config") {
  TEST_CASE("the packaged default config.yaml parses") {
    test::TempDir root;
    auto r = status_with(root.path(), test::source_dir() / "packaging/debian/config.yaml");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("config.yaml") == std::string::npos);
  }

  TEST_CASE("the module's empty secret mappings parse") {
    test::TempDir root;
    const auto config = root / "config.yaml";
    test::write_text(config, R"({"enrollment":{"require_token":false},"secrets":{"files":{},"templates":{}}})");
    auto r = status_with(root.path(), config);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
  }
}
