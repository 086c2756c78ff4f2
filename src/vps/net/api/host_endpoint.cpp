#include <vps/net/api/host_endpoint.hpp>

#include <algorithm>
#include <string>

namespace vps::net::api {

Result<HostEndpoint> host_endpoint(const config::Enrollment& enrollment, std::string_view endpoint,
                                   const RequestLimits& limits) {
  HostEndpoint out;
  auto url = http::parse_url(std::string(endpoint));
  if (!url) return fail(std::move(url).error().context("enrollment endpoint"));
  out.url = std::move(*url);
  out.client.allow_insecure = enrollment.allow_insecure_http;
  if (!enrollment.ca_file.empty()) out.client.ca_file = enrollment.ca_file;
  out.client.total_timeout = limits.request_timeout;
  out.client.io_timeout = limits.request_timeout;
  out.client.connect_timeout = std::min(limits.request_timeout, std::chrono::milliseconds(10000));
  out.client.max_body_bytes = limits.max_body_bytes;
  out.client.user_agent = "vps-agent/" VPS_VERSION;
  // Policy check before any traffic (metadata lookups included) leaves the host.
  if (auto allowed = http::check_destination(out.url, out.client); !allowed) {
    return fail(std::move(allowed).error().context("enrollment endpoint"));
  }
  const auto& retry = enrollment.retry;
  out.retry.initial_delay = retry.initial_delay;
  out.retry.max_delay = retry.max_delay;
  out.retry.attempt_timeout = retry.attempt_timeout;
  out.retry.overall = retry.overall_timeout;
  return out;
}

Result<SignedClient> host_client(const HostEndpoint& endpoint, const std::filesystem::path& host_key) {
  auto key = load_signing_key(host_key);
  if (!key) return fail(std::move(key).error().context("host key for signed requests"));
  return SignedClient(endpoint.url, std::move(*key), endpoint.client);
}

}  // namespace vps::net::api
