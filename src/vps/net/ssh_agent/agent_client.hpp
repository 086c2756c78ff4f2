#pragma once
// A client of the ssh-agent named by $SSH_AUTH_SOCK: lists its keys and asks it to sign. One
// connection per request (agents serve many; nothing is left open between signatures). Every
// step has a deadline: listing keys must answer within 10 s; a signature may take up to 2 min,
// because an agent may ask its user first (`ssh-add -c` confirmation, a hardware key waiting
// for a touch). Answers are parsed by formats/openssh/agent_protocol (bounded, strict).
//
// Errors name the socket: Errc::retry when the agent cannot be reached or stops answering,
// Errc::unauthorized when it refuses, Errc::malformed when it answers nonsense.

#include <chrono>
#include <filesystem>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/openssh/agent_protocol.hpp>

namespace vps::net::ssh_agent {

struct AgentTimeouts {
  std::chrono::milliseconds list{std::chrono::seconds(10)};
  std::chrono::milliseconds sign{std::chrono::seconds(120)};
};

class AgentClient {
 public:
  explicit AgentClient(std::filesystem::path socket, AgentTimeouts timeouts = {})
      : m_socket(std::move(socket)), m_timeouts(timeouts) {}

  // $SSH_AUTH_SOCK; Errc::retry when it is unset or empty (no agent in this session).
  static Result<AgentClient> from_environment();

  Result<std::vector<formats::openssh::AgentIdentity>> identities() const;
  Result<crypto::Ed25519Signature> sign(ByteView key_blob, ByteView data) const;

  const std::filesystem::path& socket() const { return m_socket; }
  // "ssh-agent at <socket>": how messages name this agent.
  std::string where() const { return "ssh-agent at " + m_socket.string(); }

 private:
  // Sends one framed request and reads one answer body.
  Result<Bytes> exchange(ByteView request, std::chrono::milliseconds timeout) const;

  std::filesystem::path m_socket;
  AgentTimeouts m_timeouts;
};

}  // namespace vps::net::ssh_agent
