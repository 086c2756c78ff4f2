// vps-agent firstboot / pubkey / status against a scratch --root.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <vps/base/error.hpp>

#include "agent_root.hpp"

using namespace vps;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
json firstboot_json(const test::AgentRoot& root, int expected_exit = 0) {
  auto result = root.agent({"firstboot", "--json"});
  INFO(result.err);
  REQUIRE(result.exit_code == expected_exit);
  return json::parse(result.out);
}
std::size_t count_prefix(const fs::path& dir, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().starts_with(prefix);
  return n;
}
}  // namespace

TEST_SUITE("agent::firstboot") {
  TEST_CASE("creates a key that ssh-keygen agrees with, prints the block to console and stdout") {
    test::AgentRoot root;
    auto result = root.agent({"firstboot"});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.starts_with("-----BEGIN SSH HOST KEY FINGERPRINTS-----\n256 SHA256:"));
    CHECK(result.out.find("-----END SSH HOST KEY FINGERPRINTS-----") != std::string::npos);
    CHECK(result.out.find("\nage1") != std::string::npos);
    CHECK(test::read_text(root.console()) == result.out);
    VPS_REQUIRE_PROGRAM(keygen, "ssh-keygen");
    auto fp = test::run({keygen.string(), "-lf", root.key().string()});
    REQUIRE(fp.exit_code == 0);
    CHECK(result.out.find(fp.out) != std::string::npos);
    auto derived = test::run({keygen.string(), "-y", "-f", root.key().string()});
    CHECK(derived.out == test::read_text(root.pub()));
  }

  TEST_CASE("pubkey and status report the identity firstboot made") {
    test::AgentRoot root;
    auto outcome = firstboot_json(root);
    CHECK(outcome["action"] == "created");
    CHECK(outcome["instance_id"] == "1001");
    auto age = root.agent({"pubkey", "--format", "age"});
    REQUIRE(age.exit_code == 0);
    CHECK(age.out == outcome["age_recipient"].get<std::string>() + "\n");
    CHECK(root.agent({"pubkey"}).out == test::read_text(root.pub()));
    CHECK(root.agent({"pubkey", "--format", "fingerprint"}).out == outcome["fingerprint"].get<std::string>() + "\n");
    auto all = json::parse(root.agent({"pubkey", "--format", "json"}).out);
    CHECK(all["age"] == outcome["age_recipient"]);
    auto status = root.agent({"status", "--json"});
    REQUIRE(status.exit_code == 0);
    auto s = json::parse(status.out);
    CHECK(s["identity"]["fingerprint"] == outcome["fingerprint"]);
    CHECK(s["instance"]["current"] == "1001");
    CHECK(s["instance"]["matches"] == true);
    CHECK(s["enrollment"]["status"] == "none");
    CHECK(root.agent({"status"}).out.find("enrollment:  none") != std::string::npos);
  }

  TEST_CASE("global options are accepted after the subcommand too") {
    test::AgentRoot root;
    REQUIRE(root.agent({"firstboot"}).exit_code == 0);
    auto after = test::run({test::agent_binary().string(), "status", "--json", "--root", root.path().string()});
    REQUIRE(after.exit_code == 0);
    CHECK(json::parse(after.out)["enrollment"]["status"] == "none");
    auto pubkey = test::run({test::agent_binary().string(), "pubkey", "--root", root.path().string()});
    CHECK(pubkey.exit_code == 0);
    CHECK(pubkey.out == test::read_text(root.pub()));
  }

  TEST_CASE("pubkey without a key exits no_key") {
    test::AgentRoot root;
    auto result = root.agent({"pubkey"});
    CHECK(result.exit_code == exit_code(Errc::no_key));
    CHECK(result.err.find("firstboot") != std::string::npos);
    CHECK(root.agent({"pubkey", "--format", "nope"}).exit_code == exit_code(Errc::usage));
  }

  TEST_CASE("a valid key of the same instance is kept byte for byte") {
    test::AgentRoot root;
    firstboot_json(root);
    auto key = test::read_text(root.key()), pub = test::read_text(root.pub()), state = test::read_text(root.state());
    auto again = firstboot_json(root);
    CHECK(again["action"] == "kept");
    CHECK(test::read_text(root.key()) == key);
    CHECK(test::read_text(root.pub()) == pub);
    CHECK(test::read_text(root.state()) == state);
  }

  TEST_CASE("a key made by ssh-keygen before the agent is adopted unchanged") {
    VPS_REQUIRE_PROGRAM(keygen, "ssh-keygen");
    test::AgentRoot root;
    fs::create_directories(root.key().parent_path());
    REQUIRE(test::run({keygen.string(), "-q", "-t", "ed25519", "-N", "", "-f", root.key().string()}).exit_code == 0);
    auto key = test::read_text(root.key());
    auto outcome = firstboot_json(root);
    CHECK(outcome["action"] == "adopted");
    CHECK(test::read_text(root.key()) == key);
    CHECK(firstboot_json(root)["action"] == "kept");
  }

  TEST_CASE("a new instance id rotates the inherited key into quarantine") {
    test::AgentRoot root("111");
    auto first = firstboot_json(root);
    auto old_key = test::read_text(root.key());
    root.set_instance("222");
    auto second = firstboot_json(root);
    CHECK(second["action"] == "rotated-inherited");
    CHECK(second["fingerprint"] != first["fingerprint"]);
    CHECK(second["instance_id"] == "222");
    auto moved = root.key().string() + ".inherited-111";
    REQUIRE(fs::exists(moved));
    CHECK(test::read_text(moved) == old_key);
    CHECK(fs::exists(root.pub().string() + ".inherited-111"));
    CHECK(test::read_text(root.key()) != old_key);
    auto status = json::parse(root.agent({"status", "--json"}).out);
    CHECK(status["identity"]["quarantined"].size() == 1);
    CHECK(firstboot_json(root)["action"] == "kept");
  }

  TEST_CASE("corrupt key with policy fail: quarantined, exit corrupt_key, no new key") {
    test::AgentRoot root;
    root.set_config("identity:\n  on_corrupt_key: fail\n");
    fs::create_directories(root.key().parent_path());
    test::write_text(root.key(), "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
    auto result = root.agent({"firstboot"});
    CHECK(result.exit_code == exit_code(Errc::corrupt_key));
    CHECK(result.err.find("quarantined") != std::string::npos);
    CHECK(!fs::exists(root.key()));
    CHECK(count_prefix(root.key().parent_path(), "ssh_host_ed25519_key.corrupt-") == 1);
    CHECK(test::read_text(root.console()).find("corrupt") != std::string::npos);
  }

  TEST_CASE("corrupt key with policy regenerate: quarantined and replaced") {
    test::AgentRoot root;
    root.set_config("identity:\n  on_corrupt_key: regenerate\n");
    fs::create_directories(root.key().parent_path());
    test::write_text(root.key(), "not a key");
    auto outcome = firstboot_json(root);
    CHECK(outcome["action"] == "regenerated-corrupt");
    CHECK(outcome["quarantined"].size() == 1);
    CHECK(fs::exists(root.key()));
  }

  TEST_CASE("corrupt key with policy auto: regenerate before enrollment, fail after") {
    test::AgentRoot root;
    firstboot_json(root);
    test::write_text(root.key(), "broken");
    CHECK(firstboot_json(root)["action"] == "regenerated-corrupt");
    auto state = json::parse(test::read_text(root.state()));
    state["enrollment"]["status"] = "pending";
    test::write_text(root.state(), state.dump());
    test::write_text(root.key(), "broken again");
    auto result = root.agent({"firstboot"});
    CHECK(result.exit_code == exit_code(Errc::corrupt_key));
    CHECK(result.err.find("enrollment is 'pending'") != std::string::npos);
    CHECK(count_prefix(root.key().parent_path(), "ssh_host_ed25519_key.corrupt-") == 2);
  }

  TEST_CASE("encrypted keys count as corrupt and say why") {
    VPS_REQUIRE_PROGRAM(keygen, "ssh-keygen");
    test::AgentRoot root;
    root.set_config("identity:\n  on_corrupt_key: fail\n");
    fs::create_directories(root.key().parent_path());
    REQUIRE(test::run({keygen.string(), "-q", "-t", "ed25519", "-N", "pw", "-f", root.key().string()}).exit_code == 0);
    auto result = root.agent({"firstboot"});
    CHECK(result.exit_code == exit_code(Errc::corrupt_key));
    CHECK(result.err.find("encrypted") != std::string::npos);
  }

  TEST_CASE("config errors exit config naming key and line") {
    test::AgentRoot root;
    root.set_config("identity:\n  host_kee: /x\n");
    auto result = root.agent({"firstboot"});
    CHECK(result.exit_code == exit_code(Errc::config));
    CHECK(result.err.find("config.yaml:2: identity.host_kee: unknown key") != std::string::npos);
  }
}
