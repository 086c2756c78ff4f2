// .sops.yaml in the sops-nix README form (keys: anchors, one key group with aliases): parsing,
// minimal edits, and what a real YAML parser (yaml-cpp, aliases resolved as sops' own parser
// does) reads back from the edited text.
#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <vps/enroll/rekey/plan.hpp>
#include <vps/enroll/rekey/sops_config.hpp>
#include <vps/enroll/rekey/sops_key_groups.hpp>

using namespace vps;
using namespace vps::enroll::rekey;

namespace {

// The sops-nix README's .sops.yaml, verbatim.
constexpr std::string_view k_readme =
    "keys:\n"
    "  - &admin_alice 2504791468b153b8a3963cc97ba53d7e2dfa3461   # pgp\n"
    "  - &admin_bob age12zlz6lvcdk6eqaewfylg35w0syh58sm7gh53q5vvn7hd7c6nngyseftjxl\n"
    "  - &server_azmidi age1rgffpespcyjn0d8jglk7km9kfrfhdyev6camd3rck6pn8y47ze4sug23v3\n"
    "creation_rules:\n"
    "  - path_regex: secrets/[^/]+\\.(yaml|json|env|ini)$\n"
    "    key_groups:\n"
    "    - pgp:\n"
    "      - *admin_alice\n"
    "      age:\n"
    "      - *admin_bob\n"
    "      - *server_azmidi\n";

constexpr std::string_view k_alice = "2504791468b153b8a3963cc97ba53d7e2dfa3461";
constexpr std::string_view k_bob = "age12zlz6lvcdk6eqaewfylg35w0syh58sm7gh53q5vvn7hd7c6nngyseftjxl";
constexpr std::string_view k_azmidi = "age1rgffpespcyjn0d8jglk7km9kfrfhdyev6camd3rck6pn8y47ze4sug23v3";
constexpr std::string_view k_new = "age1qqqqqqqqqz5f0fq7mm4jc9k7gn3r2rqx3l5kz8ws3x5ldj0xvl5quvl7fy";

using Strings = std::vector<std::string>;

// What sops reads: rule r's single group, key -> list (aliases resolved by yaml-cpp).
Strings yaml_list(const std::string& text, std::size_t rule, const std::string& key) {
  const YAML::Node root = YAML::Load(text);
  const YAML::Node group = root["creation_rules"][rule]["key_groups"];
  REQUIRE(group.IsSequence());
  REQUIRE(group.size() == 1);
  if (!group[0][key]) return {};
  if (group[0][key].IsNull()) return {};
  return group[0][key].as<Strings>();
}

std::string add(std::string_view text, std::size_t rule, std::string_view recipient, std::string_view hint = {}) {
  auto config = parse_sops_config(text);
  REQUIRE_MESSAGE(config, config.error().message);
  auto out = add_recipient(text, *config, rule, recipient, hint);
  REQUIRE_MESSAGE(out, out.error().message);
  return *out;
}

std::string remove(std::string_view text, std::size_t rule, std::string_view recipient) {
  auto config = parse_sops_config(text);
  REQUIRE_MESSAGE(config, config.error().message);
  auto out = remove_key_group_recipient(text, *config, rule, recipient);
  REQUIRE_MESSAGE(out, out.error().message);
  return *out;
}

}  // namespace

