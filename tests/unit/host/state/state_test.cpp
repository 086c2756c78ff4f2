#include <doctest/doctest.h>

#include <sys/stat.h>

#include <vps/base/clock.hpp>
#include <vps/host/state/state_store.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::host::state;

TEST_SUITE("host::state::State") {
  TEST_CASE("round-trips and keeps unknown fields") {
    auto parsed = parse_state(R"({"instance_id":"123","fingerprint":"SHA256:x","age_recipient":"age1x",
      "created":"2026-01-01T00:00:00Z","future":{"a":1},
      "enrollment":{"status":"pending","last_attempt":"t","last_error":"e","acknowledged_at":"","sequence":7}})",
                              "s");
    REQUIRE(parsed);
    CHECK(parsed->instance_id == "123");
    CHECK(parsed->enrollment.status == "pending");
    CHECK(!parsed->enrolled());
    auto again = parse_state(format_state(*parsed), "s");
    REQUIRE(again);
    CHECK(format_state(*again) == format_state(*parsed));
    CHECK(format_state(*again).find("\"future\"") != std::string::npos);
    CHECK(format_state(*again).find("\"sequence\": 7") != std::string::npos);
  }
  TEST_CASE("refuses invalid JSON and wrong types naming the source") {
    for (const char* text : {"", "{", "[]", R"({"instance_id": 5})", R"({"enrollment": []})",
                             R"({"enrollment": {"status": "Not Valid"}})"}) {
      auto state = parse_state(text, "/x/state.json");
      REQUIRE(!state);
      CHECK(state.error().code == Errc::malformed);
      CHECK(state.error().message.starts_with("/x/state.json: "));
    }
  }
  TEST_CASE("approved or acknowledged means enrolled") {
    State s;
    CHECK(!s.enrolled());
    s.enrollment.status = "approved";
    CHECK(s.enrolled());
  }
}

TEST_SUITE("host::state::store") {
  TEST_CASE("absent state is nullopt: saved state is 0644 and reloads") {
    test::TempDir dir;
    auto none = load_state(dir / "state");
    REQUIRE(none);
    CHECK(!*none);
    State s;
    s.fingerprint = "SHA256:abc";
    REQUIRE(save_state(dir / "state", s));
    struct stat st {};
    REQUIRE(::stat((dir / "state/state.json").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);
    auto back = load_state(dir / "state");
    REQUIRE(back);
    REQUIRE(*back);
    CHECK((*back)->fingerprint == "SHA256:abc");
  }
  TEST_CASE("update_state needs firstboot first, then applies the change") {
    test::TempDir dir;
    auto missing = update_state(dir.path(), [](State&) {});
    REQUIRE(!missing);
    CHECK(missing.error().code == Errc::no_key);
    REQUIRE(save_state(dir.path(), State{}));
    auto updated = update_state(dir.path(), [](State& s) { s.enrollment.status = "pending"; });
    REQUIRE(updated);
    CHECK((*load_state(dir.path()))->enrollment.status == "pending");
  }
  TEST_CASE("timestamps are UTC") {
    auto epoch = std::chrono::system_clock::time_point{};
    CHECK(vps::clock::utc_rfc3339(epoch) == "1970-01-01T00:00:00Z");
    CHECK(vps::clock::utc_compact(epoch) == "19700101T000000Z");
    CHECK(vps::clock::utc_readable(0) == "1970-01-01 00:00:00 UTC");
  }
}
