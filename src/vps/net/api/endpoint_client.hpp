#pragma once
// The one place a client for the enrollment endpoint is put together, for the agent (publish,
// bundle delivery, the rebuild watcher: host_endpoint.hpp, from config.yaml) and the operator
// CLI (enroll/client/operator_options.hpp, from its options): TLS verification against the
// system CAs or a CA file, plain http only to loopback unless allowed, the destination policy
// checked before any traffic, the timeouts of one request, the signer. Retrying is the caller's
// business and goes through net::http::retry (retry.hpp).

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/net/api/signed_client.hpp>
#include <vps/net/http/client.hpp>
#include <vps/net/http/url.hpp>

namespace vps::net::api {

struct ClientSettings {
  std::optional<std::filesystem::path> ca_file;  // PEM bundle; the system CAs when absent
  bool allow_insecure_http = false;              // plain http:// to a non-loopback host
  // The whole exchange, connect included; also each read and write (a long poll's answer comes
  // late). Connecting may take at most 10 s of it.
  std::chrono::milliseconds request_timeout{30000};
  std::size_t max_body_bytes = 1024 * 1024;
  std::string user_agent;
};

// One request's client options for `url`; the destination policy's error (Errc::config: plain
// http to a non-loopback host without allow_insecure_http) before anything is sent.
Result<http::ClientOptions> client_options(const http::Url& url, const ClientSettings& settings);

// client_options, then a client signing with `key`.
Result<SignedClient> endpoint_client(const http::Url& url, const ClientSettings& settings, SigningKey key);

}  // namespace vps::net::api
