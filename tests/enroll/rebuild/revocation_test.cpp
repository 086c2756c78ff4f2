// Removing an operator takes effect on running processes without a restart (issue 16, finding
// 2): the host's `vps-agent watch` and the endpoint's `vps-enroll serve` re-read their operator
// lists when the files change, so a key removed from them is refused from the next request on.
#include <future>

#include "rebuild_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

TEST_SUITE("enroll::rebuild operator removal") {
  TEST_CASE("a running watcher refuses an operator removed from config.yaml after it started") {
    RebuildFixture f;
    f.write_config("", {public_line(f.server->alice, "alice"), public_line(f.bob, "bob")});
    auto agent = std::async(std::launch::async, [&] { return f.watch(1, 40); });
    // Let the watcher start and long-poll with the old list, then trust only bob.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    f.write_config("", {public_line(f.bob, "bob")});
    auto r = f.cli({"rebuild", "web1", "--revision", "after-removal", "--wait", "--wait-timeout", "30s"});
    REQUIRE(agent.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
    CHECK(agent.get().exit_code == 0);
    CHECK_MESSAGE(r.exit_code == 85, r.out << r.err);  // refused by the host
    CHECK(r.err.find("not an authorized operator") != std::string::npos);
    CHECK(f.applied_text().empty());  // nothing ran
  }

  TEST_CASE("a running endpoint refuses an operator removed from its operators file") {
    ServerFixture f;
    auto bob = key_pair();
    write_text(f.dir / "bob.key", private_key_text(bob));
    std::filesystem::permissions(f.dir / "bob.key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    // The server started with alice only; bob is added, then alice removed, while it runs.
    write_text(f.dir / "operators", public_line(f.alice, "alice") + "\n" + public_line(bob, "bob") + "\n");
    CHECK(f.cli({"list"}, "bob.key").exit_code == 0);
    write_text(f.dir / "operators", public_line(bob, "bob") + "\n");
    auto removed = f.cli({"list"}, "alice.key");
    CHECK(removed.exit_code == 77);
    CHECK(removed.err.find("not an authorized operator") != std::string::npos);
    CHECK(f.cli({"list"}, "bob.key").exit_code == 0);
    // A broken file: nobody is an operator (fail closed), and the reason is given.
    write_text(f.dir / "operators", "ssh-ed25519 garbage bob\n");
    auto broken = f.cli({"list"}, "bob.key");
    CHECK(broken.exit_code == 77);
    CHECK(broken.err.find("operators file is unusable") != std::string::npos);
  }
}
