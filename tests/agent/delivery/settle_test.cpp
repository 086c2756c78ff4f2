// A source written in place (not by rename) may be read half-written: vps-agent secrets treats
// a parse failure of a file changed within the settle window as a wait, and a stable malformed
// file as the error it is.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>

#include "delivery_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::delivery;

namespace {
const char* k_one_source = "  files:\n    - name: app\n      source: /srv/secrets/app.yaml\n      key: token\n";
const char* k_half_written = "token: ENC[AES256_GCM,data:abc";
}  // namespace

TEST_SUITE("agent::delivery::settle") {
  TEST_CASE("a malformed source changed just now is waited for, not an error") {
    ScratchHost host("web1");
    host.config("", k_one_source);
    write_text(host.src("app.yaml"), k_half_written);
    auto r = host.agent({"secrets", "--timeout", "1s"});
    CHECK(r.exit_code == 83);  // timed out waiting, rather than 65 at once
    CHECK_MESSAGE(r.err.find("to settle") != std::string::npos, r.err);
  }

  TEST_CASE("a stable malformed source is an error at once") {
    ScratchHost host("web1");
    host.config("", k_one_source);
    write_text(host.src("app.yaml"), k_half_written);
    fs::last_write_time(host.src("app.yaml"), fs::file_time_type::clock::now() - std::chrono::minutes(1));
    const auto start = std::chrono::steady_clock::now();
    auto r = host.agent({"secrets", "--timeout", "30s"});
    CHECK(r.exit_code == 65);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  }

  TEST_CASE("a malformed source that stays malformed becomes an error once it settles") {
    ScratchHost host("web1");
    host.config("", k_one_source);
    write_text(host.src("app.yaml"), k_half_written);
    auto r = host.agent({"secrets", "--timeout", "30s"});
    CHECK(r.exit_code == 65);  // after about k_settle_window, well before the timeout
  }

  TEST_CASE("a file completed in place after a partial write activates") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    ScratchHost host("web1");
    host.config("", k_one_source);
    write_text(host.src("app.yaml"), k_half_written);
    auto waiting = std::async(std::launch::async, [&] { return host.agent({"secrets", "--timeout", "30s"}, 40); });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    write_text(host.src("app.yaml"),  // in place: same inode, truncated and rewritten
               secrets::sops_encrypt("token: complete\n", formats::sops::Format::yaml, host.recipient));
    auto r = waiting.get();
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(read_text(host.link() / "app") == "complete");
  }
}
