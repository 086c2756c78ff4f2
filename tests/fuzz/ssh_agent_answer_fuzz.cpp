// libFuzzer target: the ssh-agent answer parsers (formats/openssh/agent_protocol) read whatever
// the process on $SSH_AUTH_SOCK sends. They must never crash, read out of bounds or allocate
// beyond the message, must keep their limits, and an identity they call ed25519 must be
// exactly the wire encoding of that key.
#include <cstdint>
#include <cstdlib>

#include <vps/formats/openssh/agent_protocol.hpp>
#include <vps/formats/openssh/public_key.hpp>

using namespace vps;
using namespace vps::formats::openssh;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  if (size >= 4) {
    if (auto length = parse_message_length(input.first(4)); length && (*length == 0 || *length > k_max_agent_message))
      std::abort();
  }
  if (auto identities = parse_identities_answer(input)) {
    if (identities->size() > k_max_agent_identities) std::abort();
    for (const auto& identity : *identities) {
      if (identity.ed25519 && identity.key_blob != wire_encoding(*identity.ed25519)) std::abort();
      if (printable_comment(identity.comment).size() > 64) std::abort();
    }
  } else if (identities.error().code != Errc::malformed && identities.error().code != Errc::unauthorized) {
    std::abort();
  }
  if (auto signature = parse_sign_response(input)) {
    if (size < 1 + 4 + 4 + 11 + 4 + 64) std::abort();
  } else if (signature.error().code != Errc::malformed && signature.error().code != Errc::unauthorized) {
    std::abort();
  }
  return 0;
}
