// rekey --remove plans: which rules and files lose the recipient, which files rotate, refusals.
#include <doctest/doctest.h>

#include <vps/enroll/rekey/remove.hpp>

using namespace vps;
using namespace vps::enroll::rekey;

namespace {

const std::string k_config =
    "creation_rules:\n  - path_regex: ^prod/\n    age: age1op,age1gone\n  - path_regex: ^dev/\n    age: age1dev\n";

RemoveFileInput sops_file(std::string relative, std::vector<std::string> current, std::vector<std::string> others = {}) {
  return RemoveFileInput{relative, relative, FileKind::sops, std::move(current), std::move(others), {"db/password"}};
}

RemoveFileInput age_file(std::string relative) {
  return RemoveFileInput{relative, relative, FileKind::age, {}, {}, {relative}};
}

}  // namespace

TEST_SUITE("enroll::rekey::remove_plan") {
  TEST_CASE("rules edited, sops files with the recipient rotate, age files of those rules re-encrypt") {
    auto plan = make_remove_plan(k_config, "age1gone",
                                 {sops_file("prod/a.yaml", {"age1op", "age1gone"}), age_file("prod/t.age"),
                                  age_file("dev/t.age"), sops_file("dev/b.yaml", {"age1dev", "age1gone"}),
                                  sops_file("dev/c.yaml", {"age1dev"})});
    REQUIRE_MESSAGE(plan, plan.error().message);
    CHECK(plan->config_changed);
    CHECK(plan->config_text ==
          "creation_rules:\n  - path_regex: ^prod/\n    age: age1op\n  - path_regex: ^dev/\n    age: age1dev\n");
    CHECK(plan->rule_lines == std::vector<std::size_t>{2});
    REQUIRE(plan->files.size() == 5);
    CHECK(plan->files[0].action == RemoveAction::rotate);
    CHECK(plan->files[0].target == std::vector<std::string>{"age1op"});
    CHECK(plan->files[1].action == RemoveAction::reencrypt);
    CHECK(plan->files[1].target == std::vector<std::string>{"age1op"});
    CHECK(plan->files[2].action == RemoveAction::none);
    // A stale recipient in a file whose rule no longer lists it: rotated all the same.
    CHECK(plan->files[3].action == RemoveAction::rotate);
    CHECK(plan->files[3].target == std::vector<std::string>{"age1dev"});
    CHECK(plan->files[4].action == RemoveAction::none);
  }

  TEST_CASE("a recipient on no rule and in no file: not_a_recipient") {
    auto plan = make_remove_plan(k_config, "age1nobody", {sops_file("prod/a.yaml", {"age1op"})});
    REQUIRE_FALSE(plan);
    CHECK(plan.error().code == Errc::not_a_recipient);
  }

  TEST_CASE("the last recipient of a rule or a file: last_recipient") {
    auto rule = make_remove_plan(k_config, "age1dev", {});
    REQUIRE_FALSE(rule);
    CHECK(rule.error().code == Errc::last_recipient);
    auto file = make_remove_plan(k_config, "age1gone", {sops_file("prod/a.yaml", {"age1gone"})});
    REQUIRE_FALSE(file);
    CHECK(file.error().code == Errc::last_recipient);
  }

  TEST_CASE("a sops file also keyed for pgp cannot be rotated here: unsupported, named") {
    auto plan = make_remove_plan(k_config, "age1gone", {sops_file("prod/a.yaml", {"age1op", "age1gone"}, {"pgp ABC"})});
    REQUIRE_FALSE(plan);
    CHECK(plan.error().code == Errc::unsupported);
    CHECK(plan.error().message.find("pgp ABC") != std::string::npos);
    CHECK(plan.error().message.find("sops rotate") != std::string::npos);
  }

  TEST_CASE("an age file under no rule: missing") {
    auto plan = make_remove_plan(k_config, "age1gone", {age_file("other/t.age")});
    REQUIRE_FALSE(plan);
    CHECK(plan.error().code == Errc::missing);
  }
}
