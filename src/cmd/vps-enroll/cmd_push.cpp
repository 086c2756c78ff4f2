// vps-enroll push HOST FILE...: upload files already encrypted for the host (age or sops) so
// the host can fetch them with its own key. Each upload carries a manifest signed with the
// operator's key (protocol/bundle_manifest.hpp: host, host key, name, SHA-256, size, sequence):
// the host installs a bundle only when an operator in its own list signed it, so the endpoint
// cannot plant or roll back a secret. Only ciphertext is accepted by the endpoint.
#include <cstdio>

#include <vps/base/clock.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/enroll/routes/names.hpp>
#include <vps/base/base64.hpp>
#include <vps/base/hex.hpp>
#include <vps/cli/registry.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/protocol/bundle_manifest.hpp>
#include <vps/protocol/operator_sequence.hpp>

namespace {

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string host;
  std::vector<std::string> files;
  std::string name;  // only with one file
};

vps::Result<int> run_push(const Options& o) {
  const std::string base = VPS_TRY(vps::enroll::client::host_path(o.host)) + "/bundles/";
  if (!o.name.empty() && o.files.size() != 1) return vps::fail(vps::Errc::usage, "--name needs exactly one FILE");
  // Check every name and read every file before sending anything: all or nothing locally.
  std::vector<std::pair<std::string, std::string>> uploads;
  for (const auto& file : o.files) {
    const std::string name = o.name.empty() ? std::filesystem::path(file).filename().string() : o.name;
    if (!vps::protocol::valid_bundle_name(name)) {
      return vps::fail(vps::Errc::usage, "invalid bundle name '" + name + "' (expected [A-Za-z0-9][A-Za-z0-9._-]{0,127})");
    }
    auto bytes = VPS_TRY(vps::sys::read_file(file, 256 * 1024 * 1024));
    uploads.emplace_back(name, std::string(bytes.begin(), bytes.end()));
  }
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  // The host's key (signed into each manifest) and the last sequence of each bundle name.
  const std::string host_path = VPS_TRY(vps::enroll::client::host_path(o.host));
  auto host = VPS_TRY(client.call_json("GET", host_path));
  if (!host.contains("fingerprint") || !host["fingerprint"].is_string())
    return vps::fail(vps::Errc::malformed, "endpoint answered without the host's key fingerprint");
  const std::string host_key = host["fingerprint"].get<std::string>();
  auto last_sequence = [&](const std::string& name) -> std::int64_t {
    if (!host.contains("bundles") || !host["bundles"].is_array()) return 0;
    for (const auto& b : host["bundles"])
      if (b.value("name", "") == name && b.contains("sequence") && b["sequence"].is_number_integer())
        return b["sequence"].get<std::int64_t>();
    return 0;
  };
  nlohmann::json results = nlohmann::json::array();
  for (auto& [name, content] : uploads) {
    vps::protocol::BundleManifest manifest;
    manifest.host = o.host;
    manifest.host_key = host_key;
    manifest.name = name;
    manifest.sha256 = vps::hex::encode(vps::crypto::sha256(vps::as_bytes(content)));
    manifest.size = static_cast<std::int64_t>(content.size());
    manifest.sequence = VPS_TRY(vps::protocol::next_sequence(last_sequence(name), vps::clock::unix_millis(),
                                                             "push '" + name + "'"));
    auto signed_manifest = VPS_TRY(vps::protocol::sign_bundle_manifest(manifest, *client.key().signer));
    std::vector<vps::net::http::Header> headers = {
        {std::string(vps::protocol::k_header_bundle_manifest), vps::base64::encode(vps::as_bytes(signed_manifest.text))},
        {std::string(vps::protocol::k_header_bundle_signature), vps::base64::encode(signed_manifest.signature)}};
    auto response = VPS_TRY(client.send("PUT", base + name, std::move(content), "application/octet-stream", std::move(headers)));
    if (response.status != 201) return vps::fail(vps::enroll::client::response_error(response).context("push '" + name + "'"));
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (!o.common.json) {
      std::printf("pushed %s to %s (%lld bytes, sha256 %s)\n", name.c_str(), o.host.c_str(),
                  static_cast<long long>(body.value("size", std::int64_t{0})), vps::enroll::client::shown(body, "sha256").c_str());
    }
    results.push_back(std::move(body));
  }
  if (o.common.json) return vps::enroll::client::print_json(nlohmann::json{{"host", o.host}, {"bundles", results}});
  return 0;
}

const bool registered = vps::cli::register_command(26, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "push", "Upload encrypted files (age or sops) for a host to fetch",
                                    [o] { return run_push(*o); });
  sub->add_option("HOST", o->host, "Host name")->required();
  sub->add_option("FILE", o->files, "Encrypted files; each is stored under its file name")->required();
  sub->add_option("--name", o->name, "Store the single FILE under this name")->option_text("NAME");
  vps::enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
