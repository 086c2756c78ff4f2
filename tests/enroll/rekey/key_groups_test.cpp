// vps-enroll rekey on a .sops.yaml in the sops-nix README form (keys: anchors, one key group
// mixing pgp and age aliases): the host's key joins as a new anchor and alias, yaml-cpp (which
// resolves aliases as sops does) reads back the intended recipients, the file's pgp stanza is
// kept byte for byte (the data key is unchanged), and the host can decrypt.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <vps/formats/age/age.hpp>
#include <vps/formats/sops/sops.hpp>

#include "test_support.hpp"

using namespace vps;
using namespace vps::test;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_plain = "db:\n    password: hunter2\n";
constexpr std::string_view k_alice_fp = "2504791468b153b8a3963cc97ba53d7e2dfa3461";

// A pgp key entry as sops writes it (the message is never opened here: the data key is not
// re-wrapped for pgp, only kept).
constexpr std::string_view k_pgp_block =
    "    pgp:\n"
    "        - created_at: \"2019-12-10T22:45:53Z\"\n"
    "          enc: |-\n"
    "            -----BEGIN PGP MESSAGE-----\n"
    "\n"
    "            wcBMAyUpShfNkFB/AQgAE0MaWAQGbTKY7Xg3fDNtzlvnVBkkQRHsLt5kUTu2nAy4\n"
    "            =RDyn\n"
    "            -----END PGP MESSAGE-----\n"
    "          fp: 2504791468b153b8a3963cc97ba53d7e2dfa3461\n";

std::string pgp_part(const std::string& sops_text) {
  const std::size_t at = sops_text.find("    pgp:\n");
  REQUIRE(at != std::string::npos);
  const std::size_t end = sops_text.find("          fp: ", at);
  REQUIRE(end != std::string::npos);
  return sops_text.substr(at, sops_text.find('\n', end) + 1 - at);
}

std::vector<std::string> group_list(const std::string& config, const std::string& key) {
  const YAML::Node group = YAML::Load(config)["creation_rules"][0]["key_groups"];
  REQUIRE(group.size() == 1);
  return group[0][key].as<std::vector<std::string>>();
}

}  // namespace

TEST_SUITE("enroll::rekey") {
  TEST_CASE("sops-nix key_groups form: new anchor and alias, pgp entries and stanzas kept, host decrypts") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    TempDir dir;
    const std::string op = age_keygen(dir.path(), "op.txt");
    const std::string host_pub = ssh_keygen_ed25519(dir.path(), "host");
    fs::create_directories(dir / "secrets");
    const std::string config =
        "# sops-nix README layout\n"
        "keys:\n"
        "  - &admin_alice " + std::string(k_alice_fp) + "   # pgp\n"
        "  - &admin_op " + op + "\n"
        "creation_rules:\n"
        "  - path_regex: secrets/[^/]+\\.(yaml|json|env|ini)$\n"
        "    key_groups:\n"
        "    - pgp:\n"
        "      - *admin_alice\n"
        "      age:\n"
        "      - *admin_op\n";
    write_text(dir / ".sops.yaml", config);
    auto recipient = formats::age::X25519Recipient::parse(op);
    REQUIRE(recipient);
    auto encrypted = formats::sops::encrypt(k_plain, formats::sops::Format::yaml, {&*recipient});
    REQUIRE(encrypted);
    // The pgp stanza sops would have written for alice's key, next to the age one.
    std::string sops_text = *encrypted;
    const std::size_t mac_end = sops_text.find('\n', sops_text.find("    mac: ")) + 1;
    sops_text.insert(mac_end, k_pgp_block);
    REQUIRE(formats::sops::load(sops_text, formats::sops::Format::yaml));
    write_text(dir / "secrets/app.yaml", sops_text);

    auto r = run({enroll_binary().string(), "rekey", "--config-file", (dir / ".sops.yaml").string(), "--host-key", host_pub,
                  "-i", (dir / "op.txt").string(), (dir / "secrets").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);

    const std::string after = read_text(dir / ".sops.yaml");
    auto loaded = formats::sops::load(read_text(dir / "secrets/app.yaml"), formats::sops::Format::yaml);
    REQUIRE(loaded);
    REQUIRE(loaded->metadata.groups.size() == 1);
    REQUIRE(loaded->metadata.groups[0].age.size() == 2);
    const std::string host_age = loaded->metadata.groups[0].age[1].recipient;
    const std::string anchor = "host_" + host_age.substr(4, 8);
    // Minimal edit: one key, one alias; everything else byte for byte.
    std::string expected = config;
    expected.insert(expected.find("creation_rules:"), "  - &" + anchor + " " + host_age + "\n");
    expected += "      - *" + anchor + "\n";
    CHECK(after == expected);
    CHECK(group_list(after, "age") == std::vector<std::string>{op, host_age});
    CHECK(group_list(after, "pgp") == std::vector<std::string>{std::string(k_alice_fp)});
    // pgp: the entry is kept as it was.
    CHECK(pgp_part(read_text(dir / "secrets/app.yaml")) == k_pgp_block);
    CHECK(loaded->metadata.groups[0].others.size() == 1);

    auto d = run({agent_binary().string(), "decrypt", "-i", (dir / "host").string(), (dir / "secrets/app.yaml").string()});
    REQUIRE_MESSAGE(d.exit_code == 0, d.err);
    CHECK(d.out == k_plain);
  }

  TEST_CASE("a Shamir rule (several key groups) is refused with its line and exit 69, nothing written") {
    VPS_REQUIRE_PROGRAM(sshkeygen, "ssh-keygen");
    TempDir dir;
    const std::string op = age_keygen(dir.path(), "op.txt");
    const std::string host_pub = ssh_keygen_ed25519(dir.path(), "host");
    const std::string config = "keys:\n  - &op " + op +
                               "\ncreation_rules:\n  - path_regex: \\.yaml$\n    shamir_threshold: 2\n    key_groups:\n"
                               "    - age:\n      - *op\n    - age:\n      - *op\n";
    write_text(dir / ".sops.yaml", config);
    auto recipient = formats::age::X25519Recipient::parse(op);
    REQUIRE(recipient);
    auto encrypted = formats::sops::encrypt(k_plain, formats::sops::Format::yaml, {&*recipient});
    REQUIRE(encrypted);
    write_text(dir / "app.yaml", *encrypted);
    auto r = run({enroll_binary().string(), "rekey", "--config-file", (dir / ".sops.yaml").string(), "--host-key", host_pub,
                  "-i", (dir / "op.txt").string(), (dir / "app.yaml").string()});
    CHECK(r.exit_code == 69);
    CHECK(r.err.find("Shamir") != std::string::npos);
    CHECK(r.err.find("line 9") != std::string::npos);
    CHECK(read_text(dir / ".sops.yaml") == config);
    CHECK(read_text(dir / "app.yaml") == *encrypted);
  }
}
