// Operator keys held by a real ssh-agent (issue 16, finding 6): with the private key file gone
// from disk, `vps-enroll list`, `rebuild` and `push` sign through the agent and the endpoint
// and the host accept the signatures; an agent that does not hold the key or refuses to sign,
// and an agent that cannot be reached, fail with their own exit codes before anything is sent.
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/public_key.hpp>

#include "../../agent/delivery/delivery_fixture.hpp"
#include "../rebuild/rebuild_fixture.hpp"
#include "keys_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::keys;
namespace fs = std::filesystem;

namespace {

void add_operator(test::enroll::ServerFixture& f, const std::string& line, const std::string& name) {
  write_text(f.dir / "operators", read_text(f.dir / "operators") + line + " " + name + "\n");
}

std::string fingerprint_of(const std::string& line) {
  return formats::openssh::sha256_fingerprint(formats::openssh::parse_public_key_line(line).value().key);
}

// carol: an ssh-keygen key with a passphrase, loaded into `agent` (ssh-add through askpass), then
// her private key file removed: only carol.pub stays on disk.
struct AgentOperator {
  TempDir home;
  std::string line = keygen(home.path(), "carol", "secret");
  fs::path key = home / "carol";
  fs::path pub = home / "carol.pub";

  void load_into(const SshAgent& agent, std::vector<std::string> extra = {}) {
    auto added = agent.add(key, write_askpass(home.path(), "askpass", "secret"), std::move(extra));
    REQUIRE_MESSAGE(added.exit_code == 0, added.err);
    fs::remove(key);
    REQUIRE(!fs::exists(key));
  }
  Session session(const SshAgent& agent) const { return Session{agent.socket().string(), "", ""}; }
};

}  // namespace

