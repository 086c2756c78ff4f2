#pragma once
// Configuration of `vps-enroll serve` (default /etc/vps-enroll/serve.yaml, every key optional):
//
//   listen: 127.0.0.1          # address; plain HTTP is only allowed on loopback
//   port: 8443
//   tls_cert: /etc/vps-enroll/tls/cert.pem   # both or neither; required off loopback
//   tls_key: /etc/vps-enroll/tls/key.pem
//   database: /var/lib/vps-enroll/enroll.db
//   operators: /etc/vps-enroll/operators     # authorized_keys format, named; re-read when it changes
//   endpoint_urls: [https://enroll.example.org]   # the URLs clients use to reach this endpoint;
//                                           # signed requests and publications must name one of
//                                           # them (required off loopback; on loopback default:
//                                           # the listen address and localhost with the bound port)
//   auto_approve_with_token: true
//   max_skew_seconds: 300
//   audit_retention_days: 365               # older audit entries are pruned hourly
//   # Unauthenticated publications (POST /v1/enrollments); a pending key waits for an operator:
//   max_pending: 10000                      # pending keys held at once, else 503
//   max_pending_per_address: 100            # of those from one source (IPv6: a /64), else 429
//   pending_expiry_days: 7                  # pending keys not published again for this long go
//   publish_rate_per_minute: 30             # per source and endpoint process (token bucket), else 429
//   publish_burst: 30
//   max_body_bytes: 1048576
//   first_byte_timeout_seconds: 10   # new connection: TLS handshake and first request byte
//   header_timeout_seconds: 10       # a request's first byte to the end of its header
//   request_timeout_seconds: 30      # a request's first byte to the end of its body; a response
//   idle_timeout_seconds: 60         # kept-alive connection between requests
//   max_connections: 2048            # in all; a new one replaces the longest-idle one when full
//   max_connections_per_address: 32  # from one source address (behind a proxy: the proxy's)
//
// Unknown keys are refused (a typo must not silently keep a default).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <vps/enroll/routes/api.hpp>
#include <vps/base/result.hpp>
#include <vps/net/http/server.hpp>

namespace vps::enroll::server {

inline constexpr std::string_view k_default_config = "/etc/vps-enroll/serve.yaml";

struct ServeConfig {
  net::http::ServerOptions http;  // address, port, TLS files, limits, timeouts
  std::vector<std::string> endpoint_urls;  // as configured; their origins go to policy.auth.endpoints
  std::filesystem::path database = "/var/lib/vps-enroll/enroll.db";
  std::filesystem::path operators = "/etc/vps-enroll/operators";
  routes::Policy policy;

  ServeConfig() { http.port = 8443; }
};

// Errc::config naming source and key.
Result<ServeConfig> parse_serve_config(std::string_view yaml, std::string_view source_name, ServeConfig base = {});

// Plain HTTP only on loopback; TLS needs both files; endpoint_urls parse, use the server's
// scheme, and are required off loopback. Errc::config.
Status validate(const ServeConfig& config);

// The origins clients may sign for: those of endpoint_urls, or (none configured, loopback)
// the listen address and "localhost" with the bound port.
Result<std::vector<std::string>> endpoint_origins(const ServeConfig& config, std::uint16_t bound_port);

}  // namespace vps::enroll::server
