#pragma once
// The host's one way to reach the enrollment endpoint. publish, bundle delivery and the rebuild
// watcher all build their connection here, from config.yaml's enrollment section: the URL, the
// TLS settings (ca_file, allow_insecure_http) and the destination policy through the client
// construction the operator CLI shares (endpoint_client.hpp), the host key as the signer, and the
// retry policy (enrollment.retry, for net::http::retry and PollSchedule). Each caller says only
// how long one of its requests may take (a long poll outlasts its wait).

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string_view>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>
#include <vps/net/api/signed_client.hpp>
#include <vps/net/http/backoff.hpp>
#include <vps/net/http/client.hpp>
#include <vps/net/http/url.hpp>

namespace vps::net::api {

struct HostEndpoint {
  http::Url url;
  http::ClientOptions client;  // one request: connect, TLS, write, read
  http::BackoffPolicy retry;   // enrollment.retry: delays, attempt timeout, overall budget
};

struct RequestLimits {
  std::chrono::milliseconds request_timeout;  // the whole exchange, connect included
  std::size_t max_body_bytes = 1024 * 1024;
};

// `endpoint` is the URL to use (enrollment.endpoint, or user-data's for publish). Errc::config or
// the URL parser's error for a bad URL; the destination policy's error (plain http to a
// non-loopback host without allow_insecure_http) before anything is sent.
Result<HostEndpoint> host_endpoint(const config::Enrollment& enrollment, std::string_view endpoint,
                                   const RequestLimits& limits);

// Signs with the host key at `host_key` (Errc::missing before firstboot).
Result<SignedClient> host_client(const HostEndpoint& endpoint, const std::filesystem::path& host_key);

}  // namespace vps::net::api
