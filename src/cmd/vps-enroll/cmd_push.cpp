// vps-enroll push HOST FILE...: upload files already encrypted for the host (age or sops) so
// the host can fetch them with its own key. Each upload carries a manifest signed with the
// operator's key (protocol/bundle_manifest.hpp: host, host key, name, SHA-256, size, sequence):
// the host installs a bundle only when an operator in its own list signed it, so the endpoint
// cannot plant or roll back a secret. Only ciphertext is accepted by the endpoint.
#include <cstdio>

#include <vps/cli/registry.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/enroll/client/push.hpp>
#include <vps/sys/fs/file.hpp>

namespace {

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string host;
  std::vector<std::string> files;
  std::string name;  // only with one file
};

vps::Result<int> run_push(const Options& o) {
  VPS_TRY(vps::enroll::client::host_path(o.host));
  if (!o.name.empty() && o.files.size() != 1) return vps::fail(vps::Errc::usage, "--name needs exactly one FILE");
  // Check every name and read every file before sending anything: all or nothing locally.
  std::vector<vps::enroll::client::BundleUpload> uploads;
  for (const auto& file : o.files) {
    const std::string name = o.name.empty() ? std::filesystem::path(file).filename().string() : o.name;
    VPS_CHECK(vps::enroll::client::check_bundle_name(name));
    auto bytes = VPS_TRY(vps::sys::read_file(file, 256 * 1024 * 1024));
    uploads.push_back({name, std::string(bytes.begin(), bytes.end())});
  }
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  auto results = VPS_TRY(vps::enroll::client::push_bundles(client, o.host, std::move(uploads), [&o](const nlohmann::json& body) {
    if (o.common.json) return;
    std::printf("pushed %s to %s (%lld bytes, sha256 %s)\n", vps::enroll::client::shown(body, "name").c_str(), o.host.c_str(),
                static_cast<long long>(body.value("size", std::int64_t{0})), vps::enroll::client::shown(body, "sha256").c_str());
  }));
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
