// libFuzzer target: the OpenSSH private key (unencrypted, and the clear header of encrypted
// ones) and public key line parsers must never crash, read out of bounds or accept a key whose
// re-encoding parses differently; an accepted encrypted key stays within its limits.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <vps/formats/openssh/encrypted_private_key.hpp>
#include <vps/formats/openssh/private_key.hpp>
#include <vps/formats/openssh/public_key.hpp>

using namespace vps::formats::openssh;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto key = parse_private_key(text, "fuzz")) {
    auto again = format_private_key(*key);
    auto reparsed = parse_private_key(std::string_view(reinterpret_cast<const char*>(again.data()), again.size()), "fuzz");
    if (!reparsed || reparsed->public_key != key->public_key || reparsed->comment != key->comment) std::abort();
  }
  if (auto encrypted = parse_encrypted_private_key(text, "fuzz")) {
    if (encrypted->rounds == 0 || encrypted->rounds > k_max_bcrypt_rounds || encrypted->salt.size() != k_bcrypt_salt_size)
      std::abort();
  }
  if (auto pub = parse_public_key_line(text)) {
    auto line = format_public_key_line(*pub);
    auto reparsed = parse_public_key_line(line);
    if (!reparsed || reparsed->key != pub->key) std::abort();
  }
  return 0;
}
