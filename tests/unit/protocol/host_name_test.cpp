#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <vps/protocol/host_name.hpp>
#include <vps/protocol/rebuild_request.hpp>

using vps::protocol::valid_host_name;

TEST_SUITE("protocol::host_name") {
  TEST_CASE("one grammar: [a-z0-9][a-z0-9.-]{0,62}") {
    for (const std::string& name : std::vector<std::string>{"web1", "a", "0", "web-1.fra", "li123-45.members.linode.com",
                                                           std::string(63, 'a')})
      CHECK_MESSAGE(valid_host_name(name), name);
    for (const std::string& name : std::vector<std::string>{"", "-web", ".web", "Web1", "web_1", "web/1", "web%2f",
                                                           "web 1", "w\xc3\xa9" "b", std::string(64, 'a')})
      CHECK_MESSAGE(!valid_host_name(name), name);
  }

  TEST_CASE("rebuild requests use the same grammar as the endpoint") {
    vps::protocol::RebuildRequest request;
    request.host = "Web1";
    request.revision = "abc";
    request.sequence = 1;
    request.expires = 2;
    auto text = vps::protocol::canonical_text(request);
    REQUIRE_FALSE(text);
    CHECK(text.error().message.find("host name") != std::string::npos);
  }
}
