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

  // Fuzz finding (enroll_sops_config_remove_fuzz, crash-474be7f8): a rule with age: twice (and a
  // second creation_rules) was read as the first age: while the editors' re-parse saw the
  // other, so remove_recipient's self-check refused its own edit. YAML forbids duplicate keys and
  // sops refuses them: the reader now does too, with the line.
  TEST_CASE("duplicate keys are refused with their line, as sops refuses them") {
    auto twice = parse_sops_config("# keys\ncreation_rules:\n  - path_regex: ^s/\n    age: age1a, age1b  # team\n"
                                   "    age: age1a, age1b  # team\n");
    REQUIRE(!twice);
    CHECK(twice.error().code == Errc::malformed);
    CHECK(twice.error().message.find("line 5") != std::string::npos);
    CHECK(twice.error().message.find("duplicate key 'age'") != std::string::npos);
    auto rules_twice = parse_sops_config("creation_rules:\n  - age: age1a\nother: 1\ncreation_rules:\n  - age: age1b\n");
    REQUIRE(!rules_twice);
    CHECK(rules_twice.error().message.find("line 4") != std::string::npos);
    // Keys of different rules may repeat, of course.
    auto two_rules = parse_sops_config("creation_rules:\n  - age: age1a\n  - age: age1b\n");
    REQUIRE(two_rules);
    CHECK(two_rules->rules.size() == 2);
    const std::string found =
        "# keys\ncreation_rules:\n  - path_regex: ^secrets/\n    age: age1a, age1b  # team\n    age: age1a, age1b  # "
        "team\n  - path_regex: ^other/\n         - \"age1c\"\n  - age: >-\n      age1a,\n      age1b\n  - age: [age1a, "
        "age1b]\n  - path_regex: x\n # keys\ncreation_rules:\n  - \n          - age1a\n";
    CHECK(parse_sops_config(found).error().code == Errc::malformed);
  }

  // Fuzz finding (enroll_sops_config_remove_fuzz, crash-79d5e719): in a block scalar '#' is text,
  // so "ge1a   # alice" was read as a recipient remove_recipient could not find again.
  TEST_CASE("a block scalar age: is one recipient per line, commas between, no comments") {
    auto ok = parse_sops_config("creation_rules:\n  - age: >-\n      age1a,\n      age1b\n");
    REQUIRE(ok);
    CHECK(ok->rules[0].age == std::vector<std::string>{"age1a", "age1b"});
    auto comment = parse_sops_config("creation_rules:\n  - age: >-\n      ge1a   # alice\n      - \"age1c\"\n");
    REQUIRE(!comment);
    CHECK(comment.error().code == Errc::unsupported);
    CHECK(comment.error().message.find("line 3") != std::string::npos);
    auto no_comma = parse_sops_config("creation_rules:\n  - age: |\n      age1a\n      age1b\n");
    REQUIRE(!no_comma);
    CHECK(no_comma.error().message.find("line 4") != std::string::npos);
  }

  // Fuzz finding (enroll_sops_config_remove_fuzz, crash-1764f12c): "age: age1a, age1b," took
  // the new recipient as ",,age1new" and removing it again lost the trailing comma. sops refuses
  // an empty recipient; so does the reader, in every comma-separated form.
  TEST_CASE("an empty recipient (doubled or trailing comma) is refused with its line") {
    for (const char* text : {"creation_rules:\n  - age: age1a, age1b, # team\n", "creation_rules:\n  - age: age1a,,age1b\n",
                             "creation_rules:\n  - age: 'age1a,'\n", "creation_rules:\n  - age: [age1a, ]\n",
                             "creation_rules:\n  - age:\n      - age1a,\n",
                             "creation_rules:\n  - age: >-\n      age1a,\n      age1b,\n    pgp: x\n",
                             "creation_rules:\n  - age: |\n      age1a,\n"}) {
      auto config = parse_sops_config(text);
      REQUIRE_MESSAGE(!config, text);
      CHECK_MESSAGE(config.error().code == Errc::unsupported, text);
      CHECK_MESSAGE(config.error().message.find("empty recipient") != std::string::npos, config.error().message);
    }
    CHECK(parse_sops_config("creation_rules:\n  - age: ''\n  - age: []\n"));
  }

  // Fuzz finding (enroll_sops_config_remove_fuzz, crash-63bd9a97): blanks after the last
  // recipient ("'age1a '", "[a, b ]") were kept before the new one, and removing it took them.
  TEST_CASE("a recipient is added right after the last one, blanks after it stay after it") {
    const auto added = [](std::string_view text) {
      auto config = parse_sops_config(text);
      REQUIRE(config);
      auto out = add_recipient(text, *config, 0, "age1new");
      REQUIRE(out);
      auto again = parse_sops_config(*out);
      REQUIRE(again);
      auto back = remove_recipient(*out, *again, 0, "age1new");
      REQUIRE(back);
      CHECK(*back == text);
      return *out;
    };
    CHECK(added("creation_rules:\n  - age: \"  age1a \"\n") == "creation_rules:\n  - age: \"  age1a,age1new \"\n");
    CHECK(added("creation_rules:\n  - age: [a, b ]\n") == "creation_rules:\n  - age: [a, b, age1new ]\n");
  }

  // Fuzz finding (enroll_sops_config_remove_fuzz, crash-cbbf7fe4): "age: \r\0a'e2a, age1b" was
  // read as a recipient holding controls and a quote, which remove_recipient could not find again.
  TEST_CASE("controls, quotes or '#' inside a recipient are refused with the line") {
    using namespace std::string_literals;
    for (const std::string& text : {"creation_rules:\n  - age: \r\0a'e2a, age1b\n"s, "creation_rules:\n  - age: [age1a\"]\n"s,
                                   "creation_rules:\n  - age:\n      - age1#a\n"s,
                                   // crash-829f0793: removing age2a left ">a@e1b" first: a block scalar
                                   "creation_rules:\n  - age: age2a,>a@e1b  # t\n"s}) {
      auto config = parse_sops_config(text);
      REQUIRE(!config);
      CHECK(config.error().code == Errc::unsupported);
      CHECK(config.error().message.find("not a recipient") != std::string::npos);
    }
  }

  // Fuzz finding (enroll_sops_config_remove_fuzz, crash-040a191f): "    \tage: ..." was read as
  // the age: key, but the editors, looking for it at the rule's column, did not find it.
  TEST_CASE("a tab in the indentation is refused with its line") {
    auto tab = parse_sops_config("creation_rules:\n  - path_regex: x\n    \tage: age1a\n");
    REQUIRE(!tab);
    CHECK(tab.error().code == Errc::malformed);
    CHECK(tab.error().message.find("line 3") != std::string::npos);
    CHECK(tab.error().message.find("tab") != std::string::npos);
  }

  // Fuzz finding (enroll_sops_config_remove_fuzz, crash-976d5298): a tab after "age:" shifted
  // the edit column by one, so add_recipient wrote the new recipient inside the last one.
  TEST_CASE("a tab between age: and its value: the edit lands after the last recipient") {
    const std::string text = "creation_rules:\n  - age:\tage1a, age1b  # team\n";
    auto config = parse_sops_config(text);
    REQUIRE(config);
    auto out = add_recipient(text, *config, 0, "age1new");
    REQUIRE(out);
    CHECK(*out == "creation_rules:\n  - age:\tage1a, age1b,age1new  # team\n");
    auto quoted = parse_sops_config("creation_rules:\n  - age:\t'age1a'\n");
    REQUIRE(quoted);
    CHECK(quoted->rules[0].age == std::vector<std::string>{"age1a"});
  }
}
