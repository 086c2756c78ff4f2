#include <vps/host/delivery/endpoint_view.hpp>

#include <vps/base/text.hpp>
#include <vps/host/delivery/bundle_fetcher.hpp>
#include <vps/host/identity/hostname.hpp>
#include <vps/net/api/host_endpoint.hpp>

namespace vps::host::delivery {

Result<std::optional<nlohmann::json>> endpoint_view(const config::Config& config, const std::filesystem::path& root,
                                                    std::chrono::milliseconds timeout) {
  const std::string text = configured_endpoint(config);
  if (text.empty()) return std::optional<nlohmann::json>();
  auto endpoint = VPS_TRY(net::api::host_endpoint(config.enrollment, text, {timeout, 256 * 1024}));
  auto client = VPS_TRY(net::api::host_client(endpoint, config.identity.host_key));
  const std::string host = text::ascii_lower(identity::host_name(root));
  auto body = VPS_TRY(client.call_json("GET", "/v1/hosts/" + host + "/status"));
  body["endpoint"] = endpoint.url.to_string();
  return std::optional<nlohmann::json>(std::move(body));
}

}  // namespace vps::host::delivery
