#pragma once
// The ssh-agent protocol (draft-miller-ssh-agent), client side, restricted to the two requests
// an operator command needs: list the agent's keys, and sign with one of them. Pure functions
// over bytes; the socket is net/ssh_agent/. No Debian library offers an agent client we could
// use instead (libssh's is tied to its sessions and not exported for this), and the two
// requests are small, so the encoding is written here.
//
// The agent's answers are untrusted input (any process can listen on $SSH_AUTH_SOCK): the
// length is bounded before a byte of the body is read, every field is checked against what
// is left, and nothing may follow a message. Framing: uint32 length, then that many bytes: a
// type byte and its contents in SSH wire encoding (uint32 big-endian; string = uint32 length
// + bytes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::formats::openssh {

inline constexpr std::uint8_t k_agent_failure = 5;  // SSH_AGENT_FAILURE
inline constexpr std::uint8_t k_agentc_request_identities = 11;
inline constexpr std::uint8_t k_agent_identities_answer = 12;
inline constexpr std::uint8_t k_agentc_sign_request = 13;
inline constexpr std::uint8_t k_agent_sign_response = 14;
// Failure codes of older agents that OpenSSH also reads as failure (authfd.c agent_failed).
inline constexpr std::uint8_t k_agent2_failure = 30;
inline constexpr std::uint8_t k_com_agent2_failure = 102;
// OpenSSH's own limits (authfd.c): messages of at most 256 KiB, at most 2048 identities.
inline constexpr std::size_t k_max_agent_message = 256 * 1024;
inline constexpr std::size_t k_max_agent_identities = 2048;

struct AgentIdentity {
  Bytes key_blob;  // the key's wire encoding as the agent sent it: sign requests name it so
  std::string comment;
  std::optional<crypto::Ed25519Public> ed25519;  // set when the blob is exactly an ssh-ed25519 key
};

// Whole framed requests, length prefix included.
Bytes encode_request_identities();
Bytes encode_sign_request(ByteView key_blob, ByteView data, std::uint32_t flags = 0);

// The 4-byte length prefix of an answer. Errc::malformed when 0 or above k_max_agent_message.
Result<std::size_t> parse_message_length(ByteView prefix);

// An answer's body (what follows the length prefix). Errc::unauthorized when the agent
// answered failure; Errc::malformed for anything else that is not the expected answer.
Result<std::vector<AgentIdentity>> parse_identities_answer(ByteView message);
// The raw Ed25519 signature of an SSH_AGENT_SIGN_RESPONSE ("ssh-ed25519" signature blob);
// the caller still verifies it against the key.
Result<crypto::Ed25519Signature> parse_sign_response(ByteView message);

// An agent's key comment as messages show it: printable ASCII (others '?'), at most 64 bytes.
std::string printable_comment(std::string_view comment);

}  // namespace vps::formats::openssh
