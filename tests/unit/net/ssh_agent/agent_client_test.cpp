// net::ssh_agent against a real ssh-agent (its own socket in a TempDir, killed at the end) and
// against a fake one on a unix socket that answers what a hostile or broken agent could: never,
// too much, half an answer, a refusal, a signature that does not verify.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <optional>
#include <thread>

#include <vps/formats/openssh/agent_protocol.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/formats/openssh/wire.hpp>
#include <vps/net/ssh_agent/agent_signer.hpp>

#include "../../../enroll/keys/keys_fixture.hpp"

using namespace vps;
using namespace vps::net::ssh_agent;
namespace openssh = vps::formats::openssh;
namespace fs = std::filesystem;

namespace {

constexpr AgentTimeouts k_fast{std::chrono::milliseconds(300), std::chrono::milliseconds(300)};

// Accepts one connection, reads one framed request, then answers `answer` (raw bytes, framing
// included) unless `silent`, and closes.
class FakeAgent {
 public:
  FakeAgent(const fs::path& socket, Bytes answer, bool silent = false) : m_socket(socket) {
    m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(m_listener >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
    REQUIRE(::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(m_listener, 4) == 0);
    m_thread = std::thread([this, answer = std::move(answer), silent] {
      const int client = ::accept(m_listener, nullptr, nullptr);
      if (client < 0) return;
      std::uint8_t prefix[4];
      if (::recv(client, prefix, 4, MSG_WAITALL) == 4) {
        const std::size_t length = (std::size_t{prefix[0]} << 24) | (std::size_t{prefix[1]} << 16) |
                                   (std::size_t{prefix[2]} << 8) | prefix[3];
        m_request.resize(length);
        (void)::recv(client, m_request.data(), length, MSG_WAITALL);
      }
      if (silent) {
        while (!m_stop) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      } else {
        (void)::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
      }
      ::close(client);
    });
  }
  ~FakeAgent() {
    finish();
    ::close(m_listener);
  }
  // The request it read, once its thread is done.
  const Bytes& request() {
    finish();
    return m_request;
  }

 private:
  void finish() {
    m_stop = true;
    ::shutdown(m_listener, SHUT_RDWR);
    if (m_thread.joinable()) m_thread.join();
  }

  fs::path m_socket;
  int m_listener = -1;
  std::atomic<bool> m_stop{false};
  Bytes m_request;
  std::thread m_thread;
};

Bytes framed(const Bytes& body) {
  Bytes out;
  openssh::put_u32(out, static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes sign_answer(const crypto::Ed25519Signature& signature) {
  Bytes blob;
  openssh::put_string(blob, as_bytes("ssh-ed25519"));
  openssh::put_string(blob, signature);
  Bytes body{openssh::k_agent_sign_response};
  openssh::put_string(body, blob);
  return framed(body);
}

}  // namespace

TEST_SUITE("net::ssh_agent") {
  TEST_CASE("a real ssh-agent lists the key ssh-add loaded and signs with it, AgentSigner verifies") {
    VPS_REQUIRE_PROGRAM(agent_program, "ssh-agent");
    test::TempDir dir;
    const std::string line = test::keys::keygen(dir.path(), "op", "");
    test::keys::SshAgent agent(dir.path());
    REQUIRE(agent.add(dir / "op", {}).exit_code == 0);
    const auto key = openssh::parse_public_key_line(line).value().key;

    AgentClient client(agent.socket());
    auto identities = client.identities();
    REQUIRE_MESSAGE(identities, identities.error().message);
    REQUIRE(identities->size() == 1);
    REQUIRE((*identities)[0].ed25519);
    CHECK(*(*identities)[0].ed25519 == key);
    CHECK((*identities)[0].comment == "op@test");

    AgentSigner signer(client, key);
    CHECK(signer.public_key() == key);
    auto signature = signer.sign(as_bytes("vps-agent request"));
    REQUIRE_MESSAGE(signature, signature.error().message);
    CHECK(crypto::ed25519_verify(key, as_bytes("vps-agent request"), *signature));

    // A key the agent does not hold: refused.
    AgentSigner stranger(client, crypto::ed25519_generate().public_key);
    auto refused = stranger.sign(as_bytes("x"));
    CHECK(refused.error().code == Errc::unauthorized);
    CHECK(refused.error().message.find(agent.socket().string()) != std::string::npos);
  }

  TEST_CASE("no agent: unset variable, missing socket, over-long path") {
    test::TempDir dir;
    {
      const char* old = std::getenv("SSH_AUTH_SOCK");
      const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
      ::setenv("SSH_AUTH_SOCK", "", 1);
      auto client = AgentClient::from_environment();
      CHECK(client.error().code == Errc::retry);
      CHECK(client.error().message.find("SSH_AUTH_SOCK") != std::string::npos);
      if (saved) ::setenv("SSH_AUTH_SOCK", saved->c_str(), 1);
      else ::unsetenv("SSH_AUTH_SOCK");
    }
    auto missing = AgentClient(dir / "none.sock", k_fast).identities();
    CHECK(missing.error().code == Errc::retry);
    CHECK(missing.error().message.find("none.sock") != std::string::npos);
    auto long_path = AgentClient(fs::path("/tmp/" + std::string(200, 'x')), k_fast).identities();
    CHECK(long_path.error().code == Errc::retry);
  }

  TEST_CASE("an agent that never answers is given up on at the deadline") {
    test::TempDir dir;
    FakeAgent fake(dir / "a.sock", {}, /*silent=*/true);
    const auto start = std::chrono::steady_clock::now();
    auto result = AgentClient(dir / "a.sock", k_fast).identities();
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(result.error().code == Errc::retry);
    CHECK(result.error().message.find("timed out") != std::string::npos);
    CHECK(took < std::chrono::seconds(5));
    CHECK(fake.request() == Bytes{openssh::k_agentc_request_identities});
  }

  TEST_CASE("an answer longer than 256 KiB is refused from its length, before its body") {
    test::TempDir dir;
    FakeAgent fake(dir / "a.sock", Bytes{0x00, 0x10, 0x00, 0x00, 12});  // says 1 MiB, sends 1 byte
    auto result = AgentClient(dir / "a.sock", k_fast).identities();
    CHECK(result.error().code == Errc::malformed);
    CHECK(result.error().message.find("256 KiB") != std::string::npos);
  }

  TEST_CASE("half an answer, then the agent closes") {
    test::TempDir dir;
    FakeAgent fake(dir / "a.sock", Bytes{0, 0, 0, 9, 12, 0, 0});
    auto result = AgentClient(dir / "a.sock", k_fast).identities();
    CHECK(result.error().code == Errc::retry);
    CHECK(result.error().message.find("closed") != std::string::npos);
  }

  TEST_CASE("the sign request carries the key blob, the data and no flags, a refusal is unauthorized") {
    test::TempDir dir;
    const auto pair = crypto::ed25519_generate();
    FakeAgent fake(dir / "a.sock", framed(Bytes{openssh::k_agent_failure}));
    AgentSigner signer(AgentClient(dir / "a.sock", k_fast), pair.public_key);
    auto result = signer.sign(as_bytes("payload"));
    CHECK(result.error().code == Errc::unauthorized);
    CHECK(result.error().message.find("refused to sign") != std::string::npos);
    Bytes expected = openssh::encode_sign_request(openssh::wire_encoding(pair.public_key), as_bytes("payload"));
    expected.erase(expected.begin(), expected.begin() + 4);
    CHECK(fake.request() == expected);
  }

  TEST_CASE("a signature that does not verify is an integrity failure, never used") {
    test::TempDir dir;
    const auto pair = crypto::ed25519_generate();
    const auto other = crypto::ed25519_generate();
    FakeAgent fake(dir / "a.sock", sign_answer(crypto::ed25519_sign(other.seed, as_bytes("payload"))));
    auto result = AgentSigner(AgentClient(dir / "a.sock", k_fast), pair.public_key).sign(as_bytes("payload"));
    CHECK(result.error().code == Errc::integrity);
  }

  TEST_CASE("a fake agent's good signature is returned") {
    test::TempDir dir;
    const auto pair = crypto::ed25519_generate();
    FakeAgent fake(dir / "a.sock", sign_answer(crypto::ed25519_sign(pair.seed, as_bytes("payload"))));
    auto result = AgentSigner(AgentClient(dir / "a.sock", k_fast), pair.public_key).sign(as_bytes("payload"));
    REQUIRE_MESSAGE(result, result.error().message);
    CHECK(crypto::ed25519_verify(pair.public_key, as_bytes("payload"), *result));
  }
}
