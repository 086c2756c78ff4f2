#include <vps/enroll/keys/private_key_file.hpp>

#include <vps/formats/openssh/encrypted_private_key.hpp>
#include <vps/formats/openssh/private_key_envelope.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/enroll/keys/decrypt_private_key.hpp>

namespace vps::enroll::keys {

namespace openssh = formats::openssh;

Result<openssh::Ed25519PrivateKey> load_private_key_file(const std::filesystem::path& path, const AskPassphrase& ask) {
  auto text = sys::read_secret_file(path, openssh::k_max_private_key_text);
  if (!text) return fail(std::move(text).error().context("reading key"));
  const std::string_view view = as_chars(ByteView(text->data(), text->size()));
  const std::string source = path.string();
  auto blob = VPS_TRY(openssh::decode_private_key_armor(view, source));
  auto envelope = VPS_TRY(openssh::parse_private_key_envelope(ByteView(blob.data(), blob.size()), source));
  if (!envelope.encrypted()) return openssh::parse_private_key(view, source);
  VPS_TRY(openssh::parse_encrypted_private_key(view, source));  // refuse what we cannot decrypt before asking
  auto passphrase = VPS_TRY(ask("Enter passphrase for key '" + source + "': "));
  return decrypt_private_key(view, source, ByteView(passphrase.data(), passphrase.size()));
}

Result<crypto::Ed25519Public> read_public_half(const std::filesystem::path& path) {
  auto text = sys::read_secret_file(path, openssh::k_max_private_key_text);
  if (!text) return fail(std::move(text).error().context("reading key"));
  const std::string_view view = as_chars(ByteView(text->data(), text->size()));
  if (openssh::looks_like_private_key(view)) {
    auto blob = VPS_TRY(openssh::decode_private_key_armor(view, path.string()));
    auto envelope = VPS_TRY(openssh::parse_private_key_envelope(ByteView(blob.data(), blob.size()), path.string()));
    return envelope.public_key;
  }
  auto line = openssh::parse_public_key_line(view);
  if (!line) return fail(std::move(line).error().context(path.string()));
  return line->key;
}

}  // namespace vps::enroll::keys
