#include <vps/enroll/routes/query.hpp>

#include <algorithm>
#include <charconv>

namespace vps::enroll::routes {

namespace {

constexpr std::size_t k_max_query = 512;
constexpr std::size_t k_max_value = 128;

bool value_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

std::string list(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out.empty() ? "none" : out;
}

}  // namespace

tl::expected<Query, std::string> parse_query(std::string_view text, std::initializer_list<std::string_view> allowed) {
  using Unexpected = tl::unexpected<std::string>;
  if (allowed.size() == 0) return Unexpected("this path takes no query string");
  if (text.size() > k_max_query) return Unexpected("query string longer than 512 bytes");
  Query query;
  while (true) {
    const std::size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Unexpected("expected key=value pairs joined by '&' (this path accepts: " + list(allowed) + ")");
    }
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = pair.substr(eq + 1);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      const std::string shown = std::all_of(key.begin(), key.end(), value_char) ? std::string(key) : "?";
      return Unexpected("unknown query parameter '" + shown + "' (this path accepts: " + list(allowed) + ")");
    }
    if (value.empty() || value.size() > k_max_value || !std::all_of(value.begin(), value.end(), value_char)) {
      return Unexpected("invalid value for '" + std::string(key) + "' (1-128 characters of A-Z a-z 0-9 . _ -)");
    }
    if (!query.emplace(std::string(key), std::string(value)).second) {
      return Unexpected("query parameter '" + std::string(key) + "' given twice");
    }
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return query;
}

}  // namespace vps::enroll::routes
