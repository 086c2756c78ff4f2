#include <vps/protocol/rebuild_report.hpp>

#include <string>

#include <vps/protocol/strict_json.hpp>

#include "test_support.hpp"

using namespace vps;
using protocol::RebuildReport;
using protocol::RebuildState;

namespace {

Errc code_of_report(const std::string& body) {
  auto parsed = protocol::parse_rebuild_report(body);
  REQUIRE_FALSE(parsed);
  return parsed.error().code;
}

}  // namespace

TEST_SUITE("protocol::RebuildReport") {
  TEST_CASE("a report round-trips through its JSON text") {
    RebuildReport report;
    report.state = RebuildState::failed;
    report.exit_status = 2;
    report.duration_ms = 1500;
    report.reason = "exit status 2";
    report.output_tail = "line 1\nline 2\n";
    const std::string text = protocol::to_json_text(report);
    auto parsed = protocol::parse_rebuild_report(text);
    REQUIRE(parsed);
    CHECK(parsed->state == RebuildState::failed);
    CHECK(parsed->exit_status == 2);
    CHECK(parsed->duration_ms == 1500);
    CHECK(parsed->reason == "exit status 2");
    CHECK(parsed->output_tail == "line 1\nline 2\n");
  }

  TEST_CASE("only the state is required, and absent fields stay absent") {
    auto parsed = protocol::parse_rebuild_report(R"({"state":"picked"})");
    REQUIRE(parsed);
    CHECK(parsed->state == RebuildState::picked);
    CHECK_FALSE(parsed->exit_status);
    CHECK_FALSE(parsed->reason);
    CHECK_FALSE(parsed->output_tail);
    CHECK(protocol::to_json_text(*parsed) == R"({"state":"picked"})");
  }

  TEST_CASE("refuses what the endpoint must not store") {
    CHECK(code_of_report("") == Errc::malformed);
    CHECK(code_of_report("[]") == Errc::malformed);
    CHECK(code_of_report(R"({"state":"failed","state":"succeeded"})") == Errc::malformed);  // duplicate
    CHECK(code_of_report(R"({"state":"failed","command":"rm -rf /"})") == Errc::malformed);  // unknown field
    CHECK(code_of_report(R"({"exit_status":0})") == Errc::malformed);                        // no state
    CHECK(code_of_report(R"({"state":"queued"})") == Errc::malformed);   // not a host's to report
    CHECK(code_of_report(R"({"state":"expired"})") == Errc::malformed);
    CHECK(code_of_report(R"({"state":"done"})") == Errc::malformed);
    CHECK(code_of_report(R"({"state":"failed","exit_status":"1"})") == Errc::malformed);
    CHECK(code_of_report(R"({"state":"failed","duration_ms":1.5})") == Errc::malformed);
    CHECK(code_of_report(R"({"state":"failed","reason":7})") == Errc::malformed);
    const std::string long_tail = R"({"state":"failed","output_tail":")" + std::string(64 * 1024 + 1, 'x') + "\"}";
    CHECK(code_of_report(long_tail) == Errc::malformed);
    const std::string full_tail = R"({"state":"failed","output_tail":")" + std::string(64 * 1024, 'x') + "\"}";
    CHECK(protocol::parse_rebuild_report(full_tail));
  }

  TEST_CASE("a long reason is cut on a UTF-8 character boundary") {
    std::string reason(1023, 'a');
    reason += "\xc3\xa9";  // é across the 1024-byte limit
    auto parsed = protocol::parse_rebuild_report(R"({"state":"failed","reason":")" + reason + "\"}");
    REQUIRE(parsed);
    CHECK(parsed->reason == std::string(1023, 'a'));
  }

  TEST_CASE("invalid UTF-8 in a reason never stops a report from being encoded") {
    RebuildReport report;
    report.state = RebuildState::failed;
    report.reason = "bad \xff byte";
    auto parsed = protocol::parse_rebuild_report(protocol::to_json_text(report));
    REQUIRE(parsed);
    CHECK(parsed->reason == "bad \xef\xbf\xbd byte");
  }
}

