// The audit export's page (protocol/audit_page.hpp): what the endpoint writes, the CLI reads.
#include <doctest/doctest.h>

#include <vps/protocol/audit_page.hpp>

using namespace vps;
using namespace vps::protocol;

TEST_SUITE("protocol::audit_page") {
  TEST_CASE("a page round-trips, next null at the end") {
    AuditPage page;
    page.entries.push_back(AuditRecord{7, 1796000000, "operator:alice", "approve", "web1", "fingerprint SHA256:x"});
    page.entries.push_back(AuditRecord{9, 1796000005, "host:web1", "publish", "web1", ""});
    page.next = 9;
    auto again = parse_audit_page(to_json(page));
    REQUIRE(again);
    REQUIRE(again->entries.size() == 2);
    CHECK(again->entries[0].actor == "operator:alice");
    CHECK(again->entries[1].id == 9);
    CHECK(again->next == 9);
    page.next.reset();
    CHECK(to_json(page)["next"].is_null());
    CHECK(!parse_audit_page(to_json(page))->next);
  }

  TEST_CASE("a missing or mistyped field is named") {
    auto missing = parse_audit_page(nlohmann::json::parse(R"({"entries":[{"id":1,"at":2,"actor":"a","target":"t"}],"next":null})"));
    REQUIRE(!missing);
    CHECK(missing.error().code == Errc::malformed);
    CHECK(missing.error().message.find("\"action\"") != std::string::npos);
    auto typed = parse_audit_page(nlohmann::json::parse(R"({"entries":[],"next":"5"})"));
    REQUIRE(!typed);
    CHECK(typed.error().message.find("\"next\"") != std::string::npos);
    CHECK(!parse_audit_page(nlohmann::json::parse(R"({"next":null})")));
  }
}
