// vps-enroll approve HOST [--fingerprint SHA256:...]: accept the host's published key. With
// --fingerprint (what the host printed on its serial console) the endpoint refuses when the
// published key differs, and so does this command.
#include <cstdio>

#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/cli/registry.hpp>

namespace {

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string host;
  std::string fingerprint;
};

vps::Result<int> run_approve(const Options& o) {
  const std::string path = VPS_TRY(vps::enroll::client::host_path(o.host)) + "/approve";
  if (!o.fingerprint.empty() && !o.fingerprint.starts_with("SHA256:")) {
    return vps::fail(vps::Errc::usage, "--fingerprint must look like SHA256:... (as ssh-keygen -l prints it)");
  }
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  nlohmann::json request = nlohmann::json::object();
  if (!o.fingerprint.empty()) request["fingerprint"] = o.fingerprint;
  auto body = client.call_json("POST", path, request.dump());
  if (!body) {
    if (body.error().code == vps::Errc::refused && !o.fingerprint.empty()) {
      return vps::fail(std::move(body).error().context("approve '" + o.host + "' refused"));
    }
    return vps::fail(std::move(body).error());
  }
  // Defence in depth: the endpoint compared, but the operator's tool checks the answer too.
  if (!o.fingerprint.empty() && body->value("fingerprint", "") != o.fingerprint) {
    return vps::fail(vps::Errc::integrity, "endpoint approved a different fingerprint than requested");
  }
  if (o.common.json) return vps::enroll::client::print_json(*body);
  std::printf("%s %s (%s)\n", body->value("changed", false) ? "approved" : "already approved", o.host.c_str(),
              vps::enroll::client::shown(*body, "fingerprint").c_str());
  if (o.fingerprint.empty()) std::puts("note: fingerprint not checked; pass --fingerprint to compare with the console");
  return 0;
}

const bool registered = vps::cli::register_command(22, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "approve", "Approve a host's published key", [o] { return run_approve(*o); });
  sub->add_option("HOST", o->host, "Host name")->required();
  sub->add_option("--fingerprint", o->fingerprint, "Refuse unless the host's key has this fingerprint")
      ->option_text("SHA256:...");
  vps::enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
