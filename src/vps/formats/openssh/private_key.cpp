#include <vps/formats/openssh/private_key.hpp>

#include <algorithm>
#include <array>

#include <sodium.h>

#include <vps/crypto/random.hpp>
#include <vps/formats/openssh/private_key_envelope.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/formats/openssh/wire.hpp>

namespace vps::formats::openssh {
namespace {

constexpr std::string_view k_magic{"openssh-key-v1\0", 15};
constexpr std::size_t k_line_width = 70;  // what ssh-keygen writes

// check1, check2, key type, public key, seed || public key, comment, padding 1, 2, 3.. to a
// multiple of block_size (and shorter than a block, so the encoding is unique).
Result<Ed25519PrivateKey> parse_private_section(ByteView section, std::size_t block_size,
                                                const crypto::Ed25519Public& outer, std::string_view source) {
  auto malformed = [&](std::string_view what) { return malformed_private_key(source, what); };
  if (section.size() < block_size || section.size() % block_size != 0)
    return malformed("private section is not a multiple of the block size");
  WireReader reader(section);
  auto check1 = reader.u32();
  auto check2 = reader.u32();
  if (!check1 || !check2 || *check1 != *check2) return malformed("check integers differ");
  auto type = reader.string();
  if (!type || !equals(*type, k_ed25519_type)) return malformed("private key type differs from the public key's");
  auto pub = reader.string();
  if (!pub || pub->size() != 32 || !std::equal(pub->begin(), pub->end(), outer.begin()))
    return malformed("private section's public key differs from the public key");
  auto secret = reader.string();  // seed || public key
  if (!secret || secret->size() != 64) return malformed("ed25519 private key is not 64 bytes");
  if (!std::equal(secret->begin() + 32, secret->end(), outer.begin()))
    return malformed("ed25519 private key's public half differs from the public key");
  Ed25519PrivateKey key;
  std::copy(secret->begin(), secret->begin() + 32, key.seed.data());
  auto comment = reader.string();
  if (!comment) return malformed("truncated comment");
  if (comment->size() > k_max_comment) return malformed("comment is longer than 1024 bytes");
  if (std::find(comment->begin(), comment->end(), std::uint8_t{0}) != comment->end())
    return malformed("comment contains a NUL byte");
  if (reader.remaining() >= block_size) return malformed("padding is longer than a block");
  auto padding = reader.raw(reader.remaining());
  for (std::size_t i = 0; i < padding->size(); ++i)
    if ((*padding)[i] != i + 1) return malformed("padding bytes are not 1, 2, 3, ...");
  // The stored public key must be the seed's: a mismatch means the file was altered.
  auto derived = crypto::ed25519_public_from_seed(key.seed);
  if (!equal_ct(derived, outer)) return malformed("public key does not match the private key");
  key.public_key = outer;
  key.comment = std::string(as_chars(*comment));
  return key;
}

Result<Ed25519PrivateKey> parse_unencrypted(ByteView blob, std::size_t block_size, std::string_view source) {
  auto envelope = VPS_TRY(parse_private_key_envelope(blob, source));
  if (envelope.encrypted()) {
    return fail(Errc::unsupported, std::string(source) + ": private key is encrypted (cipher " +
                                       quoted_name(envelope.cipher) + ", kdf " + quoted_name(envelope.kdf) +
                                       "); decrypt it with 'ssh-keygen -p -f FILE'");
  }
  if (!envelope.kdf_options.empty()) return malformed_private_key(source, "kdf options present without a kdf");
  return parse_private_section(ByteView(envelope.private_section.data(), envelope.private_section.size()), block_size,
                               envelope.public_key, source);
}

}  // namespace

bool looks_like_private_key(std::string_view text) {
  return text.starts_with(k_private_key_begin) &&
         (text.size() == k_private_key_begin.size() || text[k_private_key_begin.size()] == '\n' ||
          text[k_private_key_begin.size()] == '\r');
}

Result<Ed25519PrivateKey> parse_private_key(std::string_view text, std::string_view source_name) {
  auto blob = VPS_TRY(decode_private_key_armor(text, source_name));
  return parse_unencrypted(ByteView(blob.data(), blob.size()), k_unencrypted_block_size, source_name);
}

Result<Ed25519PrivateKey> parse_private_key_blob(ByteView blob, std::size_t block_size, std::string_view source_name) {
  return parse_unencrypted(blob, block_size, source_name);
}

SecretBytes format_private_key(const Ed25519PrivateKey& key) {
  SecretBytes section;
  std::array<std::uint8_t, 4> check{};
  crypto::random_bytes(check);
  section.insert(section.end(), check.begin(), check.end());
  section.insert(section.end(), check.begin(), check.end());
  put_string(section, as_bytes(k_ed25519_type));
  put_string(section, key.public_key);
  put_u32(section, 64);
  section.insert(section.end(), key.seed.data(), key.seed.data() + 32);
  section.insert(section.end(), key.public_key.begin(), key.public_key.end());
  put_string(section, as_bytes(key.comment));
  for (std::uint8_t pad = 1; section.size() % k_unencrypted_block_size != 0; ++pad) section.push_back(pad);

  SecretBytes blob;
  blob.insert(blob.end(), k_magic.begin(), k_magic.end());
  put_string(blob, as_bytes("none"));
  put_string(blob, as_bytes("none"));
  put_string(blob, ByteView());
  put_u32(blob, 1);
  put_string(blob, wire_encoding(key.public_key));
  put_string(blob, ByteView(section.data(), section.size()));

  SecretBytes b64(sodium_base64_ENCODED_LEN(blob.size(), sodium_base64_VARIANT_ORIGINAL));
  sodium_bin2base64(reinterpret_cast<char*>(b64.data()), b64.size(), blob.data(), blob.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  std::size_t b64_len = b64.size() - 1;  // drop the NUL terminator

  SecretBytes out;
  out.reserve(b64_len + b64_len / k_line_width + 80);
  out.insert(out.end(), k_private_key_begin.begin(), k_private_key_begin.end());
  out.push_back('\n');
  for (std::size_t i = 0; i < b64_len; i += k_line_width) {
    std::size_t n = std::min(k_line_width, b64_len - i);
    out.insert(out.end(), b64.begin() + static_cast<std::ptrdiff_t>(i),
               b64.begin() + static_cast<std::ptrdiff_t>(i + n));
    out.push_back('\n');
  }
  out.insert(out.end(), k_private_key_end.begin(), k_private_key_end.end());
  out.push_back('\n');
  return out;
}

}  // namespace vps::formats::openssh
