// The API's one query-string parser: strict pairs, known keys, no repeats, plain values.
#include <vps/enroll/routes/query.hpp>

#include "test_support.hpp"

using namespace vps::enroll::routes;

TEST_SUITE("enroll::routes::parse_query") {
  TEST_CASE("accepts known keys once each, in any order") {
    auto q = parse_query("after=web-1.example&limit=50", {"limit", "after", "status"});
    REQUIRE(q);
    CHECK(q->size() == 2);
    CHECK(q->at("limit") == "50");
    CHECK(q->at("after") == "web-1.example");
  }

  TEST_CASE("refuses what it would have to guess at, saying why") {
    const std::initializer_list<std::string_view> allowed = {"limit", "after"};
    for (const char* bad : {"", "&", "limit", "limit=", "=5", "limit=5&", "&limit=5", "limit=5&&after=a",
                            "limit=%35", "limit=5+1", "after=a b", "after=a;b", "limit=5&limit=6", "sort=name",
                            "LIMIT=5", "limit=5=6"}) {
      CHECK_MESSAGE(!parse_query(bad, allowed), bad);
    }
    CHECK(parse_query("sort=name", allowed).error() == "unknown query parameter 'sort' (this path accepts: limit, after)");
    CHECK(parse_query("limit=1&limit=2", allowed).error() == "query parameter 'limit' given twice");
    CHECK(!parse_query("limit=" + std::string(129, '1'), allowed));
    CHECK(!parse_query(std::string(513, 'a'), allowed));
    CHECK(parse_query("limit=5", {}).error() == "this path takes no query string");
  }

}
