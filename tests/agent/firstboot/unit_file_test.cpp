// units/vps-agent-firstboot.service: systemd accepts it, and its sandbox exposure is printed.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace vps;

namespace {
// The unit with ExecStart pointing at the freshly built binary (verify checks it exists).
std::filesystem::path substituted_unit(const test::TempDir& dir) {
  auto text = test::read_text(test::source_dir() / "units/vps-agent-firstboot.service");
  const std::string installed = "/usr/bin/vps-agent";
  for (auto pos = text.find(installed); pos != std::string::npos; pos = text.find(installed, pos))
    text.replace(pos, installed.size(), test::agent_binary().string());
  auto path = dir / "vps-agent-firstboot.service";
  test::write_text(path, text);
  return path;
}
}  // namespace

TEST_SUITE("units::vps-agent-firstboot") {
  TEST_CASE("systemd-analyze verify accepts the unit") {
    VPS_REQUIRE_PROGRAM(analyze, "systemd-analyze");
    test::TempDir dir;
    auto unit = substituted_unit(dir);
    // --man=no: the vps-agent(8) man page is installed with the package, not in the build tree.
    auto result = test::run({analyze.string(), "verify", "--man=no", unit.string()});
    if (result.exit_code != 0 && result.err.find("Failed to") != std::string::npos &&
        result.err.find("vps-agent-firstboot") == std::string::npos)
      VPS_SKIP("systemd-analyze verify cannot run here: " + result.err);
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("vps-agent-firstboot.service") == std::string::npos);  // no complaint about us
  }

  TEST_CASE("systemd-analyze security reports low exposure") {
    VPS_REQUIRE_PROGRAM(analyze, "systemd-analyze");
    test::TempDir dir;
    auto unit = substituted_unit(dir);
    auto result = test::run({analyze.string(), "security", "--offline=yes", unit.string()});
    auto at = result.out.find("Overall exposure level");
    if (at == std::string::npos) VPS_SKIP("systemd-analyze security --offline=yes unsupported here: " + result.err);
    auto line = result.out.substr(at, result.out.find('\n', at) - at);
    MESSAGE(line);
    std::printf("%s\n", line.c_str());
    auto colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    double exposure = std::stod(line.substr(colon + 2));
    CHECK(exposure <= 2.0);
  }
}
