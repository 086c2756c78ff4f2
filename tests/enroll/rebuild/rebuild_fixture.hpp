#pragma once
// A running endpoint (alice and bob are operators there), an approved host "web1" whose agent
// trusts only alice, a rebuild command that records each revision it is given, and helpers
// to run the real `vps-agent watch` and to write straight into the server's database (what a
// compromised server could do).

#include <thread>

#include <vps/enroll/store/store.hpp>
#include <vps/base/base64.hpp>
#include <vps/protocol/rebuild_request.hpp>

#include "../server/server_fixture.hpp"

namespace vps::test::enroll {

struct RebuildFixture {
  TempDir scratch;
  crypto::Ed25519KeyPair bob = key_pair();
  crypto::Ed25519KeyPair host = key_pair();
  std::unique_ptr<ServerFixture> server;
  std::filesystem::path root = scratch / "root";
  std::filesystem::path applied = scratch / "applied";
  std::filesystem::path script = scratch / "rebuild.sh";
  std::filesystem::path server_log = scratch / "server.log";  // the endpoint's stderr (journal lines)

  explicit RebuildFixture(const std::string& script_body = "printf '%s\\n' \"$1\" >> \"$2\"\necho \"rebuilt $1\"\n") {
    server = std::make_unique<ServerFixture>();
    auto& f = *server;
    // bob is an operator for the server only.
    write_text(f.dir / "operators", "# test operators\n" + public_line(f.alice, "alice") + "\n" + public_line(bob, "bob") + "\n");
    f.server->stop();
    f.server = std::make_unique<ServerProcess>(f.db_path, f.dir / "operators", std::vector<std::string>{},
                                               ServerProcess::Files{std::nullopt, server_log});
    write_text(f.dir / "bob.key", private_key_text(bob));
    std::filesystem::permissions(f.dir / "bob.key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    REQUIRE(f.publish(host, "web1").status == 202);
    REQUIRE(f.cli({"approve", "web1"}).exit_code == 0);

    write_text(script, "#!/bin/sh\n" + script_body);
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    std::filesystem::create_directories(root / "etc/ssh");
    std::filesystem::create_directories(root / "etc/vps-agent");
    write_text(root / "etc/hostname", "web1\n");
    write_text(root / "etc/ssh/ssh_host_ed25519_key", private_key_text(host));
    std::filesystem::permissions(root / "etc/ssh/ssh_host_ed25519_key", std::filesystem::perms::owner_read);
    write_config();
  }

  // The host trusts `operators` (default: alice only).
  void write_config(const std::string& extra = "", std::vector<std::string> operators = {}) {
    if (operators.empty()) operators.push_back(public_line(server->alice, "alice"));
    std::string list;
    for (const auto& line : operators) list += "  - " + line + "\n";
    write_text(root / "etc/vps-agent/config.yaml",
               "enrollment:\n  endpoint: " + server->server->url() +
                   "\n  retry:\n    initial_delay: 200ms\n    max_delay: 1s\n"
                   "authorized_operators:\n" + list +
                   "rebuild:\n  command: [" + script.string() + ", \"{revision}\", " + applied.string() + "]\n"
                   "  poll_wait: 2s\n  timeout: 20s\n" + extra);
  }

  // Runs the agent until it handled `requests` requests (or max_seconds passed).
  ProcessResult watch(unsigned requests = 1, double max_seconds = 20) {
    ProcessOptions options;
    options.timeout_seconds = max_seconds + 20;
    return run({agent_binary().string(), "--root", root.string(), "watch", "--max-requests", std::to_string(requests),
                "--max-time", std::to_string(max_seconds)},
               options);
  }

  ProcessResult cli(std::vector<std::string> args, const std::string& key = "alice.key") {
    return server->cli(std::move(args), key);
  }

  std::string applied_text() { return std::filesystem::exists(applied) ? read_text(applied) : std::string(); }

  protocol::SignedRebuildRequest signed_by(const crypto::Ed25519KeyPair& key, std::int64_t sequence,
                                           const std::string& revision = "r1", std::int64_t expires = unix_now() + 3600,
                                           std::optional<std::string> host_key = std::nullopt) {
    protocol::RebuildRequest r;
    r.host = "web1";
    r.host_key = host_key.value_or(fingerprint(host));
    r.revision = revision;
    r.sequence = sequence;
    r.expires = expires;
    return protocol::sign_rebuild_request(r, crypto::SeedSigner(key.seed)).value();
  }

  // A row written straight into the database, as a compromised server could.
  std::int64_t insert(const std::string& text, const std::string& signature, std::int64_t sequence,
                      std::int64_t expires = unix_now() + 3600) {
    auto store = vps::enroll::store::Store::open(server->db_path).value();
    vps::enroll::store::RebuildRecord r;
    r.host = "web1";
    r.sequence = sequence;
    r.revision = "forged";
    r.expires_at = expires;
    r.request = text;
    r.signature = signature;
    r.operator_name = "alice";
    r.created_at = unix_now();
    return store->insert_rebuild(r).value();
  }

  std::int64_t insert(const protocol::SignedRebuildRequest& s) {
    return insert(s.text, base64::encode(s.signature), s.request.sequence);
  }

  // A request signed with the host's key, as its agent sends them.
  net::http::Request host_signed(const std::string& method, const std::string& target, const std::string& body = "") {
    return server->sign(host, method, target, body);
  }

  nlohmann::json rebuild(std::int64_t id) {
    auto store = vps::enroll::store::Store::open(server->db_path).value();
    auto r = store->find_rebuild("web1", id).value();
    REQUIRE(r);
    return nlohmann::json{{"state", std::string(vps::enroll::store::to_string(r->state))}, {"reason", r->reason},
                          {"exit_status", r->exit_status.value_or(-1)}, {"output_tail", r->output_tail}};
  }
};

}  // namespace vps::test::enroll
