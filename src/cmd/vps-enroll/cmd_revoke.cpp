// vps-enroll revoke HOST [--reason TEXT]: the endpoint refuses the host's key from now on
// (publications, bundles, rebuild polls, reports), deletes its bundles and cancels its rebuilds
// not yet started. What the host could already read is not undone by that: the output names
// the rekey command that rotates those secrets.
#include <cstdio>

#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/base/text.hpp>
#include <vps/cli/registry.hpp>

namespace {

using Json = nlohmann::json;

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string host;
  std::string reason;
};

std::string list_of(const Json& body, const char* key, const char* prefix) {
  std::string out;
  if (!body.contains(key) || !body[key].is_array()) return "none";
  for (const auto& item : body[key]) {
    std::string text = item.is_string() ? vps::text::escape_control(item.get<std::string>()) : item.dump();
    out += (out.empty() ? "" : ", ") + std::string(prefix) + text;
  }
  return out.empty() ? "none" : out;
}

vps::Result<int> run_revoke(const Options& o) {
  const std::string path = VPS_TRY(vps::enroll::client::host_path(o.host)) + "/revoke";
  if (o.reason.size() > 1024) return vps::fail(vps::Errc::usage, "--reason is longer than 1024 bytes");
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  Json request = Json::object();
  if (!o.reason.empty()) request["reason"] = o.reason;
  auto response = VPS_TRY(client.send("POST", path, request.dump()));
  if (response.status < 200 || response.status > 299) {
    auto error = vps::enroll::client::response_error(response);
    const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (response.status == 409 && body.is_object() && body.value("code", "") == "already_revoked") {
      error.code = vps::Errc::already_revoked;
    }
    return vps::fail(std::move(error).context("revoke '" + o.host + "'"));
  }
  const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return vps::fail(vps::Errc::malformed, "revoke: the endpoint answered with invalid JSON");
  if (o.common.json) return vps::enroll::client::print_json(body);
  using vps::enroll::client::shown;
  std::printf("revoked %s (key %s)\n", o.host.c_str(), shown(body, "fingerprint").c_str());
  std::printf("bundles deleted:    %s\n", list_of(body, "deleted_bundles", "").c_str());
  std::printf("rebuilds cancelled: %s\n", list_of(body, "cancelled_rebuilds", "#").c_str());
  std::printf("next: rotate the secrets this host could read:\n  vps-enroll rekey --remove %s <your secrets dirs>\n",
              shown(body, "age_recipient").c_str());
  std::puts("then change at their source the secret values it could read (rekey --remove lists them)");
  return 0;
}

const bool registered = vps::cli::register_command(25, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "revoke",
                                    "Revoke a host's key: refused from now on, its bundles deleted, rebuilds cancelled",
                                    [o] { return run_revoke(*o); });
  sub->add_option("HOST", o->host, "Host name")->required();
  sub->add_option("--reason", o->reason, "Why (kept in the audit trail)")->option_text("TEXT");
  vps::enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
