#include <doctest/doctest.h>

#include <vps/host/systemd/generator.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::host;

TEST_SUITE("host::systemd::generator") {
  TEST_CASE("parses the three output directories systemd passes") {
    auto dirs = systemd::parse_generator_args({"/run/systemd/generator", "/run/systemd/generator.early",
                                               "/run/systemd/generator.late"});
    REQUIRE(dirs);
    CHECK(dirs->early == "/run/systemd/generator.early");
    CHECK(dirs->late == "/run/systemd/generator.late");
    CHECK(systemd::parse_generator_args({"/run/x"})->late == "/run/x");
    CHECK(systemd::parse_generator_args({"/a", "/b"}).error().code == Errc::usage);
    CHECK(systemd::parse_generator_args({"relative", "/b", "/c"}).error().code == Errc::usage);
  }
  TEST_CASE("writes a drop-in for a unit") {
    test::TempDir dir;
    REQUIRE(systemd::write_dropin(dir.path(), "app.service", "50-vps-secrets", "[Unit]\nAfter=vps-secrets.target\n"));
    CHECK(test::read_text(dir / "app.service.d/50-vps-secrets.conf") == "[Unit]\nAfter=vps-secrets.target\n");
    CHECK(systemd::write_dropin(dir.path(), "../evil", "x", "").error().code == Errc::config);
    CHECK(systemd::write_dropin(dir.path(), "app.service", "../x", "").error().code == Errc::config);
  }
}
