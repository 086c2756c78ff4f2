// rekey plans: rule matching per file, recipient changes, refusals.
#include <doctest/doctest.h>

#include <vps/enroll/rekey/plan.hpp>

using namespace vps;
using namespace vps::enroll::rekey;

namespace {

FileInput sops_file(std::string relative, std::vector<std::string> current) {
  return FileInput{relative, relative, FileKind::sops, std::move(current)};
}

}  // namespace

TEST_SUITE("enroll::rekey::plan") {
  TEST_CASE("sops file: added host, removed stale key, other rules untouched") {
    const std::string config =
        "creation_rules:\n  - path_regex: ^prod/\n    age: age1op\n  - path_regex: ^dev/\n    age: age1dev\n";
    auto plan = make_plan(config, "age1host", {sops_file("prod/a.yaml", {"age1op", "age1old"})});
    REQUIRE_MESSAGE(plan, plan.error().message);
    CHECK(plan->config_changed);
    CHECK(plan->config_text ==
          "creation_rules:\n  - path_regex: ^prod/\n    age: age1op,age1host\n  - path_regex: ^dev/\n    age: age1dev\n");
    REQUIRE(plan->files.size() == 1);
    CHECK(plan->files[0].target == std::vector<std::string>{"age1op", "age1host"});
    CHECK(plan->files[0].added == std::vector<std::string>{"age1host"});
    CHECK(plan->files[0].removed == std::vector<std::string>{"age1old"});
  }

  TEST_CASE("two files in two rules both get the recipient, age files list all targets") {
    const std::string config = "creation_rules:\n  - path_regex: ^a/\n    age:\n      - age1x\n  - age: age1y\n";
    auto plan = make_plan(config, "age1host",
                          {sops_file("a/s.yaml", {"age1x"}), FileInput{"b/f.age", "b/f.age", FileKind::age, std::nullopt}});
    REQUIRE_MESSAGE(plan, plan.error().message);
    CHECK(plan->config_text == "creation_rules:\n  - path_regex: ^a/\n    age:\n      - age1x\n      - age1host\n"
                               "  - age: age1y,age1host\n");
    CHECK(plan->files[1].added == std::vector<std::string>{"age1y", "age1host"});
  }

  TEST_CASE("already up to date: no config change, no file change") {
    auto plan = make_plan("creation_rules:\n  - age: age1op, age1host\n", "age1host",
                          {sops_file("s.yaml", {"age1op", "age1host"})});
    REQUIRE(plan);
    CHECK(!plan->config_changed);
    CHECK(!plan->files[0].changed());
  }

  TEST_CASE("no matching rule and multi-group key_groups rules are refused") {
    auto none = make_plan("creation_rules:\n  - path_regex: \\.json$\n    age: a\n", "age1host", {sops_file("s.yaml", {})});
    REQUIRE(!none);
    CHECK(none.error().code == Errc::missing);
    auto groups = make_plan("creation_rules:\n  - key_groups:\n    - age: [a]\n    - age: [b]\n", "age1host",
                            {sops_file("s.yaml", {})});
    REQUIRE(!groups);
    CHECK(groups.error().code == Errc::unsupported);
  }

  TEST_CASE("ssh-ed25519 host key converts like ssh-to-age") {
    // Known pair from ssh-to-age's README-style derivation is checked end to end in
    // tests/enroll/rekey; here only the shape and the refusals.
    CHECK(age_recipient_from_ssh_key("ssh-rsa AAAA").error().code == Errc::malformed);
    CHECK(age_recipient_from_ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5").error().code == Errc::malformed);
  }
}
