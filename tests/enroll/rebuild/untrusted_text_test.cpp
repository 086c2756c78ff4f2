// Text that came from a host (a report's reason and output tail) reaches the operator's
// terminal through `vps-enroll rebuild --wait` and `vps-enroll rebuilds`: control characters
// must arrive escaped, never as live terminal sequences (issue 16, item 11). The host here is
// a hostile one: it signs its reports with its own key, as its agent would, but writes them
// itself (the real agent already replaces control bytes in the output it captures).
#include "rebuild_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

bool has_raw_control(const std::string& text, bool allow_newline) {
  for (unsigned char c : text) {
    if (c == '\n' && allow_newline) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Waits (at most 20 s) until rebuild #id of web1 exists in the server's database.
bool wait_for_rebuild(RebuildFixture& f, std::int64_t id) {
  for (int i = 0; i < 200; ++i) {
    auto store = vps::enroll::store::Store::open(f.server->db_path).value();
    auto found = store->find_rebuild("web1", id);
    if (found && *found) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

TEST_SUITE("enroll::rebuild::untrusted_text") {
  TEST_CASE("rebuild --wait and rebuilds print a host's escape sequences escaped") {
    RebuildFixture f;
    ProcessResult waited;
    std::thread operator_cli([&] { waited = f.cli({"rebuild", "web1", "--wait", "--wait-timeout", "25s"}); });
    const bool queued = wait_for_rebuild(f, 1);
    const std::string target = "/v1/hosts/web1/rebuilds/1/status";
    if (queued) {
      CHECK(f.server->send(f.host_signed("POST", target, Json{{"state", "running"}}.dump())).status == 200);
      const Json failed{{"state", "failed"},
                        {"exit_status", 1},
                        {"reason", "boom\x1b]0;owned\x07\x1b[2J"},
                        {"output_tail", "line one\n\x1b[31mred\x1b[0m\rline two\n"}};
      CHECK(f.server->send(f.host_signed("POST", target, failed.dump())).status == 200);
    }
    operator_cli.join();
    REQUIRE(queued);
    INFO("stdout:\n" << waited.out << "\nstderr:\n" << waited.err);
    CHECK(waited.exit_code == 85);
    CHECK_FALSE(has_raw_control(waited.out, true));
    CHECK_FALSE(has_raw_control(waited.err, true));
    CHECK(waited.err.find("line one\n") != std::string::npos);  // a multi-line tail keeps its lines
    CHECK(waited.err.find("\\x1b[31mred\\x1b[0m\\rline two") != std::string::npos);
    CHECK(waited.err.find("boom\\x1b]0;owned\\x07\\x1b[2J") != std::string::npos);

    auto history = f.cli({"rebuilds", "web1"});
    INFO("rebuilds:\n" << history.out << history.err);
    CHECK(history.exit_code == 0);
    CHECK_FALSE(has_raw_control(history.out, true));
    CHECK(history.out.find("boom\\x1b]0;owned\\x07\\x1b[2J") != std::string::npos);
  }
}
