#include <vps/formats/openssh/authorized_operators.hpp>

#include <vps/protocol/publication.hpp>

#include "test_support.hpp"

using namespace vps;
using formats::openssh::parse_authorized_operators;

TEST_SUITE("formats::openssh::AuthorizedOperators") {
  TEST_CASE("parses names and keys, skips comments and blank lines") {
    auto a = crypto::ed25519_generate();
    auto b = crypto::ed25519_generate();
    const std::string text = "# ops\n\n" + protocol::ssh_public_key_field(a.public_key) + " alice\r\n  " +
                             protocol::ssh_public_key_field(b.public_key) + "\tbob@laptop\n";
    auto ops = parse_authorized_operators(text, "list").value();
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].name == "alice");
    CHECK(ops[1].name == "bob@laptop");
    CHECK(formats::openssh::find_operator(ops, b.public_key) == &ops[1]);
    CHECK(formats::openssh::find_operator(ops, crypto::ed25519_generate().public_key) == nullptr);
  }

  TEST_CASE("one bad line fails the whole list, naming the line") {
    auto a = crypto::ed25519_generate();
    const std::string line = protocol::ssh_public_key_field(a.public_key);
    auto check_bad = [](const std::string& text, std::string_view where) {
      auto r = parse_authorized_operators(text, "list");
      REQUIRE(!r);
      CHECK(r.error().code == Errc::config);
      CHECK(r.error().message.find(where) != std::string::npos);
    };
    check_bad(line + "\n", "list:1");                                  // no name
    check_bad("# x\nfrom=\"*\" " + line + " alice\n", "list:2");       // options prefix
    check_bad(line + " alice\n" + line + " bob\n", "list:2");          // duplicate key
    check_bad(line + " -alice\n", "list:1");                           // bad name
  }
}
