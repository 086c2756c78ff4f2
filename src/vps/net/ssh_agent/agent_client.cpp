#include <vps/net/ssh_agent/agent_client.hpp>

#include <array>
#include <cstdlib>

#include <vps/net/ssh_agent/unix_stream.hpp>

namespace vps::net::ssh_agent {

Result<AgentClient> AgentClient::from_environment() {
  const char* socket = std::getenv("SSH_AUTH_SOCK");
  if (socket == nullptr || *socket == '\0')
    return fail(Errc::retry, "no ssh-agent: SSH_AUTH_SOCK is not set (start one with 'eval $(ssh-agent)', then 'ssh-add KEY')");
  return AgentClient(socket);
}

Result<Bytes> AgentClient::exchange(ByteView request, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // UnixStream's messages start with the socket's path.
  auto in_context = [&](Error e) {
    e.message.insert(0, "ssh-agent at ");
    return fail(std::move(e));
  };
  auto stream = UnixStream::connect(m_socket, deadline);
  if (!stream) return in_context(std::move(stream).error());
  if (auto written = stream->write_all(request, deadline); !written) return in_context(std::move(written).error());
  std::array<std::uint8_t, 4> prefix{};
  if (auto read = stream->read_exact(prefix, deadline); !read) return in_context(std::move(read).error());
  auto length = formats::openssh::parse_message_length(prefix);
  if (!length) return fail(std::move(length).error().context(where()));
  Bytes body(*length);
  if (auto read = stream->read_exact(body, deadline); !read) return in_context(std::move(read).error());
  return body;
}

Result<std::vector<formats::openssh::AgentIdentity>> AgentClient::identities() const {
  auto answer = VPS_TRY(exchange(formats::openssh::encode_request_identities(), m_timeouts.list));
  auto identities = formats::openssh::parse_identities_answer(answer);
  if (!identities) return fail(std::move(identities).error().context(where()));
  return identities;
}

Result<crypto::Ed25519Signature> AgentClient::sign(ByteView key_blob, ByteView data) const {
  auto answer = VPS_TRY(exchange(formats::openssh::encode_sign_request(key_blob, data), m_timeouts.sign));
  auto signature = formats::openssh::parse_sign_response(answer);
  if (!signature) return fail(std::move(signature).error().context(where()));
  return signature;
}

}  // namespace vps::net::ssh_agent
