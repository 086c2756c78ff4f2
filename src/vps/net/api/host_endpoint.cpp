#include <vps/net/api/host_endpoint.hpp>

#include <string>

#include <vps/net/api/endpoint_client.hpp>

namespace vps::net::api {

Result<HostEndpoint> host_endpoint(const config::Enrollment& enrollment, std::string_view endpoint,
                                   const RequestLimits& limits) {
  HostEndpoint out;
  auto url = http::parse_url(std::string(endpoint));
  if (!url) return fail(std::move(url).error().context("enrollment endpoint"));
  out.url = std::move(*url);
  ClientSettings settings;
  settings.allow_insecure_http = enrollment.allow_insecure_http;
  if (!enrollment.ca_file.empty()) settings.ca_file = enrollment.ca_file;
  settings.request_timeout = limits.request_timeout;
  settings.max_body_bytes = limits.max_body_bytes;
  settings.user_agent = "vps-agent/" VPS_VERSION;
  // Policy check before any traffic (metadata lookups included) leaves the host.
  auto client = client_options(out.url, settings);
  if (!client) return fail(std::move(client).error().context("enrollment endpoint"));
  out.client = std::move(*client);
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
  // The options were built (and the destination checked) by client_options in host_endpoint.
  return SignedClient(endpoint.url, std::move(*key), endpoint.client);
}

}  // namespace vps::net::api
