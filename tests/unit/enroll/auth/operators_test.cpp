#include <vps/enroll/auth/operators.hpp>

#include "../enroll_fixture.hpp"
#include "test_support.hpp"

using vps::enroll::auth::Operators;
namespace fx = vps::test::enroll;

TEST_SUITE("enroll::auth::Operators") {
  TEST_CASE("parses named ed25519 keys, comments and blank lines") {
    auto alice = fx::key_pair();
    auto bob = fx::key_pair();
    const std::string text = "# operators\n\n" + fx::public_line(alice, "alice") + "\n  " + fx::public_line(bob, "bob@laptop") + "\r\n";
    auto ops = Operators::parse(text, "operators");
    REQUIRE(ops);
    REQUIRE(ops->all().size() == 2);
    REQUIRE(ops->find(bob.public_key));
    CHECK(ops->find(bob.public_key)->name == "bob@laptop");
    CHECK(ops->find(alice.public_key)->fingerprint == fx::fingerprint(alice));
    CHECK(!ops->find(fx::key_pair().public_key));
  }

  TEST_CASE("refuses a key without a name") {
    auto ops = Operators::parse(fx::public_line(fx::key_pair(), "") + "\n", "ops");
    REQUIRE(!ops);
    CHECK(ops.error().code == vps::Errc::config);
    CHECK(ops.error().message.find("ops:1") != std::string::npos);
  }

  TEST_CASE("refuses options prefixes") {
    auto ops = Operators::parse("from=\"10.0.0.1\" " + fx::public_line(fx::key_pair(), "alice") + "\n", "ops");
    REQUIRE(!ops);
    CHECK(ops.error().code == vps::Errc::config);
  }

  TEST_CASE("refuses duplicate names and duplicate keys") {
    auto a = fx::key_pair();
    CHECK(!Operators::parse(fx::public_line(a, "alice") + "\n" + fx::public_line(fx::key_pair(), "alice") + "\n", "ops"));
    CHECK(!Operators::parse(fx::public_line(a, "alice") + "\n" + fx::public_line(a, "bob") + "\n", "ops"));
  }

  TEST_CASE("refuses names with spaces and other key types") {
    CHECK(!Operators::parse(fx::public_line(fx::key_pair(), "alice smith") + "\n", "ops"));
    CHECK(!Operators::parse("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ alice\n", "ops"));
    CHECK(!Operators::parse("garbage\n", "ops"));
  }
}
