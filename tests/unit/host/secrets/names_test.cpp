#include <doctest/doctest.h>

#include <vps/host/secrets/names.hpp>

using namespace vps;
using namespace vps::host::secrets;

TEST_SUITE("host::secrets::names") {
  TEST_CASE("accepts plain and nested names") {
    CHECK(check_name("secret", "db_password"));
    CHECK(check_name("secret", "app/db/password"));
    CHECK(check_name("secret", "tls.key"));
    CHECK(check_name("secret", "user@example.com"));
  }
  TEST_CASE("rejects empty, dot and dot-dot components, odd characters") {
    for (auto name : {"", "/abs", "a//b", "a/", "..", "a/../b", ".", "a b", "a\nb", "a$b", "a\\b"}) {
      auto checked = check_name("secret", name);
      REQUIRE_FALSE(checked);
      CHECK(checked.error().code == Errc::config);
    }
    CHECK_FALSE(check_name("secret", std::string(256, 'a')));
    CHECK(check_name("secret", std::string(255, 'a')));
  }
  TEST_CASE("rejects duplicates and a name that is another's directory") {
    CHECK(check_name_set("secret", {"a", "b", "a-b", "c/d"}));
    CHECK_FALSE(check_name_set("secret", {"a", "b", "a"}));
    CHECK_FALSE(check_name_set("secret", {"a", "a-b", "a/b"}));
    CHECK_FALSE(check_name_set("secret", {"x/y/z", "x/y"}));
  }
  TEST_CASE("maps nested names to credential names") {
    CHECK(credential_name("app/db/password") == "app_db_password");
    CHECK(credential_name("plain") == "plain");
  }
}
