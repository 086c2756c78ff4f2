#include <vps/formats/openssh/encrypted_private_key.hpp>

#include <algorithm>
#include <array>

#include <vps/formats/openssh/private_key_envelope.hpp>
#include <vps/formats/openssh/wire.hpp>

namespace vps::formats::openssh {
namespace {

constexpr std::array<std::string_view, 2> k_ciphers = {"aes256-ctr", "aes256-cbc"};
constexpr std::string_view k_convert = "re-encrypt it with 'ssh-keygen -p -Z aes256-ctr -a 100 -f FILE'";

}  // namespace

Result<EncryptedPrivateKey> parse_encrypted_private_key(std::string_view text, std::string_view source_name) {
  auto unsupported = [&](const std::string& what) {
    return fail(Errc::unsupported, std::string(source_name) + ": " + what);
  };
  auto blob = VPS_TRY(decode_private_key_armor(text, source_name));
  auto envelope = VPS_TRY(parse_private_key_envelope(ByteView(blob.data(), blob.size()), source_name));
  if (!envelope.encrypted()) return unsupported("private key is not encrypted");
  if (envelope.kdf != "bcrypt")
    return unsupported("private key uses kdf " + quoted_name(envelope.kdf) + " (only 'bcrypt' is supported); " +
                       std::string(k_convert));
  if (std::find(k_ciphers.begin(), k_ciphers.end(), envelope.cipher) == k_ciphers.end())
    return unsupported("private key is encrypted with " + quoted_name(envelope.cipher) +
                       " (supported: 'aes256-ctr', 'aes256-cbc'); " + std::string(k_convert));

  WireReader options(envelope.kdf_options);
  auto salt = options.string();
  auto rounds = options.u32();
  if (!salt || !rounds || !options.at_end()) return malformed_private_key(source_name, "bcrypt options are not salt and rounds");
  if (salt->size() != k_bcrypt_salt_size)
    return unsupported("bcrypt salt is " + std::to_string(salt->size()) + " bytes (ssh-keygen writes 16)");
  if (*rounds == 0) return malformed_private_key(source_name, "bcrypt rounds are 0");
  if (*rounds > k_max_bcrypt_rounds)
    return unsupported("bcrypt rounds " + std::to_string(*rounds) + " exceed the limit of " +
                       std::to_string(k_max_bcrypt_rounds) + " (ssh-keygen -a; its default is 16); " +
                       std::string(k_convert));
  const auto& section = envelope.private_section;
  if (section.empty() || section.size() % k_aes_block_size != 0)
    return malformed_private_key(source_name, "encrypted private section is not a multiple of the AES block size");

  EncryptedPrivateKey key;
  key.cipher = envelope.cipher;
  key.salt.assign(salt->begin(), salt->end());
  key.rounds = *rounds;
  key.public_key = envelope.public_key;
  return key;
}

}  // namespace vps::formats::openssh
