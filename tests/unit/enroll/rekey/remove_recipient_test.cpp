// .sops.yaml: taking a recipient out of a creation rule, one test per form add_recipient
// writes; comments, other rules and layout stay byte for byte.
#include <doctest/doctest.h>

#include <vps/enroll/rekey/sops_config.hpp>

using namespace vps;
using namespace vps::enroll::rekey;

namespace {

constexpr std::string_view k_gone = "age1gone";

std::string removed(std::string_view text, std::size_t rule = 0) {
  auto config = parse_sops_config(text);
  REQUIRE_MESSAGE(config, config.error().message);
  auto out = remove_recipient(text, *config, rule, k_gone);
  REQUIRE_MESSAGE(out, out.error().message);
  auto again = parse_sops_config(*out);
  REQUIRE_MESSAGE(again, again.error().message);
  CHECK(again->rules.size() == config->rules.size());
  for (const auto& r : again->rules[rule].age) CHECK(r != k_gone);
  return *out;
}

}  // namespace

TEST_SUITE("enroll::rekey::remove_recipient") {
  TEST_CASE("plain scalar: first, middle and last, comments kept") {
    CHECK(removed("# keys\ncreation_rules:\n  - path_regex: ^s/\n    age: age1gone, age1a,age1b  # ops\n") ==
          "# keys\ncreation_rules:\n  - path_regex: ^s/\n    age: age1a,age1b  # ops\n");
    CHECK(removed("creation_rules:\n  - age: age1a, age1gone, age1b # x\n") ==
          "creation_rules:\n  - age: age1a, age1b # x\n");
    CHECK(removed("creation_rules:\n  - age: age1a,age1gone\n") == "creation_rules:\n  - age: age1a\n");
  }

  TEST_CASE("undoes add_recipient exactly") {
    const std::string text = "creation_rules:\n  - path_regex: x\n    age: age1a  # op\n";
    auto config = parse_sops_config(text);
    REQUIRE(config);
    auto grown = add_recipient(text, *config, 0, k_gone);
    REQUIRE(grown);
    CHECK(*grown != text);
    CHECK(removed(*grown) == text);
  }

  TEST_CASE("quoted scalar") {
    CHECK(removed("creation_rules:\n- path_regex: 'a'\n  age: \"age1a,age1gone\"  # q\n") ==
          "creation_rules:\n- path_regex: 'a'\n  age: \"age1a\"  # q\n");
    CHECK(removed("creation_rules:\n- age: 'age1gone, age1a'\n") == "creation_rules:\n- age: 'age1a'\n");
  }

  TEST_CASE("block scalar: the recipient's line goes with its comma") {
    CHECK(removed("creation_rules:\n  - age: >-\n      age1a,\n      age1gone,\n      age1b\n    pgp: X\n") ==
          "creation_rules:\n  - age: >-\n      age1a,\n      age1b\n    pgp: X\n");
    CHECK(removed("creation_rules:\n  - age: >-\n      age1a,\n      age1gone\n") ==
          "creation_rules:\n  - age: >-\n      age1a\n");
    CHECK(removed("creation_rules:\n  - age: |\n      age1gone,\n      age1a\n") ==
          "creation_rules:\n  - age: |\n      age1a\n");
  }

  TEST_CASE("block list: the item's line goes, comments and quotes of the others stay") {
    const std::string text =
        "creation_rules:\n"
        "  - path_regex: secrets/\n"
        "    age:\n"
        "      - age1a   # alice\n"
        "      # the old host\n"
        "      - \"age1gone\"  # web1\n"
        "      - age1b\n"
        "    pgp: ABC\n"
        "  - path_regex: other/\n"
        "    age:\n"
        "      - age1gone\n"
        "      - age1c\n";
    CHECK(removed(text, 0) ==
          "creation_rules:\n  - path_regex: secrets/\n    age:\n      - age1a   # alice\n      # the old host\n"
          "      - age1b\n    pgp: ABC\n  - path_regex: other/\n    age:\n      - age1gone\n      - age1c\n");
    CHECK(removed(text, 1) ==
          "creation_rules:\n  - path_regex: secrets/\n    age:\n      - age1a   # alice\n      # the old host\n"
          "      - \"age1gone\"  # web1\n      - age1b\n    pgp: ABC\n  - path_regex: other/\n    age:\n      - age1c\n");
    // The last item of a file without a final newline.
    CHECK(removed("creation_rules:\n  - age:\n      - age1a\n      - age1gone") ==
          "creation_rules:\n  - age:\n      - age1a\n");
    // An item holding several comma-separated recipients keeps the others.
    CHECK(removed("creation_rules:\n  - age:\n      - age1a, age1gone\n      - age1b\n") ==
          "creation_rules:\n  - age:\n      - age1a\n      - age1b\n");
  }

  TEST_CASE("flow list") {
    CHECK(removed("creation_rules:\n  - age: [age1a, age1gone, age1b]  # f\n") ==
          "creation_rules:\n  - age: [age1a, age1b]  # f\n");
    CHECK(removed("creation_rules:\n  - age: [age1gone, age1a]\n") == "creation_rules:\n  - age: [age1a]\n");
  }

  TEST_CASE("every occurrence goes, an absent recipient or absent age changes nothing") {
    CHECK(removed("creation_rules:\n  - age: age1gone,age1a,age1gone\n") == "creation_rules:\n  - age: age1a\n");
    const std::string none = "creation_rules:\n  - age: age1a\n  - path_regex: x\n    pgp: ABC\n";
    CHECK(removed(none, 0) == none);
    CHECK(removed(none, 1) == none);
  }

  TEST_CASE("the only recipient is refused: last_recipient") {
    for (const std::string text : {"creation_rules:\n  - age: age1gone\n", "creation_rules:\n  - age:\n      - age1gone\n",
                                   "creation_rules:\n  - age: [age1gone, age1gone]\n"}) {
      INFO(text);
      auto config = parse_sops_config(text);
      REQUIRE(config);
      auto out = remove_recipient(text, *config, 0, k_gone);
      REQUIRE_FALSE(out);
      CHECK(out.error().code == Errc::last_recipient);
      CHECK(out.error().message.find("only age recipient") != std::string::npos);
    }
  }

  TEST_CASE("key_groups rules go to the key_groups editor: the recipient leaves the group") {
    const std::string text =
        "creation_rules:\n  - path_regex: x\n    key_groups:\n      - age:\n          - age1gone\n          - age1a\n";
    auto config = parse_sops_config(text);
    REQUIRE(config);
    auto out = remove_recipient(text, *config, 0, k_gone);
    REQUIRE(out);
    CHECK(out->find("age1gone") == std::string::npos);
    auto again = parse_sops_config(*out);
    REQUIRE(again);
    CHECK(again->rules.at(0).age == std::vector<std::string>{"age1a"});
  }
}
