#pragma once
// Absolute http(s) URLs as they appear in configuration (endpoint, metadata base URL). The
// parser is deliberately narrow: no user info, no fragment, no query, no percent-decoding;
// anything outside that is rejected, never repaired, so a URL means one thing.

#include <cstdint>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>

namespace vps::net::http {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-cased name, dotted IPv4, or IPv6 without brackets
  std::uint16_t port = 0;
  std::string path;  // "" or "/..." without a trailing "/"

  bool tls() const { return scheme == "https"; }
  bool host_is_ipv6() const;
  bool host_is_ip() const;
  // Host header / authority: "[::1]:8080", "example.org" (default port omitted).
  std::string authority() const;
  // "https://enroll.example.org:443": the port always explicit, what signed requests and
  // publications name as their endpoint (protocol/endpoint_origin.hpp).
  std::string origin() const;
  std::string to_string() const;
  // Request target for `suffix` ("/v1/enrollments") under this URL's path.
  std::string target(std::string_view suffix) const;
};

inline constexpr std::size_t k_max_url_length = 2048;

// Errc::config with "invalid url '...': <reason>" (URLs are configuration, never secret).
Result<Url> parse_url(std::string_view text);

// 127.0.0.0/8, ::1, "localhost" (resolved to loopback only; see client.hpp).
bool is_loopback_host(std::string_view host);
// 169.254.0.0/16 and fe80::/10: the Linode metadata service's addresses, never routed.
bool is_link_local_host(std::string_view host);

}  // namespace vps::net::http
