#pragma once
// A crypto::Signer whose private key stays in an ssh-agent: each signature is one request to
// the agent, checked against the public key before it is used (an agent answering with a
// signature that does not verify is Errc::integrity, never sent on).

#include <vps/crypto/signer.hpp>
#include <vps/net/ssh_agent/agent_client.hpp>

namespace vps::net::ssh_agent {

class AgentSigner final : public crypto::Signer {
 public:
  AgentSigner(AgentClient client, const crypto::Ed25519Public& key);

  const crypto::Ed25519Public& public_key() const override { return m_public; }
  // Errc::unauthorized when the agent refuses (the key was removed, a confirmation was
  // denied), Errc::retry when it cannot be reached; the message names key and socket.
  Result<crypto::Ed25519Signature> sign(ByteView message) const override;

 private:
  AgentClient m_client;
  crypto::Ed25519Public m_public;
  Bytes m_blob;  // the key's wire encoding, as sign requests name it
};

}  // namespace vps::net::ssh_agent
