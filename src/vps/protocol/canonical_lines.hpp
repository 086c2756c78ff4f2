#pragma once
// The grammar shared by the operator-signed objects (rebuild requests, bundle manifests): a
// first line naming the object and its version, then "<name>: <value>" lines in a fixed order,
// each ending in "\n", nothing else. Parsers take the lines off the front one by one and, at
// the end, compare the text with the canonical text of what they parsed, so one object has
// exactly one byte form (what was signed is what is read).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::protocol {

class CanonicalLines {
 public:
  // `what` names the object in errors ("rebuild request"); text must start with `domain` "\n".
  static Result<CanonicalLines> open(std::string_view text, std::string_view domain, std::string_view what,
                                     std::size_t max_bytes);

  // The value of the next line, which must be "<name>: <value>"; Errc::malformed otherwise.
  Result<std::string_view> take(std::string_view name);
  // Decimal 0..2^63-1 without sign or leading zeros.
  Result<std::int64_t> take_decimal(std::string_view name);
  // "ssh-ed25519 <base64>" without comment.
  Result<crypto::Ed25519Public> take_key(std::string_view name);
  // Errc::malformed unless every line was taken.
  Status finish() const;

  tl::unexpected<Error> bad(std::string_view why) const;

 private:
  CanonicalLines(std::string_view rest, std::string what) : m_rest(rest), m_what(std::move(what)) {}
  std::string_view m_rest;
  std::string m_what;
};

// "SHA256:" + 43 characters of unpadded base64: a key fingerprint as ssh-keygen prints it.
bool valid_key_fingerprint(std::string_view text);

}  // namespace vps::protocol
