// vps-enroll rekey end to end: an operator-only sops file and age file become readable by a
// new host (vps-agent decrypt with its ssh key), the operator still reads them, and the sops
// values, MAC and lastmodified are byte-identical.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include <vps/formats/age/age.hpp>
#include <vps/formats/sops/sops.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::test;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_plain = "db:\n    password: hunter2\nport: 5432\n";

struct Setup {
  TempDir dir;
  std::string op_pub;
  std::string host_pub;  // "ssh-ed25519 AAAA..."

  Setup() {
    op_pub = age_keygen(dir.path(), "op.txt");
    host_pub = ssh_keygen_ed25519(dir.path(), "host");
    fs::create_directories(dir / "secrets");
    write_text(dir / ".sops.yaml",
               "# keys\ncreation_rules:\n  - path_regex: ^secrets/\n    age: " + op_pub +
                   "  # operator\n  - path_regex: ^other/\n    age: " + op_pub + "\n");
    auto recipient = formats::age::X25519Recipient::parse(op_pub);
    REQUIRE(recipient);
    auto sops_text = formats::sops::encrypt(k_plain, formats::sops::Format::yaml, {&*recipient});
    REQUIRE_MESSAGE(sops_text, sops_text.error().message);
    write_text(dir / "secrets/app.yaml", *sops_text);
    write_text(dir / "plain.txt", "age secret\n");
    auto e = run({enroll_binary().string(), "encrypt", "-a", "-r", op_pub, "-o", (dir / "secrets/token.age").string(),
                  (dir / "plain.txt").string()});
    REQUIRE_MESSAGE(e.exit_code == 0, e.err);
  }

  ProcessResult rekey(std::vector<std::string> extra) {
    std::vector<std::string> argv{enroll_binary().string(), "rekey", "--config-file", (dir / ".sops.yaml").string(),
                                  "--host-key", host_pub};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back((dir / "secrets/app.yaml").string());
    argv.push_back((dir / "secrets/token.age").string());
    return run(argv);
  }
};

// The sops file without its per-recipient "enc" blocks: values, mac, lastmodified, version.
std::string without_age_keys(const std::string& text) {
  std::string out;
  std::size_t pos = 0;
  bool in_age = false;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line == "    age:") { in_age = true; continue; }
    if (in_age && line.starts_with("        ")) continue;  // list items and their enc blocks
    in_age = false;
    out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_SUITE("enroll::rekey") {
  TEST_CASE("host gains access, operator keeps it, sops values MAC and lastmodified unchanged") {
    VPS_REQUIRE_PROGRAM(age, "age");
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Setup s;
    const std::string sops_before = read_text(s.dir / "secrets/app.yaml");
    const std::string config_before = read_text(s.dir / ".sops.yaml");
    // The host cannot read anything yet.
    CHECK(run({agent_binary().string(), "decrypt", "-i", (s.dir / "host").string(), (s.dir / "secrets/app.yaml").string()})
              .exit_code != 0);

    auto r = s.rekey({"-i", (s.dir / "op.txt").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("+ age1") != std::string::npos);

    const std::string sops_after = read_text(s.dir / "secrets/app.yaml");
    CHECK(sops_after != sops_before);
    CHECK(without_age_keys(sops_after) == without_age_keys(sops_before));
    CHECK(without_age_keys(sops_after).find("mac: ENC[") != std::string::npos);
    auto loaded = formats::sops::load(sops_after, formats::sops::Format::yaml);
    REQUIRE(loaded);
    REQUIRE(loaded->metadata.groups.size() == 1);
    CHECK(loaded->metadata.groups[0].age.size() == 2);

    // .sops.yaml: only the first rule's age scalar grew.
    const std::string config_after = read_text(s.dir / ".sops.yaml");
    const std::string host_age = loaded->metadata.groups[0].age[1].recipient;
    CHECK(host_age.starts_with("age1"));
    std::string expected = config_before;
    expected.insert(expected.find("  # operator"), "," + host_age);
    CHECK(config_after == expected);

    for (const std::string key : {"host", "op.txt"}) {
      INFO("identity " << key);
      auto d = run({agent_binary().string(), "decrypt", "-i", (s.dir / key).string(), (s.dir / "secrets/app.yaml").string()});
      REQUIRE_MESSAGE(d.exit_code == 0, d.err);
      CHECK(d.out == k_plain);
      auto a = run({agent_binary().string(), "decrypt", "-i", (s.dir / key).string(), (s.dir / "secrets/token.age").string()});
      REQUIRE_MESSAGE(a.exit_code == 0, a.err);
      CHECK(a.out == "age secret\n");
    }
    auto a = run({"age", "-d", "-i", (s.dir / "op.txt").string(), (s.dir / "secrets/token.age").string()});
    REQUIRE_MESSAGE(a.exit_code == 0, a.err);
    CHECK(a.out == "age secret\n");
    CHECK(read_text(s.dir / "secrets/token.age").starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));

    // Again: nothing to add, the sops file is left alone.
    auto again = s.rekey({"-i", (s.dir / "op.txt").string()});
    REQUIRE_MESSAGE(again.exit_code == 0, again.err);
    CHECK(read_text(s.dir / "secrets/app.yaml") == sops_after);
    CHECK(read_text(s.dir / ".sops.yaml") == config_after);
  }

  TEST_CASE("--dry-run --json reports the changes and writes nothing") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Setup s;
    const std::string sops_before = read_text(s.dir / "secrets/app.yaml");
    const std::string age_before = read_text(s.dir / "secrets/token.age");
    const std::string config_before = read_text(s.dir / ".sops.yaml");
    auto r = s.rekey({"--dry-run", "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["dry_run"] == true);
    CHECK(j["written"] == false);
    CHECK(j["config_changed"] == true);
    REQUIRE(j["files"].size() == 2);
    CHECK(j["files"][0]["kind"] == "sops");
    CHECK(j["files"][0]["added"].size() == 1);
    CHECK(j["files"][0]["removed"].empty());
    CHECK(j["files"][1]["kind"] == "age");
    CHECK(read_text(s.dir / "secrets/app.yaml") == sops_before);
    CHECK(read_text(s.dir / "secrets/token.age") == age_before);
    CHECK(read_text(s.dir / ".sops.yaml") == config_before);
  }

  TEST_CASE("a wrong operator identity fails and changes no file") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Setup s;
    age_keygen(s.dir.path(), "other.txt");
    const std::string sops_before = read_text(s.dir / "secrets/app.yaml");
    const std::string config_before = read_text(s.dir / ".sops.yaml");
    auto r = s.rekey({"-i", (s.dir / "other.txt").string()});
    CHECK(r.exit_code == 81);
    CHECK(read_text(s.dir / "secrets/app.yaml") == sops_before);
    CHECK(read_text(s.dir / ".sops.yaml") == config_before);
  }

  TEST_CASE("a file outside every rule is refused") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Setup s;
    fs::create_directories(s.dir / "elsewhere");
    fs::copy_file(s.dir / "secrets/app.yaml", s.dir / "elsewhere/app.yaml");
    auto r = run({enroll_binary().string(), "rekey", "--config-file", (s.dir / ".sops.yaml").string(), "--host-key",
                  s.host_pub, "--dry-run", (s.dir / "elsewhere/app.yaml").string()});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("no creation rule") != std::string::npos);
  }
}
