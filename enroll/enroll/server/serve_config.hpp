#pragma once
// Configuration of `vps-enroll serve` (default /etc/vps-enroll/serve.yaml, every key optional):
//
//   listen: 127.0.0.1          # address; plain HTTP is only allowed on loopback
//   port: 8443
//   tls_cert: /etc/vps-enroll/tls/cert.pem   # both or neither; required off loopback
//   tls_key: /etc/vps-enroll/tls/key.pem
//   database: /var/lib/vps-enroll/enroll.db
//   operators: /etc/vps-enroll/operators     # authorized_keys format, named
//   auto_approve_with_token: true
//   max_skew_seconds: 300
//   audit_retention_days: 365               # older audit entries are pruned hourly
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

#include <enroll/routes/api.hpp>
#include <vps/base/result.hpp>
#include <vps/net/http/server.hpp>

namespace vps::enroll::server {

inline constexpr std::string_view k_default_config = "/etc/vps-enroll/serve.yaml";

struct ServeConfig {
  net::http::ServerOptions http;  // address, port, TLS files, limits, timeouts
  std::filesystem::path database = "/var/lib/vps-enroll/enroll.db";
  std::filesystem::path operators = "/etc/vps-enroll/operators";
  routes::Policy policy;

  ServeConfig() { http.port = 8443; }
};

// Errc::config naming source and key.
Result<ServeConfig> parse_serve_config(std::string_view yaml, std::string_view source_name, ServeConfig base = {});

// Plain HTTP only on loopback; TLS needs both files. Errc::config.
Status validate(const ServeConfig& config);

}  // namespace vps::enroll::server
