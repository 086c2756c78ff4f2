#include <vps/formats/sops/value.hpp>

#include <charconv>
#include <cmath>
#include <limits>

#include <vps/base/base64.hpp>
#include <vps/base/text.hpp>
#include <vps/crypto/aes_gcm.hpp>
#include <vps/crypto/random.hpp>

namespace vps::formats::sops {
namespace {

constexpr std::string_view k_prefix = "ENC[AES256_GCM,";
constexpr std::size_t k_max_value_size = 8 * 1024 * 1024;

// Takes "<name>:<b64>" up to the next ',' (or the end) and decodes it.
Result<Bytes> take_field(std::string_view& rest, std::string_view name, bool last) {
  if (rest.substr(0, name.size()) != name || rest.size() <= name.size() || rest[name.size()] != ':')
    return fail(Errc::malformed, "invalid encrypted value: expected '" + std::string(name) + ":'");
  rest.remove_prefix(name.size() + 1);
  std::size_t end = last ? rest.size() : rest.find(',');
  if (end == std::string_view::npos) return fail(Errc::malformed, "invalid encrypted value: truncated");
  std::string_view field = rest.substr(0, end);
  rest.remove_prefix(last ? end : end + 1);
  if (field.empty()) return fail(Errc::malformed, "invalid encrypted value: empty " + std::string(name));
  auto decoded = base64::decode(field);
  if (!decoded) return fail(Errc::malformed, "invalid encrypted value: " + std::string(name) + ": " + decoded.error().message);
  return decoded;
}

std::string_view type_for(Kind kind) {
  switch (kind) {
    case Kind::integer: return "int";
    case Kind::floating: return "float";
    case Kind::boolean: return "bool";
    case Kind::comment: return "comment";
    default: return "str";
  }
}

bool equal_fold(std::string_view a, std::string_view b) {
  return vps::text::equal_ignore_case(a, b);
}

std::string to_chars_string(double value, std::chars_format format) {
  char buffer[400];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, format);
  return std::string(buffer, result.ptr);
}

Result<Node> typed_node(std::string_view type, SecretString plain) {
  if (type == "str") return Node(Kind::string, std::string_view(plain.data(), plain.size()));
  if (type == "bytes") return Node(Kind::bytes, std::string_view(plain.data(), plain.size()));
  if (type == "comment") return Node(Kind::comment, std::string_view(plain.data(), plain.size()));
  std::string_view text(plain.data(), plain.size());
  if (type == "int" || type == "int64") {
    auto value = parse_go_int(text);
    if (!value) return fail(value.error());
    return make_integer(*value);
  }
  if (type == "float") {
    auto value = parse_go_float(text);
    if (!value) return fail(value.error());
    return make_floating(*value);
  }
  if (type == "bool") {
    auto value = parse_go_bool(text);
    if (!value) return fail(value.error());
    return make_boolean(*value);
  }
  return fail(Errc::malformed, "invalid encrypted value: unknown type '" + std::string(type) + "'");
}

}  // namespace

bool looks_encrypted(std::string_view text) { return text.substr(0, 4) == "ENC["; }

Result<EncryptedValue> parse_encrypted(std::string_view text) {
  if (text.size() > k_max_value_size) return fail(Errc::malformed, "invalid encrypted value: too large");
  if (text.substr(0, k_prefix.size()) != k_prefix)
    return fail(Errc::malformed, "invalid encrypted value: expected 'ENC[AES256_GCM,'");
  if (text.back() != ']') return fail(Errc::malformed, "invalid encrypted value: missing ']'");
  std::string_view rest = text.substr(k_prefix.size(), text.size() - k_prefix.size() - 1);
  EncryptedValue value;
  value.data = VPS_TRY(take_field(rest, "data", false));
  value.iv = VPS_TRY(take_field(rest, "iv", false));
  value.tag = VPS_TRY(take_field(rest, "tag", false));
  if (rest.substr(0, 5) != "type:") return fail(Errc::malformed, "invalid encrypted value: expected 'type:'");
  value.type = std::string(rest.substr(5));
  if (value.type.empty() || value.type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos)
    return fail(Errc::malformed, "invalid encrypted value: bad type");
  if (value.tag.size() != crypto::aes256gcm::k_tag_size)
    return fail(Errc::malformed, "invalid encrypted value: tag must be 16 bytes");
  if (value.iv.empty() || value.iv.size() > crypto::aes256gcm::k_max_iv_size)
    return fail(Errc::malformed, "invalid encrypted value: bad iv size");
  return value;
}

std::string format_encrypted(const EncryptedValue& value) {
  return std::string(k_prefix) + "data:" + base64::encode(value.data) + ",iv:" + base64::encode(value.iv) +
         ",tag:" + base64::encode(value.tag) + ",type:" + value.type + "]";
}

