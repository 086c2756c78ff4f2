#include <vps/formats/sops/yaml_scalar.hpp>

#include <limits>

#include <vps/base/hex.hpp>
#include <vps/formats/sops/value.hpp>

namespace vps::formats::sops::yaml {
namespace {

bool any_of(std::string_view s, std::initializer_list<std::string_view> set) {
  for (auto v : set)
    if (s == v) return true;
  return false;
}

bool digits_in_base(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    auto d = hex::digit_value(c);
    if (!d || *d >= base) return false;
  }
  return true;
}

// Go strconv.ParseInt(s, 0, 64) after yaml.v3 removed underscores. 0: not an int; 1: int;
// 2: an integer that does not fit int64.
int parse_int_base0(std::string_view s, long long& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s.remove_prefix(2);
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, s.remove_prefix(2);
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) base = 8, s.remove_prefix(2);
  else if (s.size() > 1 && s[0] == '0') base = 8, s.remove_prefix(1);
  if (!digits_in_base(s, base)) return 0;
  unsigned __int128 value = 0;
  for (char c : s) {
    const int d = *hex::digit_value(c);  // digits_in_base checked every digit
    value = value * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (value > (static_cast<unsigned __int128>(1) << 64)) return 2;
  }
  const unsigned __int128 limit = static_cast<unsigned __int128>(1) << 63;
  if (negative ? value > limit : value >= limit) return 2;
  out = negative ? static_cast<long long>(-static_cast<__int128>(value)) : static_cast<long long>(value);
  return 1;
}

// yaml.v3's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yaml_style_float(std::string_view s) {
  std::size_t i = 0, n = s.size();
  auto digits = [&] {
    std::size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  } else {
    if (!digits()) return false;
    if (i < n && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

Result<std::uint32_t> hex_code(std::string_view text, std::size_t at, std::size_t width) {
  if (at + width > text.size() || !digits_in_base(text.substr(at, width), 16))
    return fail(Errc::malformed, "bad escape in double-quoted scalar");
  std::uint32_t cp = 0;
  for (char c : text.substr(at, width))
    cp = cp * 16 + static_cast<std::uint32_t>(*hex::digit_value(c));
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return fail(Errc::malformed, "bad code point in escape");
  return cp;
}

Result<SecretString> parse_double(std::string_view text, std::size_t& consumed) {
  SecretString out;
  for (std::size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      consumed = i + 1;
      return out;
    }
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= text.size()) break;
    switch (text[i]) {
      case '0': out.push_back('\0'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 't': case '\t': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'v': out.push_back('\v'); break;
      case 'f': out.push_back('\f'); break;
      case 'r': out.push_back('\r'); break;
      case 'e': out.push_back('\x1b'); break;
      case ' ': out.push_back(' '); break;
      case '"': out.push_back('"'); break;
      case '/': out.push_back('/'); break;
      case '\\': out.push_back('\\'); break;
      case 'N': append_utf8(out, 0x85); break;
      case '_': append_utf8(out, 0xA0); break;
      case 'L': append_utf8(out, 0x2028); break;
      case 'P': append_utf8(out, 0x2029); break;
      case 'x': append_utf8(out, VPS_TRY(hex_code(text, i + 1, 2))); i += 2; break;
      case 'u': append_utf8(out, VPS_TRY(hex_code(text, i + 1, 4))); i += 4; break;
      case 'U': append_utf8(out, VPS_TRY(hex_code(text, i + 1, 8))); i += 8; break;
      default: return fail(Errc::malformed, "unknown escape in double-quoted scalar");
    }
  }
  return fail(Errc::unsupported, "multi-line or unterminated double-quoted scalar");
}

// go-yaml v3 quotes these so that YAML 1.1 readers do not see timestamps, booleans or
// sexagesimal numbers in them.
bool looks_like_timestamp(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&](std::size_t min, std::size_t max) {
    std::size_t start = i;
    while (i < s.size() && i - start < max && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start >= min;
  };
  if (!digits(4, 4) || i >= s.size() || s[i++] != '-' || !digits(1, 2) || i >= s.size() || s[i++] != '-' ||
      !digits(1, 2))
    return false;
  return i == s.size() || s[i] == 'T' || s[i] == 't' || s[i] == ' ';
}

bool is_old_bool(std::string_view s) {
  return any_of(s, {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"});
}

bool is_base60(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty() || s[0] < '0' || s[0] > '9' || s.find(':') == std::string_view::npos) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '_' || c == ':' || c == '.')) return false;
  return true;
}

}  // namespace

Result<Node> resolve_plain(std::string_view s) {
  if (any_of(s, {"", "~", "null", "Null", "NULL"})) return Node();
  if (any_of(s, {"true", "True", "TRUE"})) return make_boolean(true);
  if (any_of(s, {"false", "False", "FALSE"})) return make_boolean(false);
  if (any_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return make_floating(std::numeric_limits<double>::infinity());
  if (any_of(s, {"-.inf", "-.Inf", "-.INF"})) return make_floating(-std::numeric_limits<double>::infinity());
  if (any_of(s, {".nan", ".NaN", ".NAN"})) return make_floating(std::numeric_limits<double>::quiet_NaN());
  char first = s[0];
  if (first == '+' || first == '-' || first == '.' || (first >= '0' && first <= '9')) {
    std::string plain;
    for (char c : s)
      if (c != '_') plain.push_back(c);
    long long value = 0;
    int parsed = parse_int_base0(plain, value);
    if (parsed == 1) return make_integer(value);
    if (parsed == 2) return fail(Errc::unsupported, "integer out of the 64-bit range");
    if (yaml_style_float(plain)) {
      auto f = parse_go_float(plain);
      if (f) return make_floating(*f);
    }
  }
  return Node::string(s);
}

Result<SecretString> parse_quoted(std::string_view text, std::size_t& consumed) {
  if (!text.empty() && text[0] == '"') return parse_double(text, consumed);
  SecretString out;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] != '\'') {
      out.push_back(text[i]);
    } else if (i + 1 < text.size() && text[i + 1] == '\'') {
      out.push_back('\'');
      ++i;
    } else {
      consumed = i + 1;
      return out;
    }
  }
  return fail(Errc::unsupported, "multi-line or unterminated single-quoted scalar");
}

bool plain_safe(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ' || s.back() == ':') return false;
  if (std::string_view("?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) return false;
  if (s.front() == '-' && (s.size() == 1 || s[1] == ' ' || s.substr(0, 3) == "---")) return false;
  if (s.substr(0, 3) == "...") return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  if (looks_like_timestamp(s) || is_old_bool(s) || is_base60(s)) return false;
  auto resolved = resolve_plain(s);
  return resolved && resolved->kind == Kind::string;
}

std::string double_quoted(std::string_view s) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out.push_back(k_hex[c >> 4]);
          out.push_back(k_hex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

SecretString scalar_text(const Node& node) {
  switch (node.kind) {
    case Kind::null: return "null";
    case Kind::boolean:
    case Kind::integer: return node.text;
    case Kind::floating: {
      auto value = parse_go_float(std::string_view(node.text.data(), node.text.size()));
      return SecretString(value ? format_float_yaml(*value) : std::string(node.text.begin(), node.text.end()));
    }
    default: {
      std::string_view text(node.text.data(), node.text.size());
      if (plain_safe(text)) return node.text;
      std::string quoted = double_quoted(text);
      SecretString out(quoted.begin(), quoted.end());
      sodium_memzero(quoted.data(), quoted.size());
      return out;
    }
  }
}

}  // namespace vps::formats::sops::yaml
