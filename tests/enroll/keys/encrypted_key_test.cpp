// Passphrase-protected operator keys through the real `vps-enroll` (issue 16, finding 6): a key
// exactly as `ssh-keygen -N` writes it signs requests once its passphrase arrives through
// SSH_ASKPASS (SSH_ASKPASS_REQUIRE=force, no terminal); a wrong or missing passphrase and
// encryption we do not support fail with their own exit codes before anything is sent.
#include <vps/base/base64.hpp>
#include <vps/formats/openssh/wire.hpp>

#include "../server/server_fixture.hpp"
#include "keys_fixture.hpp"

using namespace vps;
using namespace vps::test;
using namespace vps::test::keys;
namespace fs = std::filesystem;

namespace {

// Makes `line` an operator of the running endpoint (it re-reads its operators file).
void add_operator(test::enroll::ServerFixture& f, const std::string& line, const std::string& name) {
  write_text(f.dir / "operators", read_text(f.dir / "operators") + line + " " + name + "\n");
}

std::vector<std::string> list_args(const std::string& endpoint, const fs::path& key) {
  return {"list", "--endpoint", endpoint, "--key", key.string()};
}

// The key file with its bcrypt rounds (in the clear header) replaced: what a hostile or broken
// file could say. Rewrapped at 70 columns as ssh-keygen writes.
void set_rounds(const fs::path& key, std::uint32_t rounds) {
  std::string text = read_text(key);
  const std::string begin = "-----BEGIN OPENSSH PRIVATE KEY-----\n", end = "-----END OPENSSH PRIVATE KEY-----\n";
  std::string body = text.substr(begin.size(), text.size() - begin.size() - end.size());
  std::erase(body, '\n');
  Bytes blob = base64::decode(body).value();
  // magic (15) + string cipher + string kdf + u32 length of kdf options + string salt + u32 rounds
  std::size_t at = 15;
  for (int field = 0; field < 2; ++field) at += 4 + formats::openssh::WireReader(ByteView(blob).subspan(at)).u32().value();
  at += 4;
  at += 4 + formats::openssh::WireReader(ByteView(blob).subspan(at)).u32().value();
  Bytes patched;
  formats::openssh::put_u32(patched, rounds);
  std::copy(patched.begin(), patched.end(), blob.begin() + static_cast<std::ptrdiff_t>(at));
  const std::string b64 = base64::encode(blob);
  std::string out = begin;
  for (std::size_t i = 0; i < b64.size(); i += 70) out += b64.substr(i, 70) + "\n";
  write_text(key, out + end);
}

}  // namespace

TEST_SUITE("enroll::keys passphrase-protected keys") {
  TEST_CASE("an ssh-keygen -N key signs with its passphrase from SSH_ASKPASS, forced, without a terminal") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::enroll::ServerFixture f;
    TempDir home;
    add_operator(f, keygen(home.path(), "carol", "secret"), "carol");
    const auto askpass = write_askpass(home.path(), "askpass", "secret");
    auto r = enroll_cli(list_args(f.server->url(), home / "carol"), Session{"", askpass.string(), "force"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("no hosts") != std::string::npos);
    REQUIRE(askpass_prompts(home.path()) == 1);
    CHECK(read_text(home / "askpass.log").find((home / "carol").string()) != std::string::npos);  // names the key
    CHECK(r.out.find("secret") == std::string::npos);
    CHECK(r.err.find("secret") == std::string::npos);
  }

  TEST_CASE("100 bcrypt rounds (ssh-keygen -a 100) and aes256-cbc keys work too") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    test::enroll::ServerFixture f;
    TempDir home;
    add_operator(f, keygen(home.path(), "slow", "pass phrase", 100), "slow");
    add_operator(f, keygen(home.path(), "cbc", "pass phrase", 16, "aes256-cbc"), "cbc");
    const auto askpass = write_askpass(home.path(), "askpass", "pass phrase");
    for (const char* name : {"slow", "cbc"}) {
      auto r = enroll_cli(list_args(f.server->url(), home / name), Session{"", askpass.string(), "force"});
      CHECK_MESSAGE(r.exit_code == 0, name << ": " << r.err);
    }
    CHECK(askpass_prompts(home.path()) == 2);
  }

  TEST_CASE("a wrong passphrase exits 80 saying so, and nothing reaches the endpoint") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    RecordingEndpoint endpoint;
    TempDir home;
    keygen(home.path(), "carol", "secret");
    const auto askpass = write_askpass(home.path(), "askpass", "not the secret");
    auto r = enroll_cli(list_args(endpoint.url(), home / "carol"), Session{"", askpass.string(), "force"});
    CHECK(r.exit_code == 80);
    CHECK_MESSAGE(r.err.find("passphrase") != std::string::npos, r.err);
    CHECK(r.err.find((home / "carol").string()) != std::string::npos);
    CHECK(r.err.find("not the secret") == std::string::npos);
    CHECK(endpoint.requests() == 0);
  }

  TEST_CASE("no terminal and no askpass, or a cancelled askpass: exit 77 saying how, nothing sent") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    RecordingEndpoint endpoint;
    TempDir home;
    keygen(home.path(), "carol", "secret");
    auto none = enroll_cli(list_args(endpoint.url(), home / "carol"), Session{});
    CHECK(none.exit_code == 77);
    CHECK_MESSAGE(none.err.find("SSH_ASKPASS") != std::string::npos, none.err);
    CHECK(none.err.find("ssh-agent") != std::string::npos);

    const auto cancel = write_askpass(home.path(), "cancel", "", 1);
    auto cancelled = enroll_cli(list_args(endpoint.url(), home / "carol"), Session{"", cancel.string(), "force"});
    CHECK(cancelled.exit_code == 77);
    CHECK_MESSAGE(cancelled.err.find("cancel") != std::string::npos, cancelled.err);
    CHECK(endpoint.requests() == 0);
  }

  TEST_CASE("aes256-gcm keys and absurd bcrypt rounds are unsupported (69) before any prompt") {
    VPS_REQUIRE_PROGRAM(keygen_program, "ssh-keygen");
    RecordingEndpoint endpoint;
    TempDir home;
    keygen(home.path(), "gcm", "secret", 16, "aes256-gcm@openssh.com");
    keygen(home.path(), "rounds", "secret");
    set_rounds(home / "rounds", 100000);
    const auto askpass = write_askpass(home.path(), "askpass", "secret");

    auto gcm = enroll_cli(list_args(endpoint.url(), home / "gcm"), Session{"", askpass.string(), "force"});
    CHECK(gcm.exit_code == 69);
    CHECK_MESSAGE(gcm.err.find("aes256-gcm@openssh.com") != std::string::npos, gcm.err);
    CHECK(gcm.err.find("ssh-keygen -p") != std::string::npos);  // says how to convert it

    auto rounds = enroll_cli(list_args(endpoint.url(), home / "rounds"), Session{"", askpass.string(), "force"});
    CHECK(rounds.exit_code == 69);
    CHECK_MESSAGE(rounds.err.find("100000") != std::string::npos, rounds.err);
    CHECK(askpass_prompts(home.path()) == 0);
    CHECK(endpoint.requests() == 0);
  }

  TEST_CASE("an unencrypted key never asks for a passphrase") {
    test::enroll::ServerFixture f;
    TempDir home;
    const auto askpass = write_askpass(home.path(), "askpass", "x");
    auto r = enroll_cli(list_args(f.server->url(), f.dir / "alice.key"), Session{"", askpass.string(), "force"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    CHECK(askpass_prompts(home.path()) == 0);
  }
}
