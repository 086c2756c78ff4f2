#include <vps/formats/openssh/agent_protocol.hpp>

#include <algorithm>

#include <vps/formats/openssh/public_key.hpp>
#include <vps/formats/openssh/wire.hpp>

namespace vps::formats::openssh {
namespace {

constexpr std::size_t k_max_comment_shown = 64;

Bytes framed(const Bytes& body) {
  Bytes out;
  out.reserve(body.size() + 4);
  put_u32(out, static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

tl::unexpected<Error> malformed(std::string_view what) {
  return fail(Errc::malformed, "invalid answer: " + std::string(what));
}

bool is_failure(std::uint8_t type) {
  return type == k_agent_failure || type == k_agent2_failure || type == k_com_agent2_failure;
}

// The type byte, refusing failure (unauthorized) and any type but `expected` (malformed).
Status expect_type(WireReader& reader, std::uint8_t expected, std::string_view refusal) {
  auto type = reader.raw(1);
  if (!type) return malformed("empty message");
  if (is_failure((*type)[0])) return fail(Errc::unauthorized, std::string(refusal));
  if ((*type)[0] != expected)
    return malformed("message type " + std::to_string((*type)[0]) + " where " + std::to_string(expected) +
                     " was expected");
  return {};
}

}  // namespace

Bytes encode_request_identities() { return framed(Bytes{k_agentc_request_identities}); }

Bytes encode_sign_request(ByteView key_blob, ByteView data, std::uint32_t flags) {
  Bytes body{k_agentc_sign_request};
  put_string(body, key_blob);
  put_string(body, data);
  put_u32(body, flags);
  return framed(body);
}

Result<std::size_t> parse_message_length(ByteView prefix) {
  WireReader reader(prefix);
  auto length = reader.u32();
  if (!length || !reader.at_end()) return malformed("length prefix is not 4 bytes");
  if (*length == 0) return malformed("empty message");
  if (*length > k_max_agent_message)
    return malformed("message of " + std::to_string(*length) + " bytes is larger than 256 KiB");
  return std::size_t{*length};
}

Result<std::vector<AgentIdentity>> parse_identities_answer(ByteView message) {
  if (message.size() > k_max_agent_message) return malformed("message is larger than 256 KiB");
  WireReader reader(message);
  VPS_CHECK(expect_type(reader, k_agent_identities_answer, "refused to list its keys"));
  auto count = reader.u32();
  if (!count) return malformed("truncated key count");
  if (*count > k_max_agent_identities)
    return malformed(std::to_string(*count) + " keys (more than " + std::to_string(k_max_agent_identities) + ")");
  // Each key needs at least two length prefixes: a count the bytes cannot hold is refused
  // before anything is reserved.
  if (*count > reader.remaining() / 8) return malformed("key count larger than the message");
  std::vector<AgentIdentity> identities;
  identities.reserve(*count);
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto blob = reader.string();
    auto comment = reader.string();
    if (!blob || !comment) return malformed("truncated key " + std::to_string(i + 1));
    AgentIdentity identity;
    identity.key_blob.assign(blob->begin(), blob->end());
    identity.comment = std::string(as_chars(*comment));
    if (auto key = parse_wire_encoding(*blob, "agent key")) identity.ed25519 = *key;
    identities.push_back(std::move(identity));
  }
  if (!reader.at_end()) return malformed("trailing bytes after the keys");
  return identities;
}

Result<crypto::Ed25519Signature> parse_sign_response(ByteView message) {
  if (message.size() > k_max_agent_message) return malformed("message is larger than 256 KiB");
  WireReader reader(message);
  VPS_CHECK(expect_type(reader, k_agent_sign_response, "refused to sign"));
  auto blob = reader.string();
  if (!blob) return malformed("truncated signature");
  if (!reader.at_end()) return malformed("trailing bytes after the signature");
  WireReader signature(*blob);
  auto type = signature.string();
  auto bytes = signature.string();
  if (!type || !bytes || !signature.at_end()) return malformed("signature is not a type and a value");
  if (!equals(*type, k_ed25519_type)) return malformed("signature type is not 'ssh-ed25519'");
  crypto::Ed25519Signature out{};
  if (bytes->size() != out.size()) return malformed("ed25519 signature is not 64 bytes");
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

std::string printable_comment(std::string_view comment) {
  std::string out(comment.substr(0, std::min(comment.size(), k_max_comment_shown)));
  std::replace_if(out.begin(), out.end(), [](char c) { return c < 0x20 || c > 0x7e; }, '?');
  return out;
}

}  // namespace vps::formats::openssh
