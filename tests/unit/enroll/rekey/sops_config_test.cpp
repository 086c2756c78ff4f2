// .sops.yaml creation rules: parsing the forms sops accepts and minimal text edits.
#include <doctest/doctest.h>

#include <vps/enroll/rekey/sops_config.hpp>

using namespace vps;
using namespace vps::enroll::rekey;

namespace {

constexpr std::string_view k_new = "age1newhost";

std::string added(std::string_view text, std::size_t rule) {
  auto config = parse_sops_config(text);
  REQUIRE_MESSAGE(config, config.error().message);
  auto out = add_recipient(text, *config, rule, k_new);
  REQUIRE_MESSAGE(out, out.error().message);
  auto again = parse_sops_config(*out);
  REQUIRE_MESSAGE(again, again.error().message);
  CHECK(again->rules.size() == config->rules.size());
  return *out;
}

}  // namespace

TEST_SUITE("enroll::rekey::sops_config") {
  TEST_CASE("string form: recipient appended to the scalar, comments and other rules kept") {
    const std::string text =
        "# team keys\n"
        "creation_rules:\n"
        "  # production first\n"
        "  - path_regex: prod/.*\\.yaml$\n"
        "    age: age1aaa, age1bbb  # ops\n"
        "  - path_regex: .*\n"
        "    age: age1ccc\n"
        "other: 1\n";
    auto config = parse_sops_config(text);
    REQUIRE(config);
    REQUIRE(config->rules.size() == 2);
    CHECK(*config->rules[0].path_regex == "prod/.*\\.yaml$");
    CHECK(config->rules[0].age == std::vector<std::string>{"age1aaa", "age1bbb"});
    CHECK(added(text, 0) ==
          "# team keys\ncreation_rules:\n  # production first\n  - path_regex: prod/.*\\.yaml$\n"
          "    age: age1aaa, age1bbb,age1newhost  # ops\n  - path_regex: .*\n    age: age1ccc\nother: 1\n");
  }

  TEST_CASE("list form: a new item under the last one") {
    const std::string text =
        "creation_rules:\n"
        "  - path_regex: secrets/\n"
        "    age:\n"
        "      - age1aaa   # alice\n"
        "      - \"age1bbb\"\n"
        "    pgp: ABC\n";
    auto config = parse_sops_config(text);
    REQUIRE(config);
    CHECK(config->rules[0].age == std::vector<std::string>{"age1aaa", "age1bbb"});
    CHECK(added(text, 0) ==
          "creation_rules:\n  - path_regex: secrets/\n    age:\n      - age1aaa   # alice\n      - \"age1bbb\"\n"
          "      - age1newhost\n    pgp: ABC\n");
  }

  TEST_CASE("quoted, folded, flow and absent forms") {
    CHECK(added("creation_rules:\n- path_regex: 'a'\n  age: \"age1aaa\"\n", 0) ==
          "creation_rules:\n- path_regex: 'a'\n  age: \"age1aaa,age1newhost\"\n");
    CHECK(added("creation_rules:\n  - age: >-\n      age1aaa,\n      age1bbb\n", 0) ==
          "creation_rules:\n  - age: >-\n      age1aaa,\n      age1bbb,age1newhost\n");
    CHECK(added("creation_rules:\n  - age: [age1aaa]\n", 0) == "creation_rules:\n  - age: [age1aaa, age1newhost]\n");
    CHECK(added("creation_rules:\n  - path_regex: x\n    pgp: ABC", 0) ==
          "creation_rules:\n  - path_regex: x\n    pgp: ABC\n    age: age1newhost\n");
  }

  TEST_CASE("no duplicate when the recipient is already listed") {
    const std::string text = "creation_rules:\n  - age: age1aaa,age1newhost\n";
    CHECK(added(text, 0) == text);
  }

  TEST_CASE("multi-group key_groups (Shamir) rules are refused as unsupported with their line") {
    const std::string text =
        "creation_rules:\n  - path_regex: x\n    key_groups:\n      - age:\n          - age1aaa\n"
        "      - age:\n          - age1bbb\n";
    auto config = parse_sops_config(text);
    REQUIRE(config);
    CHECK(config->rules[0].key_groups);
    auto out = add_recipient(text, *config, 0, k_new);
    REQUIRE(!out);
    CHECK(out.error().code == Errc::unsupported);
    CHECK(out.error().message.find("Shamir") != std::string::npos);
    CHECK(out.error().message.find("line 6") != std::string::npos);
  }

  TEST_CASE("first matching rule wins, a rule without path_regex matches all") {
    auto config = parse_sops_config("creation_rules:\n  - path_regex: ^prod/\n    age: a\n  - age: b\n");
    REQUIRE(config);
    CHECK(**match_rule(*config, "prod/x.yaml") == 0);
    CHECK(**match_rule(*config, "dev/prod/x.yaml") == 1);
    auto none = parse_sops_config("creation_rules:\n  - path_regex: \\.json$\n    age: a\n");
    REQUIRE(none);
    CHECK(!*match_rule(*none, "x.yaml"));
  }

  TEST_CASE("malformed inputs are reported with a line number") {
    CHECK(parse_sops_config("keys: []\n").error().code == Errc::malformed);
    auto bad = parse_sops_config("creation_rules:\n  - age: &x age1aaa\n");
    REQUIRE(!bad);
    CHECK(bad.error().message.find("line 2") != std::string::npos);
    auto regex = parse_sops_config("creation_rules:\n  - path_regex: '('\n    age: a\n");
    REQUIRE(regex);
    CHECK(match_rule(*regex, "x").error().code == Errc::malformed);
  }
}
