#include <vps/enroll/client/push.hpp>

#include <vps/base/base64.hpp>
#include <vps/base/clock.hpp>
#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/protocol/bundle_manifest.hpp>
#include <vps/protocol/operator_sequence.hpp>

namespace vps::enroll::client {

Status check_bundle_name(std::string_view name) {
  if (!protocol::valid_bundle_name(name))
    return fail(Errc::usage, "invalid bundle name '" + std::string(name) + "' (expected [A-Za-z0-9][A-Za-z0-9._-]{0,127})");
  return {};
}

Result<std::vector<nlohmann::json>> push_bundles(net::api::SignedClient& client, std::string_view host,
                                                 std::vector<BundleUpload> uploads,
                                                 const std::function<void(const nlohmann::json&)>& on_pushed) {
  const std::string host_path = VPS_TRY(client::host_path(host));
  for (const auto& upload : uploads) VPS_CHECK(check_bundle_name(upload.name));
  // The host's key (signed into each manifest) and the last sequence of each bundle name.
  auto info = VPS_TRY(client.call_json("GET", host_path));
  if (!info.contains("fingerprint") || !info["fingerprint"].is_string())
    return fail(Errc::malformed, "endpoint answered without the host's key fingerprint");
  const std::string host_key = info["fingerprint"].get<std::string>();
  auto last_sequence = [&info](const std::string& name) -> std::int64_t {
    if (!info.contains("bundles") || !info["bundles"].is_array()) return 0;
    for (const auto& b : info["bundles"])
      if (b.value("name", "") == name && b.contains("sequence") && b["sequence"].is_number_integer())
        return b["sequence"].get<std::int64_t>();
    return 0;
  };
  std::vector<nlohmann::json> results;
  for (auto& upload : uploads) {
    protocol::BundleManifest manifest;
    manifest.host = std::string(host);
    manifest.host_key = host_key;
    manifest.name = upload.name;
    manifest.sha256 = hex::encode(crypto::sha256(as_bytes(upload.content)));
    manifest.size = static_cast<std::int64_t>(upload.content.size());
    manifest.sequence = VPS_TRY(protocol::next_sequence(last_sequence(upload.name), clock::unix_millis(),
                                                        "push '" + upload.name + "'"));
    auto signed_manifest = VPS_TRY(protocol::sign_bundle_manifest(manifest, *client.key().signer));
    std::vector<net::http::Header> headers = {
        {std::string(protocol::k_header_bundle_manifest), base64::encode(as_bytes(signed_manifest.text))},
        {std::string(protocol::k_header_bundle_signature), base64::encode(signed_manifest.signature)}};
    auto response = VPS_TRY(client.send("PUT", host_path + "/bundles/" + upload.name, std::move(upload.content),
                                        "application/octet-stream", std::move(headers)));
    if (response.status != 201) return fail(response_error(response).context("push '" + upload.name + "'"));
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_discarded()) body = nlohmann::json{{"name", upload.name}};
    if (on_pushed) on_pushed(body);
    results.push_back(std::move(body));
  }
  return results;
}

}  // namespace vps::enroll::client
