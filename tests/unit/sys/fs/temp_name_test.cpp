#include <doctest/doctest.h>

#include <set>

#include <vps/sys/fs/temp_name.hpp>

TEST_SUITE("sys::temp_name") {
  TEST_CASE("temp names carry the marker and 12 random hex digits, and do not repeat") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
      const std::string name = vps::sys::temp_name("state.json");
      REQUIRE(name.size() == std::string("state.json.tmp-").size() + 12);
      CHECK(name.starts_with("state.json.tmp-"));
      CHECK(name.find_first_not_of("0123456789abcdef", 15) == std::string::npos);
      seen.insert(name);
    }
    CHECK(seen.size() == 1000);
  }
}
