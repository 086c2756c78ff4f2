// A host's report that the endpoint cannot store must not leave its signed bytes replayable,
// and no failure answered 5xx may go unlogged (issue 16, item 8). Through the real
// `vps-enroll serve`, with requests signed by the host's key exactly as its agent signs them.
#include "rebuild_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

const std::string k_report_target = "/v1/hosts/web1/rebuilds/1/status";

// Queues rebuild #1 for web1 through the operator CLI.
void queue_one(RebuildFixture& f) {
  auto queued = f.cli({"rebuild", "web1", "--revision", "v1"});
  REQUIRE_MESSAGE(queued.exit_code == 0, queued.err);
}

}  // namespace

TEST_SUITE("enroll::rebuild::report") {
  TEST_CASE("a reason cut inside a multi-byte character is stored on a boundary and its replay refused") {
    RebuildFixture f;
    queue_one(f);
    // 1023 ASCII bytes, then "é" (2 bytes) straddling the 1024-byte limit on stored reasons.
    const std::string reason = std::string(1023, 'a') + "\xc3\xa9" + " and more";
    const std::string body = Json{{"state", "failed"}, {"reason", reason}}.dump();
    const auto request = f.host_signed("POST", k_report_target, body);

    const auto first = f.server->send(request);
    INFO("first answer: " << first.status << " " << first.body);
    CHECK(first.status == 200);
    const auto stored = f.rebuild(1);
    CHECK(stored["state"] == "failed");
    const std::string kept = stored["reason"].get<std::string>();
    CHECK(kept == std::string(1023, 'a'));  // cut before the character, not inside it

    // The same signed bytes again: the nonce was consumed, whatever the first outcome was.
    const auto replay = f.server->send(request);
    INFO("replay answer: " << replay.status << " " << replay.body);
    CHECK(replay.status == 401);
  }

  TEST_CASE("a report that fails with 500 still consumes its nonce, and the 500 is logged with its cause") {
    RebuildFixture f;
    queue_one(f);
    {
      // What a broken database looks like to the server: the audit table is gone.
      auto store = vps::enroll::store::Store::open(f.server->db_path).value();
      REQUIRE(store->database().exec("ALTER TABLE audit RENAME TO audit_gone"));
    }
    const auto request = f.host_signed("POST", k_report_target, Json{{"state", "picked"}}.dump());
    const auto first = f.server->send(request);
    CHECK(first.status == 500);
    CHECK(f.rebuild(1)["state"] == "queued");  // the failed request changed nothing
    const auto replay = f.server->send(request);
    INFO("replay answer: " << replay.status << " " << replay.body);
    CHECK(replay.status == 401);

    f.server->server->stop();
    const std::string log = read_text(f.server_log);
    INFO("server log:\n" << log);
    // One line naming method, target and cause.
    bool found = false;
    std::size_t start = 0;
    while (start < log.size()) {
      const auto end = std::min(log.find('\n', start), log.size());
      const std::string line = log.substr(start, end - start);
      if (line.find("POST " + k_report_target) != std::string::npos && line.find("audit") != std::string::npos &&
          line.find("500") != std::string::npos)
        found = true;
      start = end + 1;
    }
    CHECK(found);
  }
}
