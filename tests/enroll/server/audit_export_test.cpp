// `vps-enroll audit` against the real endpoint on loopback: the whole trail as JSON lines, by
// host, by time, a page at a time with resume; operators only; bad filters refused before
// anything is sent.
#include "server_fixture.hpp"

using namespace vps::test;
using namespace vps::test::enroll;
using Json = nlohmann::json;

namespace {

std::vector<Json> json_lines(const std::string& out) {
  std::vector<Json> lines;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const auto end = out.find('\n', pos);
    REQUIRE(end != std::string::npos);  // every entry ends its line
    lines.push_back(Json::parse(out.substr(pos, end - pos)));
    pos = end + 1;
  }
  return lines;
}

// Three hosts published; web1 and web2 approved by alice, bad1 rejected.
void populate(ServerFixture& f) {
  for (const char* name : {"web1", "web2", "bad1"}) REQUIRE(f.publish(key_pair(), name).status == 202);
  REQUIRE(f.cli({"approve", "web1"}).exit_code == 0);
  REQUIRE(f.cli({"approve", "web2"}).exit_code == 0);
  REQUIRE(f.cli({"reject", "bad1"}).exit_code == 0);
}

}  // namespace

TEST_SUITE("enroll::server audit export") {
  TEST_CASE("audit --json is the whole trail as JSON lines, in order, filtered by --host and --since") {
    ServerFixture f;
    populate(f);
    auto all = f.cli({"audit", "--json"});
    REQUIRE_MESSAGE(all.exit_code == 0, all.err);
    const auto entries = json_lines(all.out);
    CHECK(static_cast<std::int64_t>(entries.size()) == f.audit_count());
    bool approved_web1 = false;
    std::int64_t previous = 0;
    for (const auto& e : entries) {
      CHECK(e["id"].get<std::int64_t>() > previous);
      previous = e["id"].get<std::int64_t>();
      for (const char* key : {"at", "actor", "action", "target", "detail"}) CHECK_MESSAGE(e.contains(key), key);
      if (e["action"] == "approve" && e["target"] == "web1" && e["actor"] == "operator:alice") approved_web1 = true;
    }
    CHECK(approved_web1);

    auto web2 = f.cli({"audit", "--json", "--host", "web2"});
    REQUIRE(web2.exit_code == 0);
    const auto only = json_lines(web2.out);
    CHECK(only.size() >= 2);  // its publication and its approval
    for (const auto& e : only) CHECK(e["target"] == "web2");

    CHECK(json_lines(f.cli({"audit", "--json", "--since", "1h"}).out).size() == entries.size());
    CHECK(json_lines(f.cli({"audit", "--json", "--since", "2000-01-01"}).out).size() == entries.size());
    CHECK(f.cli({"audit", "--json", "--since", "2999-01-01T00:00:00Z"}).out.empty());

    auto table = f.cli({"audit", "--host", "bad1"});
    REQUIRE(table.exit_code == 0);
    CHECK(table.out.find("TIME") == 0);
    CHECK(table.out.find("reject") != std::string::npos);
    CHECK(table.out.find("operator:alice") != std::string::npos);
  }

  TEST_CASE("--limit stops with where to resume, and --after resumes exactly there") {
    ServerFixture f;
    populate(f);
    auto whole = json_lines(f.cli({"audit", "--json"}).out);
    REQUIRE(whole.size() >= 4);
    auto first = f.cli({"audit", "--json", "--limit", "2"});
    REQUIRE(first.exit_code == 0);
    const auto head = json_lines(first.out);
    REQUIRE(head.size() == 2);
    const std::string resume = "--after " + std::to_string(head.back()["id"].get<std::int64_t>());
    CHECK(first.err.find(resume) != std::string::npos);
    auto rest = json_lines(f.cli({"audit", "--json", "--after", std::to_string(head.back()["id"].get<std::int64_t>())}).out);
    REQUIRE(head.size() + rest.size() == whole.size());
    for (std::size_t i = 0; i < whole.size(); ++i) CHECK((i < 2 ? head[i] : rest[i - 2]) == whole[i]);
  }

  TEST_CASE("the export is for operators: a host or unknown key gets 403, no signature 401, a bad query 400") {
    ServerFixture f;
    auto host = key_pair();
    REQUIRE(f.publish(host, "web1").status == 202);
    REQUIRE(f.cli({"approve", "web1"}).exit_code == 0);
    CHECK(f.signed_as(host, "GET", "/v1/audit").status == 403);
    CHECK(f.signed_as(f.mallory, "GET", "/v1/audit").status == 403);  // an unknown key: not an operator
    vps::net::http::Request unsigned_request;
    unsigned_request.method = "GET";
    unsigned_request.target = "/v1/audit";
    CHECK(f.send(unsigned_request).status == 401);
    CHECK(f.signed_as(f.alice, "GET", "/v1/audit").status == 200);
    for (const char* query : {"?limit=0", "?limit=1001", "?after=-1", "?host=Bad_Name", "?since=yesterday", "?what=1"})
      CHECK_MESSAGE(f.signed_as(f.alice, "GET", std::string("/v1/audit") + query).status == 400, query);
    CHECK(f.signed_as(f.alice, "POST", "/v1/audit").status == 405);
  }

  TEST_CASE("bad --host or --since: exit 64 before any request") {
    ServerFixture f;
    const auto before = f.audit_count();
    CHECK(f.cli({"audit", "--host", "Bad_Name"}).exit_code == 64);
    auto since = f.cli({"audit", "--since", "yesterday"});
    CHECK(since.exit_code == 64);
    CHECK(since.err.find("2026-12-01T08:00:00Z") != std::string::npos);  // says what is accepted
    CHECK(f.audit_count() == before);
  }
}
