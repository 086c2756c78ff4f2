#include <vps/formats/openssh/private_key_envelope.hpp>

#include <algorithm>
#include <optional>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/private_key.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/formats/openssh/wire.hpp>

namespace vps::formats::openssh {
namespace {

constexpr std::string_view k_magic{"openssh-key-v1\0", 15};
constexpr std::size_t k_max_line_width = 76;  // accept up to MIME width, no more
constexpr std::size_t k_max_name = 64;        // cipher and KDF names ("aes256-gcm@openssh.com" is 22)
constexpr std::size_t k_aead_tag_size = 16;   // GCM and chacha20-poly1305

// Splits off one line ending in LF or CRLF; nullopt when no line ending remains.
std::optional<std::string_view> take_line(std::string_view& text) {
  auto lf = text.find('\n');
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view line = text.substr(0, lf);
  text.remove_prefix(lf + 1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

}  // namespace

std::string quoted_name(std::string_view name) {
  std::string s(name.substr(0, std::min(name.size(), k_max_name)));
  std::replace_if(s.begin(), s.end(), [](char c) { return c < 0x21 || c > 0x7e; }, '?');
  return "'" + s + "'";
}

tl::unexpected<Error> malformed_private_key(std::string_view source_name, std::string_view what) {
  return fail(Errc::malformed, std::string(source_name) + ": invalid OpenSSH private key: " + std::string(what));
}

Result<SecretBytes> decode_private_key_armor(std::string_view text, std::string_view source_name) {
  auto malformed = [&](std::string_view what) { return malformed_private_key(source_name, what); };
  if (text.size() > k_max_private_key_text) return malformed("file is larger than 16 KiB");
  if (!looks_like_private_key(text)) return malformed("missing '" + std::string(k_private_key_begin) + "' line");
  std::string_view rest = text;
  if (!take_line(rest)) return malformed("missing '" + std::string(k_private_key_end) + "' line");
  SecretBytes body;  // base64 text of the secret blob: secret too
  body.reserve(rest.size());
  bool ended = false;
  while (!rest.empty()) {
    auto line = take_line(rest);
    if (!line) {  // the final line may lack its newline
      line = rest;
      rest = {};
    }
    if (*line == k_private_key_end) {
      ended = true;
      break;
    }
    if (line->empty() || line->size() > k_max_line_width) return malformed("bad base64 line length");
    if (line->find('\r') != std::string_view::npos) return malformed("stray carriage return");
    body.insert(body.end(), line->begin(), line->end());
  }
  if (!ended) return malformed("missing '" + std::string(k_private_key_end) + "' line");
  if (!rest.empty()) return malformed("unexpected data after the END line");
  auto decoded = base64::decode_secret(as_chars(ByteView(body.data(), body.size())));
  if (!decoded) return malformed(decoded.error().message);
  return std::move(*decoded);
}

Result<PrivateKeyEnvelope> parse_private_key_envelope(ByteView blob, std::string_view source_name) {
  auto malformed = [&](std::string_view what) { return malformed_private_key(source_name, what); };
  WireReader reader(blob);
  auto magic = reader.raw(k_magic.size());
  if (!magic || !equals(*magic, k_magic)) return malformed("missing 'openssh-key-v1' magic");
  auto cipher = reader.string();
  auto kdf = reader.string();
  auto kdf_options = reader.string();
  auto count = reader.u32();
  if (!cipher || !kdf || !kdf_options || !count) return malformed("truncated header");
  if (cipher->size() > k_max_name || kdf->size() > k_max_name) return malformed("cipher or kdf name is too long");
  if (*count != 1) {
    return fail(Errc::unsupported, std::string(source_name) + ": file holds " + std::to_string(*count) +
                                       " keys; expected exactly one");
  }
  auto public_blob = reader.string();
  if (!public_blob) return malformed("truncated public key");
  auto outer = parse_wire_encoding(*public_blob, "public key");
  if (!outer) {
    if (outer.error().code == Errc::unsupported)
      return fail(Errc::unsupported, std::string(source_name) + ": " + outer.error().message);
    return malformed(outer.error().message);
  }
  auto section = reader.string();
  if (!section) return malformed("truncated private section");
  // AEAD ciphers append their tag after the encrypted section (sshkey.c: cipher_authlen).
  const bool aead = equals(*cipher, "aes256-gcm@openssh.com") || equals(*cipher, "aes128-gcm@openssh.com") ||
                    equals(*cipher, "chacha20-poly1305@openssh.com");
  auto tag = reader.raw(aead ? k_aead_tag_size : 0);
  if (!tag) return malformed("truncated authentication tag");
  if (!reader.at_end()) return malformed("trailing bytes after the private section");
  PrivateKeyEnvelope envelope;
  envelope.cipher = std::string(as_chars(*cipher));
  envelope.kdf = std::string(as_chars(*kdf));
  envelope.kdf_options.assign(kdf_options->begin(), kdf_options->end());
  envelope.public_key = *outer;
  envelope.private_section.assign(section->begin(), section->end());
  envelope.auth_tag.assign(tag->begin(), tag->end());
  return envelope;
}

}  // namespace vps::formats::openssh
