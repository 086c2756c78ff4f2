#include <vps/protocol/canonical_lines.hpp>

#include <limits>

#include <vps/base/text.hpp>

#include <algorithm>

#include <vps/formats/openssh/public_key.hpp>

namespace vps::protocol {

Result<CanonicalLines> CanonicalLines::open(std::string_view text, std::string_view domain, std::string_view what,
                                            std::size_t max_bytes) {
  CanonicalLines lines(text, "parsing " + std::string(what));
  if (text.size() > max_bytes) return lines.bad("larger than " + std::to_string(max_bytes) + " bytes");
  if (!text.starts_with(domain) || text.substr(domain.size()).substr(0, 1) != "\n")
    return lines.bad("not a " + std::string(domain) + " object");
  lines.m_rest.remove_prefix(domain.size() + 1);
  return lines;
}

tl::unexpected<Error> CanonicalLines::bad(std::string_view why) const {
  return fail(Errc::malformed, m_what + ": " + std::string(why));
}

Result<std::string_view> CanonicalLines::take(std::string_view name) {
  const std::size_t end = m_rest.find('\n');
  if (end == std::string_view::npos) return bad("missing '" + std::string(name) + "' line");
  const std::string_view line = m_rest.substr(0, end);
  if (!line.starts_with(name) || line.substr(name.size()).substr(0, 2) != ": ")
    return bad("expected '" + std::string(name) + ": ' line");
  m_rest.remove_prefix(end + 1);
  return line.substr(name.size() + 2);
}

Result<std::int64_t> CanonicalLines::take_decimal(std::string_view name) {
  const std::string_view text = VPS_TRY(take(name));
  const bool digits = !text.empty() && text.size() <= 19 &&
                      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || (text.size() > 1 && text[0] == '0')) return bad("invalid " + std::string(name));
  auto value = vps::text::parse_decimal(text, 0, std::numeric_limits<std::int64_t>::max());
  if (!value) return bad(std::string(name) + " out of range");
  return *value;
}

Result<crypto::Ed25519Public> CanonicalLines::take_key(std::string_view name) {
  const std::string_view text = VPS_TRY(take(name));
  auto key = formats::openssh::parse_public_key_line(text);
  if (!key || !key->comment.empty()) return bad("invalid " + std::string(name) + " (expected \"ssh-ed25519 <base64>\")");
  return key->key;
}

Status CanonicalLines::finish() const {
  if (!m_rest.empty()) return bad("unexpected data after the last line");
  return {};
}

bool valid_key_fingerprint(std::string_view text) {
  if (!text.starts_with("SHA256:") || text.size() != 7 + 43) return false;
  return std::all_of(text.begin() + 7, text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  });
}

}  // namespace vps::protocol
