#include <vps/formats/openssh/private_key.hpp>

#include <algorithm>
#include <array>

#include <sodium.h>

#include <vps/base/base64.hpp>
#include <vps/crypto/random.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/formats/openssh/wire.hpp>

namespace vps::formats::openssh {
namespace {

constexpr std::string_view k_magic{"openssh-key-v1\0", 15};
constexpr std::size_t k_block_size = 8;  // cipher "none"
constexpr std::size_t k_line_width = 70;  // what ssh-keygen writes
constexpr std::size_t k_max_line_width = 76;  // accept up to MIME width, no more

class Parser {
 public:
  explicit Parser(std::string_view source) : m_source(source) {}

  tl::unexpected<Error> error(Errc code, std::string_view what) const {
    return fail(code, std::string(m_source) + ": " + std::string(what));
  }
  tl::unexpected<Error> malformed(std::string_view what) const {
    return error(Errc::malformed, "invalid OpenSSH private key: " + std::string(what));
  }

  Result<SecretBytes> unarmor(std::string_view text) const;
  Result<Ed25519PrivateKey> parse_blob(ByteView blob) const;
  Status parse_private_section(ByteView section, const crypto::Ed25519Public& outer,
                               Ed25519PrivateKey& key) const;

 private:
  std::string_view m_source;
};

// Splits off one line ending in LF or CRLF; nullopt when no line ending remains.
std::optional<std::string_view> take_line(std::string_view& text) {
  auto lf = text.find('\n');
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view line = text.substr(0, lf);
  text.remove_prefix(lf + 1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

Result<SecretBytes> Parser::unarmor(std::string_view text) const {
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

Status Parser::parse_private_section(ByteView section, const crypto::Ed25519Public& outer,
                                     Ed25519PrivateKey& key) const {
  if (section.size() < k_block_size || section.size() % k_block_size != 0)
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
  std::copy(secret->begin(), secret->begin() + 32, key.seed.data());
  auto comment = reader.string();
  if (!comment) return malformed("truncated comment");
  if (comment->size() > k_max_comment) return malformed("comment is longer than 1024 bytes");
  if (std::find(comment->begin(), comment->end(), std::uint8_t{0}) != comment->end())
    return malformed("comment contains a NUL byte");
  if (reader.remaining() >= k_block_size) return malformed("padding is longer than a block");
  auto padding = reader.raw(reader.remaining());
  for (std::size_t i = 0; i < padding->size(); ++i)
    if ((*padding)[i] != i + 1) return malformed("padding bytes are not 1, 2, 3, ...");
  // The stored public key must be the seed's: a mismatch means the file was altered.
  auto derived = crypto::ed25519_public_from_seed(key.seed);
  if (!equal_ct(derived, outer)) return malformed("public key does not match the private key");
  key.public_key = outer;
  key.comment = std::string(as_chars(*comment));
  return {};
}

Result<Ed25519PrivateKey> Parser::parse_blob(ByteView blob) const {
  WireReader reader(blob);
  auto magic = reader.raw(k_magic.size());
  if (!magic || !equals(*magic, k_magic)) return malformed("missing 'openssh-key-v1' magic");
  auto cipher = reader.string();
  auto kdf = reader.string();
  auto kdf_options = reader.string();
  if (!cipher || !kdf || !kdf_options) return malformed("truncated header");
  if (!equals(*cipher, "none") || !equals(*kdf, "none")) {
    constexpr std::size_t k_max_name = 64;
    auto name = [&](ByteView v) {
      std::string s(as_chars(v.first(std::min(v.size(), k_max_name))));
      std::replace_if(s.begin(), s.end(), [](char c) { return c < 0x21 || c > 0x7e; }, '?');
      return "'" + s + "'";
    };
    return error(Errc::unsupported, "private key is encrypted (cipher " + name(*cipher) + ", kdf " +
                                        name(*kdf) + "); decrypt it with 'ssh-keygen -p -f FILE'");
  }
  if (!kdf_options->empty()) return malformed("kdf options present without a kdf");
  auto count = reader.u32();
  if (!count) return malformed("truncated header");
  if (*count != 1)
    return error(Errc::unsupported, "file holds " + std::to_string(*count) + " keys; expected exactly one");
  auto public_blob = reader.string();
  if (!public_blob) return malformed("truncated public key");
  auto outer = parse_wire_encoding(*public_blob, "public key");
  if (!outer) {
    if (outer.error().code == Errc::unsupported) return error(Errc::unsupported, outer.error().message);
    return malformed(outer.error().message);
  }
  auto section = reader.string();
  if (!section) return malformed("truncated private section");
  if (!reader.at_end()) return malformed("trailing bytes after the private section");
  Ed25519PrivateKey key;
  VPS_CHECK(parse_private_section(*section, *outer, key));
  return key;
}

}  // namespace

bool looks_like_private_key(std::string_view text) {
  return text.starts_with(k_private_key_begin) &&
         (text.size() == k_private_key_begin.size() || text[k_private_key_begin.size()] == '\n' ||
          text[k_private_key_begin.size()] == '\r');
}

Result<Ed25519PrivateKey> parse_private_key(std::string_view text, std::string_view source_name) {
  Parser parser(source_name);
  auto blob = VPS_TRY(parser.unarmor(text));
  return parser.parse_blob(ByteView(blob.data(), blob.size()));
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
  for (std::uint8_t pad = 1; section.size() % k_block_size != 0; ++pad) section.push_back(pad);

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