SecretString plaintext_bytes(const Node& scalar) {
  if (scalar.kind == Kind::boolean) return SecretString(scalar.text == "true" ? "True" : "False");
  return scalar.text;
}

Result<Node> decrypt_value(std::string_view text, ByteView key, std::string_view aad) {
  if (text.empty()) return Node::string("");
  auto parsed = VPS_TRY(parse_encrypted(text));
  SecretBytes plain(parsed.data.size());
  VPS_CHECK(crypto::aes256gcm::open(key, parsed.iv, parsed.data, parsed.tag, as_bytes(aad), plain));
  SecretString plain_text(plain.begin(), plain.end());
  return typed_node(parsed.type, std::move(plain_text));
}

Result<std::string> encrypt_value_with_iv(const Node& scalar, ByteView key, std::string_view aad, ByteView iv) {
  if (!scalar.is_scalar() || scalar.kind == Kind::null)
    return fail(Errc::internal, "encrypting a non-scalar value");
  if ((scalar.kind == Kind::string || scalar.kind == Kind::comment || scalar.kind == Kind::bytes) &&
      scalar.text.empty())
    return std::string();
  SecretString plain = plaintext_bytes(scalar);
  EncryptedValue out;
  out.iv.assign(iv.begin(), iv.end());
  out.data.resize(plain.size());
  out.tag.resize(crypto::aes256gcm::k_tag_size);
  crypto::aes256gcm::seal(key, iv, as_bytes(std::string_view(plain.data(), plain.size())), as_bytes(aad), out.data,
                          std::span<std::uint8_t, crypto::aes256gcm::k_tag_size>(out.tag.data(), 16));
  out.type = std::string(type_for(scalar.kind));
  return format_encrypted(out);
}

Result<std::string> encrypt_value(const Node& scalar, ByteView key, std::string_view aad) {
  std::uint8_t iv[k_iv_size];
  crypto::random_bytes(iv);
  return encrypt_value_with_iv(scalar, key, aad, ByteView(iv, k_iv_size));
}

std::string format_float_fixed(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return to_chars_string(value, std::chars_format::fixed);
}

std::string format_float_yaml(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  // Go 'g' shortest: %e when the decimal exponent is < -4 or >= 6 (eprec 6 for shortest).
  int exponent = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  std::string sci = to_chars_string(value, std::chars_format::scientific);
  auto e = sci.find('e');
  if (e != std::string::npos) exponent = std::stoi(sci.substr(e + 1));
  if (exponent < -4 || exponent >= 6) return sci;
  return to_chars_string(value, std::chars_format::fixed);
}

std::string format_float_json(double value) {
  if (!std::isfinite(value)) return "null";  // JSON has no NaN/Inf; encoding/json refuses them
  double magnitude = std::fabs(value);
  if (magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21)) {
    std::string sci = to_chars_string(value, std::chars_format::scientific);
    auto n = sci.size();  // encoding/json shortens e-09 to e-9
    if (n >= 4 && sci[n - 4] == 'e' && sci[n - 3] == '-' && sci[n - 2] == '0') sci.erase(n - 2, 1);
    return sci;
  }
  return to_chars_string(value, std::chars_format::fixed);
}

Result<double> parse_go_float(std::string_view text) {
  std::string_view body = text;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (equal_fold(body, "inf") || equal_fold(body, "infinity"))
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (equal_fold(body, "nan") && text.size() == 3) return std::numeric_limits<double>::quiet_NaN();
  if (body.empty() || !((body[0] >= '0' && body[0] <= '9') || body[0] == '.'))
    return fail(Errc::malformed, "invalid float value");
  double value = 0;
  auto result = std::from_chars(body.data(), body.data() + body.size(), value, std::chars_format::general);
  if (result.ec != std::errc() || result.ptr != body.data() + body.size())
    return fail(Errc::malformed, "invalid float value");
  return negative ? -value : value;
}

Result<bool> parse_go_bool(std::string_view text) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"})
    if (text == t) return true;
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"})
    if (text == f) return false;
  return fail(Errc::malformed, "invalid boolean value");
}

Result<long long> parse_go_int(std::string_view text) {
  std::string_view body = text;
  bool plus = !body.empty() && body[0] == '+';
  if (plus) body.remove_prefix(1);
  if (body.empty() || body[0] == '+') return fail(Errc::malformed, "invalid integer value");
  long long value = 0;
  auto result = std::from_chars(body.data(), body.data() + body.size(), value, 10);
  if (result.ec != std::errc() || result.ptr != body.data() + body.size())
    return fail(Errc::malformed, "invalid integer value");
  return value;
}

Node make_integer(long long value) { return Node(Kind::integer, std::to_string(value)); }
Node make_floating(double value) { return Node(Kind::floating, format_float_fixed(value)); }
Node make_boolean(bool value) { return Node(Kind::boolean, value ? "true" : "false"); }

void append_utf8(SecretString& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace vps::formats::sops