TEST_SUITE("protocol::RebuildOffer") {
  TEST_CASE("round-trips, and a missing or mistyped field is refused") {
    auto parsed = protocol::parse_rebuild_offer(protocol::to_json(protocol::RebuildOffer{7, "text", "sig"}).dump());
    REQUIRE(parsed);
    CHECK(parsed->id == 7);
    CHECK(parsed->request == "text");
    CHECK(parsed->signature == "sig");
    CHECK_FALSE(protocol::parse_rebuild_offer(R"({"id":7,"request":"text"})"));
    CHECK_FALSE(protocol::parse_rebuild_offer(R"({"id":"7","request":"text","signature":"sig"})"));
    CHECK_FALSE(protocol::parse_rebuild_offer(R"({"id":7,"id":8,"request":"text","signature":"sig"})"));
  }

  TEST_CASE("a submission has exactly the request and its signature") {
    CHECK(protocol::parse_rebuild_submission(R"({"request":"t","signature":"s"})"));
    CHECK_FALSE(protocol::parse_rebuild_submission(R"({"request":"t"})"));
    CHECK_FALSE(protocol::parse_rebuild_submission(R"({"request":"t","signature":"s","host":"x"})"));
  }
}

TEST_SUITE("protocol::RebuildView") {
  TEST_CASE("a record and a history round-trip, nulls included") {
    protocol::RebuildView view;
    view.id = 3;
    view.host = "web1";
    view.sequence = 5;
    view.revision = "latest";
    view.expires_at = 100;
    view.operator_name = "alice";
    view.state = RebuildState::running;
    view.created_at = 10;
    view.picked_at = 11;
    view.started_at = 12;
    view.last_poll_at = std::optional<std::int64_t>();
    view.now = 13;
    const auto json = protocol::to_json(view);
    CHECK(json["operator"] == "alice");
    CHECK(json["finished_at"].is_null());
    CHECK(json["last_poll_at"].is_null());
    CHECK_FALSE(json.contains("output_tail"));
    auto parsed = protocol::parse_rebuild_view(json);
    REQUIRE(parsed);
    CHECK(parsed->state == RebuildState::running);
    CHECK(parsed->started_at == 12);
    CHECK_FALSE(parsed->finished_at);
    REQUIRE(parsed->last_poll_at);
    CHECK_FALSE(*parsed->last_poll_at);
    CHECK(parsed->now == 13);

    protocol::RebuildHistory history;
    history.host = "web1";
    history.last_sequence = 5;
    history.now = 13;
    history.rebuilds.push_back(view);
    auto again = protocol::parse_rebuild_history(protocol::to_json(history));
    REQUIRE(again);
    CHECK_FALSE(again->host_key);
    REQUIRE(again->rebuilds.size() == 1);
    CHECK(again->rebuilds[0].operator_name == "alice");
  }

  TEST_CASE("a field of the wrong type or an unknown state is refused, new fields are ignored") {
    protocol::RebuildView view;
    view.host = "web1";
    auto json = protocol::to_json(view);
    json["added_later"] = true;
    CHECK(protocol::parse_rebuild_view(json));
    json["picked_at"] = "yesterday";
    CHECK_FALSE(protocol::parse_rebuild_view(json));
    json = protocol::to_json(view);
    json["state"] = "exploded";
    CHECK_FALSE(protocol::parse_rebuild_view(json));
  }
}

TEST_SUITE("protocol::parse_strict_object") {
  TEST_CASE("refuses duplicates at any depth, deep nesting and unknown fields") {
    CHECK(protocol::parse_strict_object(R"({"a":1})", "body", {"a"}));
    CHECK_FALSE(protocol::parse_strict_object(R"({"a":{"b":1,"b":2}})", "body", {"a"}));
    CHECK_FALSE(protocol::parse_strict_object(R"({"a":1,"c":2})", "body", {"a"}));
    CHECK_FALSE(protocol::parse_strict_object(R"({"a":[[[[[[[[[[1]]]]]]]]]]})", "body", {"a"}));
    auto not_object = protocol::parse_strict_object("[1]", "body", {"a"});
    REQUIRE_FALSE(not_object);
    CHECK(not_object.error().message == "body must be a JSON object");
  }
}
