// A squatter publishes under the host's name before the host does (issue 16, item 4): the real
// `vps-agent publish` against the real `vps-enroll serve` keeps waiting for an operator's
// decision instead of giving up with exit 76, `vps-agent status` says so, and once the operator
// rejects the squatter's key and approves the host's, publish finishes.
#include <doctest/doctest.h>

#include "../../enroll/server/server_fixture.hpp"
#include "publish_fixture.hpp"

using namespace vps;
using namespace vps::test;
using Json = nlohmann::json;
namespace endpoint = vps::test::enroll;

namespace {

ProcessResult agent_status(const PublishHost& host) {
  ProcessOptions options;
  options.timeout_seconds = 30;
  return run({agent_binary().string(), "--root", host.root().string(), "status"}, options);
}

std::string key_status(endpoint::ServerFixture& server, const std::string& host, const std::string& fingerprint) {
  auto shown = server.cli({"show", host, "--json"});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  const auto body = Json::parse(shown.out);
  for (const auto& e : body["enrollments"]) {
    if (e["fingerprint"] == fingerprint) return e["status"].get<std::string>();
  }
  return "absent";
}

}  // namespace

TEST_SUITE("agent::publish squatted name") {
  TEST_CASE("a squatter published the name first: publish waits for an operator, then finishes once approved") {
    endpoint::ServerFixture server;
    PublishHost host;  // publishes as "web-1"
    host.configure(server.server->url());
    auto squatter = endpoint::key_pair();
    REQUIRE(server.publish(squatter, "web-1").status / 100 == 2);

    auto waiting = host.publish({"--timeout", "3"});
    INFO(waiting.err);
    CHECK(waiting.exit_code != exit_code(Errc::refused));
    CHECK(waiting.exit_code == exit_code(Errc::timeout));
    CHECK(contains(waiting.err, "waiting for an operator"));
    auto status = agent_status(host);
    INFO(status.out);
    CHECK(status.exit_code == 0);
    CHECK(contains(status.out, "waiting for an operator"));
    CHECK(contains(status.out, host.fingerprint));
    // The operator sees the host's key next to the squatter's.
    CHECK(key_status(server, "web-1", host.fingerprint) == "flagged");

    // The operator rejects the squatter's key; the host's next publication takes the name.
    REQUIRE(server.cli({"reject", "web-1"}).exit_code == 0);
    auto pending = host.publish({"--timeout", "2"});
    CHECK(pending.exit_code == exit_code(Errc::timeout));
    CHECK(key_status(server, "web-1", host.fingerprint) == "pending");
    auto approved = server.cli({"approve", "web-1", "--fingerprint", host.fingerprint});
    REQUIRE_MESSAGE(approved.exit_code == 0, approved.err);
    auto done = host.publish();
    INFO(done.err);
    CHECK(done.exit_code == 0);
    CHECK(host.state().enrollment.status == "approved");
    CHECK(contains(agent_status(host).out, "approved"));
  }
}
