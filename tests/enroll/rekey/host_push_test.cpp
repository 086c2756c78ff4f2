// vps-enroll rekey --host HOST --push against a loopback endpoint: the recipient comes from the
// approved host's record, the key_groups .sops.yaml gains the anchor &host_<name>, and every
// changed file is uploaded as the host's bundle, which the host fetches and decrypts.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include <vps/formats/age/age.hpp>
#include <vps/formats/sops/sops.hpp>

#include "../server/server_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::enroll;
namespace fs = std::filesystem;

namespace {

struct Repo {
  ServerFixture f;
  crypto::Ed25519KeyPair web = key_pair();
  fs::path repo = f.dir / "repo";
  std::string op;

  Repo() {
    fs::create_directories(repo / "secrets");
    op = age_keygen(f.dir.path(), "op.txt");
    write_text(repo / ".sops.yaml", "keys:\n  - &admin_op " + op +
                                        "  # operator\ncreation_rules:\n  - path_regex: secrets/[^/]+$\n"
                                        "    key_groups:\n    - age:\n      - *admin_op\n");
    auto recipient = formats::age::X25519Recipient::parse(op);
    REQUIRE(recipient);
    auto text = formats::sops::encrypt("password: hunter2\n", formats::sops::Format::yaml, {&*recipient});
    REQUIRE(text);
    write_text(repo / "secrets/app.yaml", *text);
    write_text(f.dir / "plain", "token\n");
    auto e = run({enroll_binary().string(), "encrypt", "-r", op, "-o", (repo / "secrets/token.age").string(),
                  (f.dir / "plain").string()});
    REQUIRE_MESSAGE(e.exit_code == 0, e.err);
    write_text(f.dir / "web.key", private_key_text(web));
    fs::permissions(f.dir / "web.key", fs::perms::owner_read | fs::perms::owner_write);
  }

  ProcessResult rekey(std::vector<std::string> extra) {
    std::vector<std::string> args{"rekey", "--host", "web1", "--config-file", (repo / ".sops.yaml").string(), "-i",
                                  (f.dir / "op.txt").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back((repo / "secrets").string());
    return f.cli(args);
  }
};

}  // namespace

TEST_SUITE("enroll::rekey") {
  TEST_CASE("--host takes the approved host's recipient and --push uploads what changed") {
    Repo r;
    REQUIRE(r.f.publish(r.web, "web1").status == 202);
    const std::string config_before = read_text(r.repo / ".sops.yaml");
    const std::string app_before = read_text(r.repo / "secrets/app.yaml");

    // Pending: refused before anything is written or pushed.
    auto pending = r.rekey({"--push"});
    CHECK(pending.exit_code == 76);
    CHECK(pending.err.find("not approved") != std::string::npos);
    CHECK(read_text(r.repo / ".sops.yaml") == config_before);
    CHECK(read_text(r.repo / "secrets/app.yaml") == app_before);

    REQUIRE(r.f.cli({"approve", "web1", "--fingerprint", fingerprint(r.web)}).exit_code == 0);
    auto dry = r.rekey({"--push", "--dry-run", "--json"});
    REQUIRE_MESSAGE(dry.exit_code == 0, dry.err);
    auto dj = nlohmann::json::parse(dry.out);
    CHECK(dj["pushed"].size() == 2);
    CHECK(read_text(r.repo / ".sops.yaml") == config_before);

    auto done = r.rekey({"--push", "--json"});
    REQUIRE_MESSAGE(done.exit_code == 0, done.err);
    auto j = nlohmann::json::parse(done.out);
    CHECK(j["host"] == "web1");
    CHECK(j["fingerprint"] == fingerprint(r.web));
    REQUIRE(j["pushed"].size() == 2);
    CHECK(j["pushed"][0]["name"] == "app.yaml");
    CHECK(j["pushed"][1]["name"] == "token.age");
    const std::string config_after = read_text(r.repo / ".sops.yaml");
    CHECK(config_after.find("  - &host_web1 " + j["recipient"].get<std::string>() + "\n") != std::string::npos);
    CHECK(config_after.ends_with("      - *admin_op\n      - *host_web1\n"));

    // The host fetches exactly the re-keyed files and opens them with its own key.
    for (const char* name : {"app.yaml", "token.age"}) {
      INFO(name);
      auto fetched = r.f.signed_as(r.web, "GET", std::string("/v1/hosts/web1/bundles/") + name);
      REQUIRE(fetched.status == 200);
      CHECK(fetched.body == read_text(r.repo / "secrets" / name));
      auto d = run({agent_binary().string(), "decrypt", "-i", (r.f.dir / "web.key").string(),
                    (r.repo / "secrets" / name).string()});
      CHECK_MESSAGE(d.exit_code == 0, d.err);
    }

    // Human output names each upload.
    auto again = r.rekey({"--push"});
    REQUIRE_MESSAGE(again.exit_code == 0, again.err);
    CHECK(again.out.find("app.yaml (sops): already up to date") != std::string::npos);
    CHECK(again.out.find("pushed token.age to web1") != std::string::npos);
    CHECK(again.out.find("pushed app.yaml") == std::string::npos);
  }

  TEST_CASE("--host for an unknown host fails with the endpoint's answer and writes nothing") {
    Repo r;
    const std::string config_before = read_text(r.repo / ".sops.yaml");
    auto unknown = r.rekey({});
    CHECK(unknown.exit_code != 0);
    CHECK(unknown.exit_code != 64);
    CHECK(read_text(r.repo / ".sops.yaml") == config_before);
    auto two = r.f.cli({"rekey", "--host", "web1", "--recipient", r.op, (r.repo / "secrets").string()});
    CHECK(two.exit_code == 64);
  }
}
