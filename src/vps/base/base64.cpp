#include <vps/base/base64.hpp>

#include <sodium.h>

namespace vps::base64 {
namespace {

int variant(Padding padding) {
  return padding == Padding::required ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}

// libsodium's decoder is strict in exactly the way age needs (no whitespace, exact padding,
// trailing bits zero) and constant-time over the data; what is left here is saying why a text
// was refused without echoing it.
std::string refusal(std::string_view text, std::size_t stopped_at, Padding padding) {
  if (stopped_at < text.size()) {
    if (text[stopped_at] == '=') return "invalid base64: unexpected padding";
    return "invalid base64: character outside the alphabet at offset " + std::to_string(stopped_at);
  }
  if (padding == Padding::required && text.size() % 4 != 0) return "invalid base64: length is not a multiple of 4";
  if (text.size() % 4 == 1) return "invalid base64: truncated input";
  return "invalid base64: non-canonical encoding (wrong padding or trailing bits set)";
}

template <class Out>
Result<Out> decode_into(std::string_view text, Padding padding) {
  Out out(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  const char* end = nullptr;
  const int rc = sodium_base642bin(out.data(), out.size(), text.data(), text.size(), /*ignore=*/nullptr, &length,
                                   &end, variant(padding));
  const auto stopped_at = end ? static_cast<std::size_t>(end - text.data()) : text.size();
  if (rc != 0 || stopped_at != text.size()) return fail(Errc::malformed, refusal(text, stopped_at, padding));
  out.resize(length);
  return out;
}

}  // namespace

std::string encode(ByteView data, Padding padding) {
  const int v = variant(padding);
  std::string out(sodium_base64_encoded_len(data.size(), v), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), v);
  out.pop_back();  // the terminating NUL libsodium writes
  return out;
}

Result<Bytes> decode(std::string_view text, Padding padding) { return decode_into<Bytes>(text, padding); }

Result<SecretBytes> decode_secret(std::string_view text, Padding padding) {
  return decode_into<SecretBytes>(text, padding);
}

}  // namespace vps::base64
