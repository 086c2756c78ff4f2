// vps-enroll rekey --remove end to end: operator, host A and host B share sops (YAML, JSON)
// and .age files; after removing B, B's key opens no file (vps-agent decrypt, Debian's age),
// A and the operator open every one, the sops plaintext is byte-identical while every ENC[]
// value, the MAC and every wrapped data key changed, and the secrets B could read are listed.
// Failures (a file the identities cannot open, an unknown or last recipient) change nothing.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include <vps/formats/age/age.hpp>
#include <vps/formats/sops/sops.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::test;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_yaml =
    "# database\n"
    "db:\n"
    "    password: hunter2\n"
    "    port: 5432\n"
    "servers:\n"
    "    - token: t1\n"
    "public_unencrypted: hello\n";
constexpr std::string_view k_json = "{\n\t\"api\": {\n\t\t\"key\": \"k-123\"\n\t},\n\t\"mail\": \"m-456\"\n}";
const std::vector<std::string> k_files = {"secrets/app.yaml", "secrets/api.json", "secrets/token.age"};

struct Setup {
  TempDir dir;
  std::string op_pub, a_pub;
  std::string b_key;  // "ssh-ed25519 AAAA..."
  std::string config_original;

  Setup() {
    op_pub = age_keygen(dir.path(), "op.txt");
    a_pub = age_keygen(dir.path(), "a.txt");
    b_key = ssh_keygen_ed25519(dir.path(), "hostB");
    fs::create_directories(dir / "secrets");
    config_original = "# keys\ncreation_rules:\n  - path_regex: ^secrets/\n    age: " + op_pub + ", " + a_pub +
                      "  # team\n  - path_regex: ^other/\n    age: " + op_pub + "  # operator only\n";
    write_text(dir / ".sops.yaml", config_original);
    auto op = formats::age::X25519Recipient::parse(op_pub);
    auto a = formats::age::X25519Recipient::parse(a_pub);
    REQUIRE(op);
    REQUIRE(a);
    auto yaml = formats::sops::encrypt(k_yaml, formats::sops::Format::yaml, {&*op, &*a});
    REQUIRE_MESSAGE(yaml, yaml.error().message);
    write_text(dir / "secrets/app.yaml", *yaml);
    auto json = formats::sops::encrypt(k_json, formats::sops::Format::json, {&*op, &*a});
    REQUIRE_MESSAGE(json, json.error().message);
    write_text(dir / "secrets/api.json", *json);
    write_text(dir / "plain.txt", "age secret\n");
    auto e = run({enroll_binary().string(), "encrypt", "-a", "-r", op_pub, "-r", a_pub, "-o",
                  (dir / "secrets/token.age").string(), (dir / "plain.txt").string()});
    REQUIRE_MESSAGE(e.exit_code == 0, e.err);
    // B joins the way operators add hosts.
    auto add = rekey({"--host-key", b_key, "-i", (dir / "op.txt").string()});
    REQUIRE_MESSAGE(add.exit_code == 0, add.err);
    REQUIRE(read_text(dir / ".sops.yaml") != config_original);
  }

  ProcessResult rekey(std::vector<std::string> extra, std::vector<std::string> files = k_files) {
    std::vector<std::string> argv{enroll_binary().string(), "rekey", "--config-file", (dir / ".sops.yaml").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    for (const auto& f : files) argv.push_back((dir / f).string());
    return run(argv);
  }

  ProcessResult decrypt(const std::string& identity, const std::string& file) {
    return run({agent_binary().string(), "decrypt", "-i", (dir / identity).string(), (dir / file).string()});
  }

  std::map<std::string, std::string> snapshot() {
    std::map<std::string, std::string> out{{".sops.yaml", read_text(dir / ".sops.yaml")}};
    for (const auto& f : k_files) out[f] = read_text(dir / f);
    return out;
  }
};

std::set<std::string> matches(const std::string& text, const std::string& pattern) {
  std::set<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.insert(it->str());
  return out;
}

bool disjoint(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const auto& x : a)
    if (b.count(x)) return false;
  return true;
}

const std::string k_enc = R"(ENC\[AES256_GCM,[^\]]*\])";
const std::string k_stanza = "-----BEGIN AGE ENCRYPTED FILE-----[^-]*-----END AGE ENCRYPTED FILE-----";

}  // namespace

