// The full loop of issue #5 on loopback, with the real binaries: a host's first boot in a
// scratch root → publish to `vps-enroll serve` → the operator lists and approves it with the
// fingerprint the console printed → `vps-enroll rekey` on a sops file and an age file with the
// operator's own age identity → `vps-enroll push` → `vps-agent secrets --once` fetches them
// from the endpoint and activates them with the host's own key. Then: the operator still
// decrypts both files, and the sops file kept its encrypted values, MAC and lastmodified.
// Root only (the agent mounts a ramfs, in this test's private mount namespace).
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "../agent/secrets/secrets_fixture.hpp"
#include "../enroll/server/server_fixture.hpp"

using namespace vps;
using namespace vps::test;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_app_yaml = "db:\n    password: hunter2\nport: 5432\n";
constexpr std::string_view k_token = "age-token-secret\n";

ProcessResult must(const std::vector<std::string>& argv) {
  ProcessOptions options;
  options.timeout_seconds = 60;
  auto r = run(argv, options);
  REQUIRE_MESSAGE(r.exit_code == 0, argv[0] << " " << (argv.size() > 3 ? argv[3] : "") << ": " << r.err);
  return r;
}

// What `sops updatekeys` must not touch: every encrypted value (the MAC included) and lastmodified.
std::vector<std::string> sealed_lines(const std::string& sops_text) {
  std::vector<std::string> out;
  std::istringstream in(sops_text);
  for (std::string line; std::getline(in, line);)
    if (line.find("ENC[AES256_GCM") != std::string::npos || line.find("lastmodified") != std::string::npos)
      out.push_back(line);
  return out;
}

// The scratch host as a fresh instance made from the image sees it.
struct Instance {
  TempDir dir;
  fs::path root = dir.path() / "root";

  // The host trusts `operator_line` (whose signed bundles it installs).
  Instance(const std::string& endpoint, const std::string& operator_line) {
    for (const char* sub : {"etc/ssh", "etc/vps-agent", "var/log", "sys/class/dmi/id", "proc/sys/kernel/random",
                            "srv/secrets"})
      fs::create_directories(root / sub);
    write_text(root / "sys/class/dmi/id/product_serial", "4242\n");
    write_text(root / "etc/hostname", "web1\n");
    write_text(root / "proc/sys/kernel/random/boot_id", "0f0e0d0c-0b0a-4908-8706-050403020100\n");
    write_text(root / "var/log/console", "");
    write_text(root / "etc/vps-agent/config.yaml",
               "console:\n  path: /var/log/console\n"
               "authorized_operators:\n  - " + operator_line + "\n"
               "enrollment:\n  endpoint: " + endpoint + "\n"
               "  retry: {initial_delay: 100ms, max_delay: 1s, attempt_timeout: 5s, overall_timeout: 20s}\n"
               "metadata:\n  enabled: false\n"
               "secrets:\n  timeout: 20s\n  files:\n"
               "    - name: db/password\n      source: /srv/secrets/app.yaml\n      key: db/password\n"
               "    - name: token\n      source: /srv/secrets/token.age\n");
  }
  ~Instance() { ::umount2((root / "run/vps-secrets.d").c_str(), MNT_DETACH); }

  ProcessResult agent(std::vector<std::string> args) const {
    std::vector<std::string> argv{agent_binary().string(), "--root", root.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.timeout_seconds = 60;
    return run(argv, options);
  }
};

}  // namespace