TEST_SUITE("enroll::keys ssh-agent") {
  TEST_CASE("private key file removed: list signs through the agent, chosen by FILE, FILE.pub, --agent or fingerprint") {
    VPS_REQUIRE_PROGRAM(agent_program, "ssh-agent");
    test::enroll::ServerFixture f;
    AgentOperator carol;
    add_operator(f, carol.line, "carol");
    SshAgent agent(carol.home.path());
    carol.load_into(agent);
    const std::string url = f.server->url();
    for (const std::vector<std::string>& key : std::vector<std::vector<std::string>>{
             {"--key", carol.key.string()},
             {"--key", carol.pub.string()},
             {"--agent", "--key", carol.pub.string()},
             {"--key", fingerprint_of(carol.line)},
             {"--agent"}}) {
      std::vector<std::string> args = {"list", "--endpoint", url};
      args.insert(args.end(), key.begin(), key.end());
      auto r = enroll_cli(args, carol.session(agent));
      CHECK_MESSAGE(r.exit_code == 0, key.back() << ": " << r.err);
      CHECK(r.out.find("no hosts") != std::string::npos);
    }
  }

  TEST_CASE("a rebuild signed through the agent is queued by the endpoint and run by the host") {
    VPS_REQUIRE_PROGRAM(agent_program, "ssh-agent");
    test::enroll::RebuildFixture f;
    AgentOperator carol;
    add_operator(*f.server, carol.line, "carol");
    f.write_config("", {test::enroll::public_line(f.server->alice, "alice"), carol.line + " carol"});
    SshAgent agent(carol.home.path());
    carol.load_into(agent);

    ProcessResult host;
    std::thread watcher([&] { host = f.watch(1, 30); });
    auto r = enroll_cli({"rebuild", "web1", "--revision", "v-agent", "--wait", "--wait-timeout", "25s", "--endpoint",
                         f.server->server->url(), "--key", carol.pub.string()},
                        carol.session(agent));
    watcher.join();
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    CHECK(host.exit_code == 0);
    CHECK(f.applied_text() == "v-agent\n");
    CHECK(f.rebuild(1)["state"] == "succeeded");
  }

  TEST_CASE("a bundle pushed through the agent is stored by the endpoint and installed by the host") {
    VPS_REQUIRE_PROGRAM(agent_program, "ssh-agent");
    VPS_REQUIRE_MOUNT_NAMESPACE();
    test::enroll::ServerFixture server;
    AgentOperator carol;
    add_operator(server, carol.line, "carol");
    test::delivery::ScratchHost host("web1");
    host.config(server.server->url(), "  files:\n    - name: db\n      source: /srv/secrets/db.age\n",
                {carol.line + " carol"});
    test::delivery::publish_and_approve(server, host);
    SshAgent agent(carol.home.path());
    carol.load_into(agent);

    const fs::path bundle = carol.home / "db.age";
    write_text(bundle, test::secrets::age_encrypt("db-secret", host.recipient));
    auto r = enroll_cli({"push", "web1", bundle.string(), "--endpoint", server.server->url(), "--key",
                         carol.pub.string()},
                        carol.session(agent));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto secrets = host.agent({"secrets", "--once"});
    CHECK_MESSAGE(secrets.exit_code == 0, secrets.err);
    CHECK(read_text(host.link() / "db") == "db-secret");
  }

  TEST_CASE("an encrypted key the agent holds is used without asking for its passphrase") {
    VPS_REQUIRE_PROGRAM(agent_program, "ssh-agent");
    test::enroll::ServerFixture f;
    AgentOperator carol;
    add_operator(f, carol.line, "carol");
    SshAgent agent(carol.home.path());
    auto added = agent.add(carol.key, write_askpass(carol.home.path(), "askpass", "secret"));
    REQUIRE(added.exit_code == 0);
    const int prompts = askpass_prompts(carol.home.path());
    const auto refuse = write_askpass(carol.home.path(), "refuse", "", 1);
    auto r = enroll_cli({"list", "--endpoint", f.server->url(), "--key", carol.key.string()},
                        Session{agent.socket().string(), refuse.string(), "force"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(askpass_prompts(carol.home.path()) == prompts);  // the passphrase was not asked for
  }

  TEST_CASE("the agent no longer holding the key (ssh-add -D) exits 77 naming it, nothing is sent") {
    VPS_REQUIRE_PROGRAM(agent_program, "ssh-agent");
    RecordingEndpoint endpoint;
    AgentOperator carol;
    SshAgent agent(carol.home.path());
    carol.load_into(agent);
    REQUIRE(agent.remove_all().exit_code == 0);
    for (const auto& flags : std::vector<std::vector<std::string>>{{"--key", carol.pub.string()},
                                                                    {"--agent", "--key", carol.pub.string()},
                                                                    {"--key", fingerprint_of(carol.line)}}) {
      std::vector<std::string> args = {"list", "--endpoint", endpoint.url()};
      args.insert(args.end(), flags.begin(), flags.end());
      auto r = enroll_cli(args, carol.session(agent));
      CHECK(r.exit_code == 77);
      CHECK_MESSAGE(r.err.find("ssh-agent") != std::string::npos, r.err);
      CHECK(r.err.find(fingerprint_of(carol.line)) != std::string::npos);
    }
    CHECK(endpoint.requests() == 0);
  }

  TEST_CASE("an agent that refuses to sign (confirmation denied, ssh-add -c) exits 77 and nothing is sent") {
    VPS_REQUIRE_PROGRAM(agent_program, "ssh-agent");
    RecordingEndpoint endpoint;
    AgentOperator carol;
    const auto deny = write_askpass(carol.home.path(), "deny", "", 1);
    SshAgent agent(carol.home.path(), {"SSH_ASKPASS=" + deny.string(), "SSH_ASKPASS_REQUIRE=force"});
    carol.load_into(agent, {"-c"});
    auto r = enroll_cli({"list", "--endpoint", endpoint.url(), "--key", carol.pub.string()}, carol.session(agent));
    CHECK(r.exit_code == 77);
    CHECK_MESSAGE(r.err.find("refused") != std::string::npos, r.err);
    CHECK(endpoint.requests() == 0);
  }

  TEST_CASE("an unreachable agent: --agent exits 75, with a key file the file signs, with a warning") {
    test::enroll::ServerFixture f;
    TempDir home;
    const Session broken{(home / "no-such-agent.sock").string(), "", ""};
    auto agent_only = enroll_cli({"list", "--endpoint", f.server->url(), "--agent"}, broken);
    CHECK(agent_only.exit_code == 75);
    CHECK_MESSAGE(agent_only.err.find("no-such-agent.sock") != std::string::npos, agent_only.err);

    auto unset = enroll_cli({"list", "--endpoint", f.server->url(), "--agent"}, Session{});
    CHECK(unset.exit_code == 75);
    CHECK_MESSAGE(unset.err.find("SSH_AUTH_SOCK") != std::string::npos, unset.err);

    auto file = enroll_cli({"list", "--endpoint", f.server->url(), "--key", (f.dir / "alice.key").string()}, broken);
    CHECK_MESSAGE(file.exit_code == 0, file.err);
    CHECK(file.err.find("ssh-agent") != std::string::npos);
  }
}
