#pragma once
// One-shot HTTP/1.1 client (Boost.Beast): one request per connection, every step under a
// deadline, the response bounded in size. HTTPS verifies the peer against the system CAs or a
// CA file, with SNI and host name (or IP address) verification. Plain http:// is allowed only
// to loopback unless the caller opts in, and that check runs before any packet is sent.
//
// Non-2xx responses are returned as values (the caller decides what a 503 means); errors are
// transport failures:
//   Errc::config     destination refused by policy (plain http to a remote host), bad CA file
//   Errc::retry      resolve failure, connection refused/reset/closed early, TLS handshake error
//   Errc::timeout    a deadline fired (message names the step)
//   Errc::integrity  TLS certificate verification failed (message gives OpenSSL's reason)
//   Errc::malformed  response not HTTP, or header/body over the limits

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/net/http/message.hpp>
#include <vps/net/http/url.hpp>

namespace vps::net::http {

struct ClientOptions {
  std::optional<std::filesystem::path> ca_file;      // PEM bundle; system CAs when absent
  bool allow_insecure = false;                       // plain http:// to any host
  bool allow_link_local_http = false;                // plain http:// to 169.254/16, fe80::/10 (metadata service)
  std::chrono::milliseconds connect_timeout{10000};  // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds io_timeout{15000};       // each of write and read
  std::chrono::milliseconds total_timeout{30000};    // the whole exchange
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::string user_agent = "vps-agent";
};

// The pre-connection policy check that send() applies; exposed so callers can validate
// configuration early (at startup) and tests can prove nothing is sent.
Status check_destination(const Url& url, const ClientOptions& options);

// Sends `request` (method, headers, body; target is taken from request.target) to url's host.
// Adds Host, User-Agent, Content-Length and "Connection: close".
Result<Response> send(const Url& url, const Request& request, const ClientOptions& options);

}  // namespace vps::net::http