TEST_SUITE("e2e") {
  TEST_CASE("full loop: firstboot, publish, approve, rekey, push, activate, and the operator still decrypts") {
    VPS_REQUIRE_MOUNT_NAMESPACE();
    VPS_REQUIRE_PROGRAM(age, "age");
    VPS_REQUIRE_PROGRAM(age_keygen, "age-keygen");
    test::enroll::ServerFixture server;
    Instance host(server.server->url(), test::enroll::public_line(server.alice, "alice"));

    // Host, first boot and publication.
    auto r = host.agent({"firstboot"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::smatch fp;
    const std::string console = read_text(host.root / "var/log/console");
    REQUIRE(std::regex_search(console, fp, std::regex("SHA256:[A-Za-z0-9+/]+")));
    r = host.agent({"publish", "--no-wait"});  // pending: the operator approves below
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);

    // Before approval the host waits; nothing is delivered.
    r = host.agent({"secrets", "--once"});
    CHECK(r.exit_code == 66);
    CHECK_MESSAGE(r.err.find("not approved yet") != std::string::npos, r.err);

    // Operator: list, approve with the console's fingerprint.
    auto listed = nlohmann::json::parse(server.cli({"list", "--json"}).out);
    REQUIRE(listed["hosts"].size() == 1);
    const auto& entry = listed["hosts"][0];
    CHECK(entry["name"] == "web1");
    CHECK(entry["status"] == "pending");
    CHECK(entry["fingerprint"] == fp.str());
    const std::string host_recipient = entry["age_recipient"].get<std::string>();
    CHECK(server.cli({"approve", "web1", "--fingerprint", "SHA256:wrongwrongwrongwrongwrongwrongwrongwrongwro"}).exit_code != 0);
    auto approved = server.cli({"approve", "web1", "--fingerprint", fp.str()});
    REQUIRE_MESSAGE(approved.exit_code == 0, approved.err);

    // Operator's repository: secrets encrypted to the operator's own age key only.
    const fs::path ops = server.dir / "ops";
    fs::create_directories(ops / "secrets");
    must({age_keygen.string(), "-o", (ops / "op.txt").string()});
    const std::string op_recipient = [&] {
      auto out = must({age_keygen.string(), "-y", (ops / "op.txt").string()}).out;
      return out.substr(0, out.find('\n'));
    }();
    write_text(ops / ".sops.yaml", "creation_rules:\n  - path_regex: ^secrets/\n    age: " + op_recipient + "\n");
    write_text(ops / "secrets/app.yaml",
               secrets::sops_encrypt(std::string(k_app_yaml), formats::sops::Format::yaml, op_recipient));
    write_text(ops / "token.txt", std::string(k_token));
    must({age.string(), "-r", op_recipient, "-o", (ops / "secrets/token.age").string(), (ops / "token.txt").string()});
    const std::string sops_before = read_text(ops / "secrets/app.yaml");

    // The host cannot open them yet.
    r = host.agent({"decrypt", "--extract", "db/password", (ops / "secrets/app.yaml").string()});
    CHECK(r.exit_code == 81);

    // Operator: rekey for the approved host, then push.
    r = run({enroll_binary().string(), "rekey", "--config-file", (ops / ".sops.yaml").string(), "--recipient",
             host_recipient, "-i", (ops / "op.txt").string(), (ops / "secrets/app.yaml").string(),
             (ops / "secrets/token.age").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(read_text(ops / ".sops.yaml").find(host_recipient) != std::string::npos);
    auto pushed = server.cli({"push", "web1", (ops / "secrets/app.yaml").string(), (ops / "secrets/token.age").string()});
    REQUIRE_MESSAGE(pushed.exit_code == 0, pushed.err);

    // Host: fetch through the endpoint and activate with its own key.
    r = host.agent({"secrets", "--once"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(read_text(host.root / "srv/secrets/app.yaml") == read_text(ops / "secrets/app.yaml"));
    CHECK(read_text(host.root / "srv/secrets/token.age") == read_text(ops / "secrets/token.age"));
    CHECK(read_text(host.root / "run/vps-secrets/db/password") == "hunter2");
    CHECK(read_text(host.root / "run/vps-secrets/token") == k_token);

    // Operator: still decrypts both with their own identity.
    r = run({agent_binary().string(), "decrypt", "-i", (ops / "op.txt").string(), "--extract", "db/password",
             (ops / "secrets/app.yaml").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.substr(0, 7) == "hunter2");
    r = run({age.string(), "-d", "-i", (ops / "op.txt").string(), (ops / "secrets/token.age").string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out == k_token);

    // updatekeys semantics: values, MAC and lastmodified are byte-identical.
    const auto before = sealed_lines(sops_before);
    CHECK(before.size() >= 4);  // two values, the MAC, lastmodified
    CHECK(sealed_lines(read_text(ops / "secrets/app.yaml")) == before);

    // The audit trail names each step.
    auto audit = server.audit_count();
    CHECK(audit >= 4);  // publish, approve, two pushes, fetches
  }
}
