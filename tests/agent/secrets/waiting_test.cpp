// Waiting for enrollment end to end: `vps-agent secrets` started on a file encrypted to another
// key reports STATUS=waiting for enrollment... over NOTIFY_SOCKET (a datagram socket of this
// test), then the file is atomically replaced by one encrypted to the host and READY=1 arrives
// without a restart. Bounded: 20 s at most.
#include <doctest/doctest.h>

#include <chrono>

#include "background.hpp"
#include "secrets_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::secrets;

TEST_SUITE("agent::secrets") {
  TEST_CASE("waits for enrollment, then activates without restart and sends READY=1") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    Host host;
    write_text(host.src("api.age"), age_encrypt("too early", another_recipient()));
    host.config("  files:\n    - name: api\n      source: /srv/secrets/api.age\n");
    NotifySocket notify(host.dir.path() / "notify.sock");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);

    Background agent({agent_binary().string(), "--root", host.root.string(), "secrets", "--timeout", "60s"},
                     (host.dir.path() / "notify.sock").string());
    std::string seen = notify.wait_for("EXTEND_TIMEOUT_USEC=", deadline);
    CHECK(seen.find("STATUS=waiting for enrollment: " + host.recipient) != std::string::npos);
    CHECK(seen.find("not among recipients of " + host.src("api.age").string()) != std::string::npos);
    CHECK(seen.find("READY=1") == std::string::npos);
    CHECK_FALSE(fs::exists(host.link()));

    replace_file(host.src("api.age"), age_encrypt("enrolled", host.recipient));
    seen = notify.wait_for("READY=1", deadline);
    CHECK(seen.find("READY=1") != std::string::npos);
    CHECK(seen.find("STATUS=active generation 1") != std::string::npos);
    CHECK(agent.wait(deadline) == 0);
    CHECK(read_text(host.link() / "api") == "enrolled");
  }
}
