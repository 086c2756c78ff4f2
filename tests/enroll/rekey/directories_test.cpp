// vps-enroll rekey DIR: the files .sops.yaml rules match are found (path_regex against the path
// relative to the .sops.yaml directory, first rule wins), hidden directories are not entered,
// matching files that are neither sops nor age are listed as skipped; and one file that cannot
// be re-keyed leaves every file, .sops.yaml included, as it was.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include <vps/formats/age/age.hpp>
#include <vps/formats/sops/sops.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::test;
namespace fs = std::filesystem;

namespace {

struct Tree {
  TempDir dir;
  std::string op;
  std::string host_pub;

  Tree() {
    op = age_keygen(dir.path(), "op.txt");
    host_pub = ssh_keygen_ed25519(dir.path(), "host");
    write_text(dir / ".sops.yaml", "creation_rules:\n  - path_regex: secrets/.*\\.(yaml|json|age|txt)$\n    age: " + op + "\n");
    for (const char* d : {"secrets/app", "secrets/.git", ".hidden/secrets", "docs"}) fs::create_directories(dir / d);
    sops_file("secrets/app/db.yaml", op);
    sops_file("secrets/web.json", op);
    sops_file("secrets/.git/stale.yaml", op);  // hidden directory: never entered
    sops_file(".hidden/secrets/x.yaml", op);
    sops_file("docs/example.yaml", op);  // no rule matches docs/
    write_text(dir / "secrets/notes.txt", "not encrypted\n");  // matches, neither sops nor age
    write_text(dir / "plain", "age secret\n");
    auto e = run({enroll_binary().string(), "encrypt", "-r", op, "-o", (dir / "secrets/token.age").string(),
                  (dir / "plain").string()});
    REQUIRE_MESSAGE(e.exit_code == 0, e.err);
  }

  void sops_file(const std::string& rel, const std::string& recipient_text) {
    auto recipient = formats::age::X25519Recipient::parse(recipient_text);
    REQUIRE(recipient);
    const auto format = formats::sops::format_for_path(rel);
    auto text = formats::sops::encrypt(format == formats::sops::Format::json ? "{\"a\": \"b\"}" : "a: b\n", format,
                                       {&*recipient});
    REQUIRE_MESSAGE(text, text.error().message);
    write_text(dir / rel, *text);
  }

  std::map<std::string, std::string> snapshot() {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir.path()))
      if (e.is_regular_file()) out[e.path().string()] = read_text(e.path());
    return out;
  }

  ProcessResult rekey(std::vector<std::string> extra) {
    std::vector<std::string> argv{enroll_binary().string(), "rekey", "--config-file", (dir / ".sops.yaml").string(),
                                  "--host-key", host_pub};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv);
  }
};

}  // namespace

TEST_SUITE("enroll::rekey") {
  TEST_CASE("a directory: the files rules match are re-keyed, hidden directories and other files left out") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Tree t;
    const auto before = t.snapshot();
    auto dry = t.rekey({"--dry-run", "--json", t.dir.path().string()});
    REQUIRE_MESSAGE(dry.exit_code == 0, dry.err);
    auto j = nlohmann::json::parse(dry.out);
    std::vector<std::string> listed;
    for (const auto& f : j["files"]) listed.push_back(fs::path(f["path"].get<std::string>()).lexically_relative(t.dir.path()).string());
    CHECK(listed == std::vector<std::string>{"secrets/app/db.yaml", "secrets/token.age", "secrets/web.json"});
    REQUIRE(j["skipped"].size() == 1);
    CHECK(j["skipped"][0]["path"].get<std::string>().ends_with("secrets/notes.txt"));
    CHECK(j["skipped"][0]["reason"].get<std::string>().find("not a sops file") != std::string::npos);
    CHECK(t.snapshot() == before);

    auto r = t.rekey({"-i", (t.dir / "op.txt").string(), t.dir.path().string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("notes.txt: skipped") != std::string::npos);
    const auto after = t.snapshot();
    for (const char* rel : {"secrets/app/db.yaml", "secrets/web.json", "secrets/token.age", ".sops.yaml"})
      CHECK_MESSAGE(after.at((t.dir / rel).string()) != before.at((t.dir / rel).string()), rel);
    for (const char* rel : {"secrets/.git/stale.yaml", ".hidden/secrets/x.yaml", "docs/example.yaml", "secrets/notes.txt"})
      CHECK_MESSAGE(after.at((t.dir / rel).string()) == before.at((t.dir / rel).string()), rel);
    for (const char* rel : {"secrets/app/db.yaml", "secrets/web.json", "secrets/token.age"}) {
      auto d = run({agent_binary().string(), "decrypt", "-i", (t.dir / "host").string(), (t.dir / rel).string()});
      CHECK_MESSAGE(d.exit_code == 0, rel << ": " << d.err);
    }
  }

  TEST_CASE("a catch-all rule: .sops.yaml itself is not a file to re-key") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Tree t;
    write_text(t.dir / ".sops.yaml", "creation_rules:\n  - age: " + t.op + "\n");
    auto dry = t.rekey({"--dry-run", "--json", (t.dir / "secrets").string(), (t.dir / ".sops.yaml").string()});
    REQUIRE_MESSAGE(dry.exit_code == 0, dry.err);
    auto j = nlohmann::json::parse(dry.out);
    for (const auto& f : j["files"]) CHECK(f["path"].get<std::string>().find(".sops.yaml") == std::string::npos);
    for (const auto& f : j["skipped"]) CHECK(f["path"].get<std::string>().find(".sops.yaml") == std::string::npos);
    CHECK(j["files"].size() == 3);
  }

  TEST_CASE("one file the operator cannot open among several: exit 81 and no file changed") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Tree t;
    const std::string stranger = age_keygen(t.dir.path(), "stranger.txt");
    t.sops_file("secrets/app/zz-theirs.yaml", stranger);  // last in walk order: everything else was computed
    const auto before = t.snapshot();
    auto r = t.rekey({"-i", (t.dir / "op.txt").string(), (t.dir / "secrets").string()});
    CHECK(r.exit_code == 81);
    CHECK(r.err.find("zz-theirs.yaml") != std::string::npos);
    CHECK(t.snapshot() == before);
  }

  TEST_CASE("bad input: no encrypted file under a rule, a broken .sops.yaml, --push without --host") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Tree t;
    const auto before = t.snapshot();
    auto none = t.rekey({"--dry-run", (t.dir / "docs").string()});
    CHECK(none.exit_code == 66);
    CHECK(none.err.find("no sops or age file") != std::string::npos);
    auto push = t.rekey({"--push", (t.dir / "secrets").string()});
    CHECK(push.exit_code == 64);
    CHECK(push.err.find("--push needs --host") != std::string::npos);
    write_text(t.dir / "bad.yaml", "creation_rules:\n  - key_groups:\n    - age:\n      - *nobody\n");
    auto bad = run({enroll_binary().string(), "rekey", "--config-file", (t.dir / "bad.yaml").string(), "--host-key",
                    t.host_pub, (t.dir / "secrets").string()});
    CHECK(bad.exit_code == 65);
    CHECK(bad.err.find("*nobody") != std::string::npos);
    fs::remove(t.dir / "bad.yaml");
    CHECK(t.snapshot() == before);
  }
}
