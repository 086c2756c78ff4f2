#include <vps/protocol/endpoint_origin.hpp>

#include <vps/base/text.hpp>

#include <algorithm>

namespace vps::protocol {

namespace {

bool valid_name(std::string_view host) {
  return !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

bool valid_ipv6(std::string_view host) {
  return host.size() >= 2 && host.size() <= 47 && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
  });
}

bool valid_port(std::string_view text) { return vps::text::parse_decimal(text, 1, 65535).has_value(); }

}  // namespace

bool valid_endpoint_origin(std::string_view origin) {
  if (origin.size() > k_max_endpoint_origin) return false;
  std::string_view rest;
  if (origin.starts_with("https://")) rest = origin.substr(8);
  else if (origin.starts_with("http://")) rest = origin.substr(7);
  else return false;
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || !valid_port(rest.substr(colon + 1))) return false;
  const std::string_view host = rest.substr(0, colon);
  if (host.starts_with('[')) return host.ends_with(']') && valid_ipv6(host.substr(1, host.size() - 2));
  return valid_name(host);
}

}  // namespace vps::protocol
