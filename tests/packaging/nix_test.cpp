// Every .nix file in the repository (flake.nix, packaging/nix/) is valid Nix syntax. Only the
// parser runs: evaluating the module needs nixpkgs, which CI does not download.
#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace vps;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> nix_files() {
  std::vector<fs::path> files;
  auto it = fs::recursive_directory_iterator(test::source_dir());
  for (; it != fs::recursive_directory_iterator(); ++it) {
    const auto name = it->path().filename().string();
    // Build trees and VCS data are not part of the repository's sources.
    if (it->is_directory() && (name.rfind("build", 0) == 0 || name.front() == '.')) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".nix") files.push_back(it->path());
  }
  return files;
}

}  // namespace

TEST_SUITE("packaging::nix") {
  TEST_CASE("nix-instantiate --parse accepts every .nix file") {
    VPS_REQUIRE_PROGRAM(nix, "nix-instantiate");
    const auto files = nix_files();
    CHECK(files.size() >= 4);  // flake.nix, package.nix, module.nix, hosts/vps.nix
    test::ProcessOptions options;
    // The Debian package has no nixbld group; parsing needs no builders anyway.
    options.env = {"NIX_CONFIG=build-users-group ="};
    for (const auto& file : files) {
      auto r = test::run({nix.string(), "--parse", file.string()}, options);
      CHECK_MESSAGE(r.exit_code == 0, file.string() << ": " << r.err);
    }
  }

  TEST_CASE("the flake exposes the package, the module and the example host") {
    VPS_REQUIRE_PROGRAM(nix, "nix-instantiate");
    test::ProcessOptions options;
    options.env = {"NIX_CONFIG=build-users-group ="};
    auto r = test::run({nix.string(), "--eval", "--strict", "--json", "--arg", "flake",
                        (test::source_dir() / "flake.nix").string(),
                        (test::source_dir() / "tests/packaging/flake_eval.nix").string()},
                       options);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto flake = nlohmann::json::parse(r.out);
    INFO(flake.dump());
    CHECK(flake["nixpkgs"].get<std::string>().find("nixos-25.05") != std::string::npos);  // image.modules
    CHECK(flake["packages"] == nlohmann::json::array({"default", "vps-agent"}));
    CHECK(flake["modules"] == nlohmann::json::array({"default", "vps-agent"}));
    CHECK(flake["hosts"] == nlohmann::json::array({"vps"}));
    CHECK(flake["moduleExists"] == true);
  }
}