TEST_SUITE("enroll::rekey::sops_key_groups") {
  TEST_CASE("the sops-nix README form parses: age recipients resolved, pgp kept apart") {
    auto config = parse_sops_config(k_readme);
    REQUIRE_MESSAGE(config, config.error().message);
    REQUIRE(config->rules.size() == 1);
    CHECK(config->rules[0].key_groups);
    CHECK(config->rules[0].unsupported.empty());
    CHECK(config->rules[0].age == Strings{std::string(k_bob), std::string(k_azmidi)});
    CHECK(**match_rule(*config, "secrets/app.yaml") == 0);
    auto model = parse_key_groups(k_readme, *config);
    REQUIRE(model);
    CHECK(model->anchors.at("admin_alice") == k_alice);
    const auto* pgp = model->rules[0].list("pgp");
    REQUIRE(pgp);
    CHECK(pgp->items.size() == 0);  // pgp items are kept as text, not interpreted
  }

  TEST_CASE("add: one anchored key under keys: and one alias in the group, all else byte for byte") {
    const std::string out = add(k_readme, 0, k_new, "web1");
    std::string expected(k_readme);
    const std::string after_keys = std::string("  - &server_azmidi ") + std::string(k_azmidi) + "\n";
    expected.insert(expected.find(after_keys) + after_keys.size(), "  - &host_web1 " + std::string(k_new) + "\n");
    expected += "      - *host_web1\n";
    CHECK(out == expected);
    // What sops sees.
    CHECK(yaml_list(out, 0, "age") == Strings{std::string(k_bob), std::string(k_azmidi), std::string(k_new)});
    CHECK(yaml_list(out, 0, "pgp") == Strings{std::string(k_alice)});
    // Again: nothing to do.
    CHECK(add(out, 0, k_new, "web1") == out);
    // Another rule using an existing key reuses its anchor.
    CHECK(add(out, 0, k_bob) == out);
  }

  TEST_CASE("add without a host name: host_ plus the recipient's first 8 characters, unique") {
    const std::string out = add(k_readme, 0, k_new);
    CHECK(out.find("  - &host_qqqqqqqq " + std::string(k_new) + "\n") != std::string::npos);
    CHECK(out.find("      - *host_qqqqqqqq\n") != std::string::npos);
    std::string taken(k_readme);
    taken.replace(taken.find("&admin_bob"), 10, "&host_qqqqqqqq");
    taken.replace(taken.find("*admin_bob"), 10, "*host_qqqqqqqq");
    const std::string out2 = add(taken, 0, k_new);
    CHECK(out2.find("&host_qqqqqqqq_2 ") != std::string::npos);
    CHECK(yaml_list(out2, 0, "age") == Strings{std::string(k_bob), std::string(k_azmidi), std::string(k_new)});
  }

  TEST_CASE("add to a pgp-only group creates its age: list with comments and other rules kept") {
    const std::string text =
        "# team keys\n"
        "keys:\n"
        "  - &alice 2504791468b153b8a3963cc97ba53d7e2dfa3461  # alice's card\n"
        "creation_rules:\n"
        "  # production\n"
        "  - path_regex: ^prod/\n"
        "    key_groups:\n"
        "      - pgp:\n"
        "          - *alice\n"
        "    unencrypted_suffix: _plain\n"
        "  - path_regex: ^dev/\n"
        "    age: age1aaa\n";
    const std::string out = add(text, 0, k_new, "db.example");
    CHECK(out ==
          "# team keys\n"
          "keys:\n"
          "  - &alice 2504791468b153b8a3963cc97ba53d7e2dfa3461  # alice's card\n"
          "  - &host_db_example " + std::string(k_new) + "\n"
          "creation_rules:\n"
          "  # production\n"
          "  - path_regex: ^prod/\n"
          "    key_groups:\n"
          "      - pgp:\n"
          "          - *alice\n"
          "        age:\n"
          "          - *host_db_example\n"
          "    unencrypted_suffix: _plain\n"
          "  - path_regex: ^dev/\n"
          "    age: age1aaa\n");
    CHECK(yaml_list(out, 0, "age") == Strings{std::string(k_new)});
    CHECK(yaml_list(out, 0, "pgp") == Strings{std::string(k_alice)});
    CHECK(YAML::Load(out)["creation_rules"][0]["unencrypted_suffix"].as<std::string>() == "_plain");
  }

  TEST_CASE("add: no keys: block yet, flow lists and literal recipients") {
    const std::string text = "creation_rules:\n  - key_groups:\n    - age: [age1aaa]\n";
    auto config = parse_sops_config(text);
    REQUIRE(config);
    CHECK(config->rules[0].age == Strings{"age1aaa"});
    const std::string out = add(text, 0, k_new, "h");
    CHECK(out == "keys:\n  - &host_h " + std::string(k_new) + "\ncreation_rules:\n  - key_groups:\n    - age: [age1aaa, *host_h]\n");
    CHECK(yaml_list(out, 0, "age") == Strings{"age1aaa", std::string(k_new)});
  }

  TEST_CASE("plan: every matching key_groups rule gets the same anchor once") {
    const std::string text = std::string(k_readme) +
                             "  - path_regex: ^other/\n"
                             "    key_groups:\n"
                             "    - age:\n"
                             "      - *admin_bob\n";
    std::vector<FileInput> files{{"a", "secrets/a.yaml", FileKind::sops, Strings{std::string(k_bob), std::string(k_azmidi)}},
                                 {"b", "other/b.yaml", FileKind::sops, Strings{std::string(k_bob)}}};
    auto plan = make_plan(text, k_new, files, "web1");
    REQUIRE_MESSAGE(plan, plan.error().message);
    CHECK(plan->config_changed);
    const std::string& out = plan->config_text;
    CHECK(out.find("&host_web1") == out.rfind("&host_web1"));
    CHECK(yaml_list(out, 0, "age") == Strings{std::string(k_bob), std::string(k_azmidi), std::string(k_new)});
    CHECK(yaml_list(out, 1, "age") == Strings{std::string(k_bob), std::string(k_new)});
    CHECK(plan->files[0].added == Strings{std::string(k_new)});
    CHECK(plan->files[1].added == Strings{std::string(k_new)});
  }

  TEST_CASE("remove: the alias goes, and its key once nothing refers to it") {
    const std::string with_second = std::string(k_readme) +
                                    "  - path_regex: ^other/\n"
                                    "    key_groups:\n"
                                    "    - age:\n"
                                    "      - *server_azmidi\n"
                                    "      - *admin_bob\n";
    // Still used by rule 1: the key stays.
    const std::string once = remove(with_second, 0, k_azmidi);
    std::string expected = with_second;
    expected.erase(expected.find("      - *server_azmidi\n"), 23);
    CHECK(once == expected);
    CHECK(yaml_list(once, 0, "age") == Strings{std::string(k_bob)});
    CHECK(yaml_list(once, 1, "age") == Strings{std::string(k_azmidi), std::string(k_bob)});
    // Now unused: the key leaves keys: too.
    const std::string twice = remove(once, 1, k_azmidi);
    CHECK(twice.find("server_azmidi") == std::string::npos);
    CHECK(twice.find("&admin_alice 2504791468b153b8a3963cc97ba53d7e2dfa3461   # pgp\n") != std::string::npos);
    CHECK(yaml_list(twice, 0, "age") == Strings{std::string(k_bob)});
    CHECK(yaml_list(twice, 1, "age") == Strings{std::string(k_bob)});
    CHECK(yaml_list(twice, 0, "pgp") == Strings{std::string(k_alice)});
    // Not there: unchanged.
    CHECK(remove(twice, 0, k_new) == twice);
  }

  TEST_CASE("remove: the last age key of a group with pgp drops age:, a lone key is refused") {
    std::string text(k_readme);
    text = remove(text, 0, k_bob);
    text = remove(text, 0, k_azmidi);
    CHECK(text == "keys:\n  - &admin_alice 2504791468b153b8a3963cc97ba53d7e2dfa3461   # pgp\ncreation_rules:\n"
                  "  - path_regex: secrets/[^/]+\\.(yaml|json|env|ini)$\n    key_groups:\n    - pgp:\n      - *admin_alice\n");
    CHECK(yaml_list(text, 0, "pgp") == Strings{std::string(k_alice)});
    const std::string lone = "creation_rules:\n  - key_groups:\n    - age:\n      - age1aaa\n";
    auto config = parse_sops_config(lone);
    REQUIRE(config);
    auto out = remove_key_group_recipient(lone, *config, 0, "age1aaa");
    REQUIRE(!out);
    CHECK(out.error().code == Errc::unsupported);
    // Flow list.
    CHECK(remove("creation_rules:\n  - key_groups:\n    - age: [age1aaa, age1bbb]  # x\n", 0, "age1aaa") ==
          "creation_rules:\n  - key_groups:\n    - age: [age1bbb]  # x\n");
  }

  TEST_CASE("keys: after creation_rules: aliases before their anchor are malformed, a new anchor there refused") {
    auto before = parse_sops_config("creation_rules:\n  - key_groups:\n      - age:\n          - *a\nkeys:\n  - &a age1aaa\n");
    REQUIRE(!before);
    CHECK(before.error().code == Errc::malformed);
    CHECK(before.error().message.find("before its anchor") != std::string::npos);
    const std::string literal = "creation_rules:\n  - key_groups:\n      - age:\n          - age1aaa\nkeys:\n  - &a age1aaa\n";
    auto config = parse_sops_config(literal);
    REQUIRE_MESSAGE(config, config.error().message);
    auto out = add_recipient(literal, *config, 0, k_new);
    REQUIRE(!out);
    CHECK(out.error().code == Errc::unsupported);
  }

  TEST_CASE("bad key_groups: undefined alias, flow key_groups, scalar age, each with its line") {
    auto undefined = parse_sops_config("creation_rules:\n  - key_groups:\n    - age:\n      - *nobody\n");
    REQUIRE(!undefined);
    CHECK(undefined.error().code == Errc::malformed);
    CHECK(undefined.error().message.find("line 4") != std::string::npos);
    for (const std::string& text : {std::string("creation_rules:\n  - key_groups: [{age: [age1aaa]}]\n"),
                                   std::string("creation_rules:\n  - key_groups:\n    - age: age1aaa\n")}) {
      INFO(text);
      auto config = parse_sops_config(text);
      REQUIRE_MESSAGE(config, config.error().message);
      CHECK(!config->rules[0].unsupported.empty());
      const bool names_line = config->rules[0].unsupported.find("line 2") != std::string::npos ||
                              config->rules[0].unsupported.find("line 3") != std::string::npos;
      CHECK(names_line);
      auto out = add_recipient(text, *config, 0, k_new);
      REQUIRE(!out);
      CHECK(out.error().code == Errc::unsupported);
    }
  }
}
