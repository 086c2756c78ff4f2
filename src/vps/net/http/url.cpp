#include <vps/base/text.hpp>
#include <vps/net/http/url.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <optional>

namespace vps::net::http {

namespace {

Result<Url> invalid(std::string_view text, std::string_view reason) {
  return fail(Errc::config, "invalid url '" + std::string(text) + "': " + std::string(reason));
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// RFC 3986 unreserved + sub-delims subset safe in a path; no '%', '?', '#', spaces or controls.
bool is_path_char(char c) {
  return is_name_char(c) || c == '_' || c == '~' || c == '/' || c == ':' || c == '@' || c == '!' || c == '$' ||
         c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=';
}

std::optional<boost::asio::ip::address> as_ip(std::string_view host) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace

bool Url::host_is_ipv6() const { return host.find(':') != std::string::npos; }
bool Url::host_is_ip() const { return as_ip(host).has_value(); }

std::string Url::authority() const {
  std::string out = host_is_ipv6() ? "[" + host + "]" : host;
  const bool default_port = (tls() && port == 443) || (!tls() && port == 80);
  if (!default_port) out += ":" + std::to_string(port);
  return out;
}

std::string Url::origin() const {
  return scheme + "://" + (host_is_ipv6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Url::to_string() const { return scheme + "://" + authority() + path; }

std::string Url::target(std::string_view suffix) const {
  std::string out = path + std::string(suffix);
  return out.empty() ? "/" : out;
}

Result<Url> parse_url(std::string_view text) {
  if (text.size() > k_max_url_length) return fail(Errc::config, "invalid url: longer than 2048 characters");
  Url url;
  std::string_view rest;
  if (text.starts_with("https://")) {
    url.scheme = "https";
    url.port = 443;
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    url.scheme = "http";
    url.port = 80;
    rest = text.substr(7);
  } else {
    return invalid(text, "scheme must be http:// or https://");
  }
  const auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) return invalid(text, "user info is not allowed");

  std::string_view host;
  std::string_view port;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid(text, "unterminated '[' in host");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return invalid(text, "unexpected characters after ']'");
      port = after.substr(1);
    }
    auto ip = as_ip(host);
    if (!ip || !ip->is_v6()) return invalid(text, "bracketed host is not an IPv6 address");
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (host.empty()) return invalid(text, "empty host");
    if (host.size() > 253 || !std::all_of(host.begin(), host.end(), is_name_char) || host.front() == '.' ||
        host.front() == '-' || host.find("..") != std::string_view::npos) {
      return invalid(text, "host is not a valid name or IPv4 address");
    }
  }
  if (authority.find(':') != std::string_view::npos && !authority.starts_with("[") && port.empty()) {
    return invalid(text, "empty port");
  }
  if (!port.empty()) {
    auto value = vps::text::parse_decimal(port, 1, 65535);
    if (!value) return invalid(text, "port must be a number from 1 to 65535");
    url.port = static_cast<std::uint16_t>(*value);
  }
  if (!std::all_of(path.begin(), path.end(), is_path_char)) {
    return invalid(text, "path may not contain queries, fragments, '%', spaces or control characters");
  }
  if (path.find("//") != std::string_view::npos || path.find("/./") != std::string_view::npos ||
      path.find("/../") != std::string_view::npos || path.ends_with("/.") || path.ends_with("/..")) {
    return invalid(text, "path has empty, '.' or '..' segments");
  }
  while (path.ends_with("/")) path.remove_suffix(1);
  url.host = text::ascii_lower(std::string(host));
  url.path = std::string(path);
  return url;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  auto ip = as_ip(host);
  if (!ip) return false;
  if (ip->is_v6() && ip->to_v6().is_v4_mapped()) return ip->to_v6().to_v4().is_loopback();  // ::ffff:127.0.0.1
  return ip->is_loopback();
}

bool is_link_local_host(std::string_view host) {
  auto ip = as_ip(host);
  if (!ip) return false;
  if (ip->is_v4()) return (ip->to_v4().to_uint() & 0xFFFF0000u) == 0xA9FE0000u;  // 169.254.0.0/16
  return ip->to_v6().is_link_local();
}

}  // namespace vps::net::http
