#include <vps/formats/openssh/public_key.hpp>

#include <algorithm>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/wire.hpp>

namespace vps::formats::openssh {
namespace {

// Public key lines are short; anything longer is not an ed25519 line and is refused before
// any decoding work.
constexpr std::size_t k_max_line = 16 * 1024;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view next_field(std::string_view& rest) {
  std::size_t end = 0;
  while (end < rest.size() && !is_blank(rest[end])) ++end;
  std::string_view field = rest.substr(0, end);
  rest.remove_prefix(end);
  while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
  return field;
}

std::string quoted(std::string_view s) {
  constexpr std::size_t k_max_echo = 40;  // public values only; cap what we echo
  std::string out(s.substr(0, k_max_echo));
  std::replace_if(out.begin(), out.end(), [](char c) { return c < 0x20 || c == 0x7f; }, '?');
  return "'" + out + (s.size() > k_max_echo ? "...'" : "'");
}

}  // namespace

Bytes wire_encoding(const crypto::Ed25519Public& key) {
  Bytes out;
  out.reserve(4 + k_ed25519_type.size() + 4 + key.size());
  put_string(out, as_bytes(k_ed25519_type));
  put_string(out, key);
  return out;
}

Result<crypto::Ed25519Public> parse_wire_encoding(ByteView blob, std::string_view what) {
  WireReader reader(blob);
  auto type = reader.string();
  if (!type) return fail(Errc::malformed, std::string(what) + ": truncated key type");
  if (!equals(*type, k_ed25519_type))
    return fail(Errc::unsupported, std::string(what) + ": key type " + quoted(as_chars(*type)) +
                                       " is not supported; expected ssh-ed25519");
  auto key = reader.string();
  if (!key || key->size() != crypto::Ed25519Public{}.size())
    return fail(Errc::malformed, std::string(what) + ": ed25519 public key is not 32 bytes");
  if (!reader.at_end()) return fail(Errc::malformed, std::string(what) + ": trailing bytes after the key");
  crypto::Ed25519Public out{};
  std::copy(key->begin(), key->end(), out.begin());
  return out;
}

Result<Ed25519PublicKey> parse_public_key_line(std::string_view line) {
  if (line.size() > k_max_line) return fail(Errc::malformed, "public key line is too long");
  if (line.ends_with("\r\n")) line.remove_suffix(2);
  else if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.find_first_of("\r\n") != std::string_view::npos)
    return fail(Errc::malformed, "public key line contains a line break");
  std::string_view rest = line;
  std::string_view type = next_field(rest);
  std::string_view blob_text = next_field(rest);
  if (type.empty() || blob_text.empty())
    return fail(Errc::malformed, "public key line must be '<type> <base64 key> [comment]'");
  if (type != k_ed25519_type)
    return fail(Errc::unsupported, "key type " + quoted(type) + " is not supported; expected ssh-ed25519");
  auto blob = base64::decode(blob_text);
  if (!blob) return fail(std::move(blob).error().context("public key"));
  auto key = VPS_TRY(parse_wire_encoding(*blob, "public key"));
  // The comment is the rest of the line, minus trailing blanks.
  while (!rest.empty() && is_blank(rest.back())) rest.remove_suffix(1);
  return Ed25519PublicKey{key, std::string(rest)};
}

std::string format_public_key_line(const Ed25519PublicKey& key) {
  std::string line(k_ed25519_type);
  line += ' ';
  line += base64::encode(wire_encoding(key.key));
  if (!key.comment.empty()) {
    line += ' ';
    line += key.comment;
  }
  return line;
}

}  // namespace vps::formats::openssh
