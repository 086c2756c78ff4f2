#include <vps/net/ssh_agent/agent_signer.hpp>

#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/public_key.hpp>

namespace vps::net::ssh_agent {

AgentSigner::AgentSigner(AgentClient client, const crypto::Ed25519Public& key)
    : m_client(std::move(client)), m_public(key), m_blob(formats::openssh::wire_encoding(key)) {}

Result<crypto::Ed25519Signature> AgentSigner::sign(ByteView message) const {
  auto signature = m_client.sign(m_blob, message);
  if (!signature) {
    return fail(std::move(signature).error().context("signing with " + formats::openssh::sha256_fingerprint(m_public)));
  }
  if (!crypto::ed25519_verify(m_public, message, *signature)) {
    return fail(Errc::integrity, m_client.where() + " answered a signature that does not verify with " +
                                     formats::openssh::sha256_fingerprint(m_public));
  }
  return signature;
}

}  // namespace vps::net::ssh_agent
