#include <vps/net/api/endpoint_client.hpp>

#include <algorithm>

namespace vps::net::api {

namespace {
constexpr std::chrono::milliseconds k_max_connect{10000};
}  // namespace

Result<http::ClientOptions> client_options(const http::Url& url, const ClientSettings& settings) {
  http::ClientOptions options;
  options.ca_file = settings.ca_file;
  options.allow_insecure = settings.allow_insecure_http;
  options.total_timeout = settings.request_timeout;
  options.io_timeout = settings.request_timeout;
  options.connect_timeout = std::min(settings.request_timeout, k_max_connect);
  options.max_body_bytes = settings.max_body_bytes;
  options.user_agent = settings.user_agent;
  VPS_CHECK(http::check_destination(url, options));
  return options;
}

Result<SignedClient> endpoint_client(const http::Url& url, const ClientSettings& settings, SigningKey key) {
  auto options = VPS_TRY(client_options(url, settings));
  return SignedClient(url, std::move(key), std::move(options));
}

}  // namespace vps::net::api