TEST_SUITE("enroll::rekey --remove") {
  TEST_CASE("removed host opens no file, the others open all, data keys rotated, secrets listed") {
    VPS_REQUIRE_PROGRAM(age, "age");
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Setup s;
    const auto before = s.snapshot();
    std::map<std::string, std::string> plain_before;
    for (const auto& f : k_files) {
      auto d = s.decrypt("hostB", f);  // B can read everything before
      REQUIRE_MESSAGE(d.exit_code == 0, d.err);
      plain_before[f] = d.out;
    }

    auto r = s.rekey({"--remove", "--host-key", s.b_key, "-i", (s.dir / "op.txt").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("change them at their source") != std::string::npos);
    for (const std::string name : {"secrets/app.yaml: db/password", "secrets/app.yaml: db/port",
                                   "secrets/app.yaml: servers/0/token", "secrets/api.json: api/key",
                                   "secrets/api.json: mail", "secrets/token.age"})
      CHECK_MESSAGE(r.out.find(name) != std::string::npos, name << " in " << r.out);
    CHECK(r.out.find("public_unencrypted") == std::string::npos);

    // .sops.yaml is back to what it was before B was added, byte for byte.
    CHECK(read_text(s.dir / ".sops.yaml") == s.config_original);

    for (const auto& f : k_files) {
      INFO("file " << f);
      auto denied = s.decrypt("hostB", f);
      CHECK(denied.exit_code == 81);
      for (const std::string id : {"op.txt", "a.txt"}) {
        auto d = s.decrypt(id, f);
        REQUIRE_MESSAGE(d.exit_code == 0, id << ": " << d.err);
        CHECK(d.out == plain_before[f]);
      }
    }
    const auto token = (s.dir / "secrets/token.age").string();
    CHECK(run({"age", "-d", "-i", (s.dir / "hostB").string(), token}).exit_code != 0);
    for (const std::string id : {"op.txt", "a.txt"}) {
      auto a = run({"age", "-d", "-i", (s.dir / id).string(), token});
      REQUIRE_MESSAGE(a.exit_code == 0, a.err);
      CHECK(a.out == "age secret\n");
    }
    const std::string token_after = read_text(s.dir / "secrets/token.age");
    CHECK(token_after.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    CHECK(token_after != before.at("secrets/token.age"));

    for (const std::string f : {"secrets/app.yaml", "secrets/api.json"}) {
      INFO("file " << f);
      const std::string old_text = before.at(f), new_text = read_text(s.dir / f);
      const auto old_values = matches(old_text, k_enc), new_values = matches(new_text, k_enc);
      CHECK(new_values.size() == old_values.size());
      CHECK(disjoint(old_values, new_values));  // every value and the MAC
      const auto old_keys = matches(old_text, k_stanza), new_keys = matches(new_text, k_stanza);
      CHECK(old_keys.size() == 3);
      CHECK(new_keys.size() == 2);
      CHECK(disjoint(old_keys, new_keys));
      auto loaded = formats::sops::load(new_text, formats::sops::format_for_path(f));
      REQUIRE(loaded);
      auto old_loaded = formats::sops::load(old_text, formats::sops::format_for_path(f));
      REQUIRE(old_loaded);
      CHECK(loaded->metadata.mac != old_loaded->metadata.mac);
      REQUIRE(loaded->metadata.groups.size() == 1);
      std::vector<std::string> recipients;
      for (const auto& k : loaded->metadata.groups[0].age) recipients.push_back(k.recipient);
      CHECK(recipients == std::vector<std::string>{s.op_pub, s.a_pub});
    }
    CHECK(read_text(s.dir / "secrets/app.yaml").find("public_unencrypted: hello") != std::string::npos);

    // Again: B is gone everywhere.
    auto again = s.rekey({"--remove", "--host-key", s.b_key, "-i", (s.dir / "op.txt").string()});
    CHECK(again.exit_code == 86);
    CHECK(again.err.find("is on no creation rule") != std::string::npos);
  }

  TEST_CASE("a directory: every file a rule matches loses the recipient, .sops.yaml too") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Setup s;
    auto r = s.rekey({"--remove", "--host-key", s.b_key, "-i", (s.dir / "op.txt").string()}, {"secrets"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(read_text(s.dir / ".sops.yaml") == s.config_original);
    for (const auto& f : k_files) {
      INFO("file " << f);
      CHECK(s.decrypt("hostB", f).exit_code == 81);
      CHECK(s.decrypt("a.txt", f).exit_code == 0);
    }
  }

  TEST_CASE("--dry-run --json lists the plan and the readable secrets, writes nothing") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Setup s;
    const auto before = s.snapshot();
    auto r = s.rekey({"--remove", "--host-key", s.b_key, "--dry-run", "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["dry_run"] == true);
    CHECK(j["written"] == false);
    CHECK(j["config_changed"] == true);
    CHECK(j["removed_recipient"].get<std::string>().starts_with("age1"));
    REQUIRE(j["rules"].size() == 1);
    CHECK(j["rules"][0]["line"] == 3);
    REQUIRE(j["files"].size() == 3);
    CHECK(j["files"][0]["action"] == "rotate");
    CHECK(j["files"][1]["action"] == "rotate");
    CHECK(j["files"][2]["action"] == "reencrypt");
    CHECK(j["files"][0]["recipients"] == nlohmann::json({s.op_pub, s.a_pub}));
    CHECK(j["rotated"].size() == 2);
    REQUIRE(j["readable_secrets"].size() == 3);
    CHECK(j["readable_secrets"][0]["secrets"] == nlohmann::json({"db/password", "db/port", "servers/0/token"}));
    CHECK(j["readable_secrets"][1]["secrets"] == nlohmann::json({"api/key", "mail"}));
    CHECK(j["readable_secrets"][2]["secrets"] == nlohmann::json({(s.dir / "secrets/token.age").string()}));
    CHECK(s.snapshot() == before);

    // The age1 form of --remove gives the same plan, human output says "would".
    const std::string b_age = j["removed_recipient"];
    auto h = s.rekey({"--remove", b_age, "--dry-run"});
    REQUIRE_MESSAGE(h.exit_code == 0, h.err);
    CHECK(h.out.find("would be removed") != std::string::npos);
    CHECK(h.out.find("db/password") != std::string::npos);
    CHECK(s.snapshot() == before);
  }

  TEST_CASE("one file the identities cannot open: exit 81, every file and .sops.yaml unchanged") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Setup s;
    // A file only A can open, listed last so the others are computed first.
    auto a = formats::age::X25519Recipient::parse(s.a_pub);
    REQUIRE(a);
    std::string b_age;
    {
      auto j = nlohmann::json::parse(s.rekey({"--remove", "--host-key", s.b_key, "--dry-run", "--json"}).out);
      b_age = j["removed_recipient"];
    }
    auto b = formats::age::X25519Recipient::parse(b_age);
    REQUIRE(b);
    auto only_a = formats::sops::encrypt("x: y\n", formats::sops::Format::yaml, {&*a, &*b});
    REQUIRE(only_a);
    write_text(s.dir / "secrets/only-a.yaml", *only_a);
    auto before = s.snapshot();
    before["secrets/only-a.yaml"] = *only_a;
    std::vector<std::string> files = k_files;
    files.push_back("secrets/only-a.yaml");
    auto r = s.rekey({"--remove", "--host-key", s.b_key, "-i", (s.dir / "op.txt").string()}, files);
    CHECK(r.exit_code == 81);
    CHECK(r.err.find("only-a.yaml") != std::string::npos);
    auto after = s.snapshot();
    after["secrets/only-a.yaml"] = read_text(s.dir / "secrets/only-a.yaml");
    CHECK(after == before);
  }

  TEST_CASE("unknown recipient exit 86, last recipient of a rule exit 87, nothing changed") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    Setup s;
    const auto before = s.snapshot();
    const std::string stranger = age_keygen(s.dir.path(), "stranger.txt");
    auto unknown = s.rekey({"--remove", stranger, "-i", (s.dir / "op.txt").string()});
    CHECK(unknown.exit_code == 86);
    CHECK(unknown.err.find(stranger) != std::string::npos);
    // The operator is the only recipient of ^other/.
    auto last = s.rekey({"--remove", s.op_pub, "-i", (s.dir / "op.txt").string()});
    CHECK(last.exit_code == 87);
    CHECK(last.err.find("only age recipient") != std::string::npos);
    CHECK(s.snapshot() == before);
    // Two ways of naming the recipient at once: usage.
    auto both = s.rekey({"--remove", stranger, "--host-key", s.b_key});
    CHECK(both.exit_code == 64);
  }
}
