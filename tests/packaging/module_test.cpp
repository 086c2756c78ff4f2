// packaging/nix/module.nix evaluated by nix-instantiate against stand-ins for lib and pkgs
// (module_eval.nix): its options carry sops-nix's names, and the config.yaml it generates is
// accepted by the agent's strict parser.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace vps;
using json = nlohmann::json;

namespace {

json evaluate_module(const std::filesystem::path& nix) {
  test::ProcessOptions options;
  options.env = {"NIX_CONFIG=build-users-group ="};  // Debian's nix-bin has no nixbld group
  auto r = test::run({nix.string(), "--eval", "--strict", "--json", "--arg", "module",
                      (test::source_dir() / "packaging/nix/module.nix").string(),
                      (test::source_dir() / "tests/packaging/module_eval.nix").string()},
                     options);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

std::set<std::string> names(const json& list) { return list.get<std::set<std::string>>(); }

}  // namespace

TEST_SUITE("packaging::nix") {
  TEST_CASE("services.vps-agent has sops-nix's option names") {
    VPS_REQUIRE_PROGRAM(nix, "nix-instantiate");
    const auto result = evaluate_module(nix);
    const auto options = names(result["options"]);
    for (const char* option : {"enable", "package", "defaultSopsFile", "secrets", "templates", "enrollment", "rebuild",
                               "authorizedOperators", "settings"})
      CHECK_MESSAGE(options.count(option) == 1, option);
    const auto secret = names(result["secret"]);
    for (const char* option : {"sopsFile", "key", "path", "owner", "group", "mode", "restartUnits", "reloadUnits",
                               "format"})
      CHECK_MESSAGE(secret.count(option) == 1, option);
    CHECK(names(result["enrollment"]).count("endpoint") == 1);
    CHECK(names(result["rebuild"]) == std::set<std::string>{"command"});
  }

  TEST_CASE("the config.yaml the module generates parses") {
    VPS_REQUIRE_PROGRAM(nix, "nix-instantiate");
    const auto text = evaluate_module(nix)["configYaml"].get<std::string>();
    test::TempDir root;
    test::write_text(root / "config.yaml", text);
    auto r = test::run({test::agent_binary().string(), "--root", root.path().string(), "--config",
                        (root / "config.yaml").string(), "status", "--json"});
    INFO(text << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("config.yaml") == std::string::npos);
    const auto config = json::parse(text);
    CHECK(config["secrets"]["files"]["db/password"]["restart_units"] == json::array({"app.service"}));
    CHECK(config["secrets"]["fs"] == "tmpfs");  // `settings` is merged last
    CHECK(config["authorized_operators"].size() == 1);  // one list, top level: rebuilds and bundles
  }
}
