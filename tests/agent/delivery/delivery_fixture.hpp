#pragma once
// A scratch host (root R with its own ed25519 host key and /etc/hostname) next to a real
// `vps-enroll serve` on 127.0.0.1:0 with one operator (alice), for `vps-agent --root R secrets`
// fetching bundles from the endpoint. Keys are generated here, so the test can also sign as the
// host (publish, or try to read another host's bundles).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "../../enroll/server/server_fixture.hpp"
#include "../secrets/secrets_fixture.hpp"

namespace vps::test::delivery {

namespace fs = std::filesystem;

struct ScratchHost {
  TempDir dir;
  fs::path root = dir.path() / "root";
  std::string name;
  crypto::Ed25519KeyPair key = enroll::key_pair();
  std::string recipient;

  explicit ScratchHost(std::string host_name) : name(std::move(host_name)) {
    fs::create_directories(root / "etc/ssh");
    fs::create_directories(root / "etc/vps-agent");
    fs::create_directories(root / "srv/secrets");
    write_text(root / "etc/hostname", name + "\n");
    const fs::path key_file = root / "etc/ssh/ssh_host_ed25519_key";
    write_text(key_file, enroll::private_key_text(key));
    fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write);
    write_text(key_file.string() + ".pub", enroll::public_line(key, "root@" + name) + "\n");
    recipient = protocol::age_recipient_for(key.public_key).value();
  }
  ~ScratchHost() { ::umount2((root / "run/vps-secrets.d").c_str(), MNT_DETACH); }

  fs::path src(const std::string& file) const { return root / "srv/secrets" / file; }
  fs::path link() const { return root / "run/vps-secrets"; }

  // An endpoint section with fast retries, the operators this host trusts (whose signed
  // bundles it installs), plus the given secrets: section body.
  void config(const std::string& endpoint, const std::string& secrets_section,
              const std::vector<std::string>& operators = {}) const {
    std::string operators_section;
    for (const auto& line : operators) operators_section += (operators_section.empty() ? "" : ", ") + ("\"" + line + "\"");
    write_text(root / "etc/vps-agent/config.yaml",
               (endpoint.empty() ? std::string()
                                 : "enrollment:\n  endpoint: " + endpoint +
                                       "\n  retry: {initial_delay: 100ms, max_delay: 500ms, attempt_timeout: 5s}\n") +
                   (operators.empty() ? std::string() : "authorized_operators: [" + operators_section + "]\n") +
                   "secrets:\n" + secrets_section);
  }
  // The server's endpoint, trusting its operator alice.
  void config(const enroll::ServerFixture& server, const std::string& secrets_section) const {
    config(server.server->url(), secrets_section, {enroll::public_line(server.alice, "alice")});
  }

  ProcessResult agent(std::vector<std::string> args, double timeout_seconds = 60) const {
    std::vector<std::string> argv{agent_binary().string(), "--root", root.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.timeout_seconds = timeout_seconds;
    return run(argv, options);
  }
};

// One age secret "db" from /srv/secrets/db.age and one sops value from /srv/secrets/app.yaml.
inline const char* k_two_sources =
    "  files:\n"
    "    - name: db\n"
    "      source: /srv/secrets/db.age\n"
    "    - name: app/token\n"
    "      source: /srv/secrets/app.yaml\n"
    "      key: token\n";

// Writes content to the operator's scratch dir under `file` and pushes it for `host`.
inline void push(enroll::ServerFixture& server, const std::string& host, const std::string& file,
                 const std::string& content) {
  const auto path = server.dir / "outbox" / file;
  fs::create_directories(path.parent_path());
  write_text(path, content);
  auto r = server.cli({"push", host, path.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

inline void publish_and_approve(enroll::ServerFixture& server, const ScratchHost& host) {
  REQUIRE(server.publish(host.key, host.name).status == 202);
  auto r = server.cli({"approve", host.name, "--fingerprint", enroll::fingerprint(host.key)});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

}  // namespace vps::test::delivery
