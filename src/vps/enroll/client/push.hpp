#pragma once
// Uploading encrypted files for a host (vps-enroll push, rekey --push): one implementation.
// Each upload carries a manifest signed with the operator's key (protocol/bundle_manifest.hpp:
// host, host key, name, SHA-256, size, sequence): the host installs a bundle only when an
// operator in its own list signed it, so the endpoint cannot plant or roll back a secret.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <vps/base/result.hpp>
#include <vps/net/api/signed_client.hpp>

namespace vps::enroll::client {

struct BundleUpload {
  std::string name;     // the bundle name the host fetches
  std::string content;  // ciphertext (age or sops)
};

// Errc::usage unless name is a valid bundle name ([A-Za-z0-9][A-Za-z0-9._-]{0,127}).
Status check_bundle_name(std::string_view name);

// Uploads each bundle for host in order, after reading the host's key and last sequences from
// the endpoint; on_pushed sees the endpoint's answer for each as it succeeds. Stops at the first
// failure (earlier uploads stay). Returns the answers.
Result<std::vector<nlohmann::json>> push_bundles(net::api::SignedClient& client, std::string_view host,
                                                 std::vector<BundleUpload> uploads,
                                                 const std::function<void(const nlohmann::json&)>& on_pushed = {});

}  // namespace vps::enroll::client
