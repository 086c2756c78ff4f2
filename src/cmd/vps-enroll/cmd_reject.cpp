// vps-enroll reject HOST: refuse the host's current key (it may publish a new one).
#include <cstdio>

#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/cli/registry.hpp>

namespace {

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string host;
};

vps::Result<int> run_reject(const Options& o) {
  const std::string path = VPS_TRY(vps::enroll::client::host_path(o.host)) + "/reject";
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  auto body = VPS_TRY(client.call_json("POST", path));
  if (o.common.json) return vps::enroll::client::print_json(body);
  std::printf("%s %s (%s)\n", body.value("changed", false) ? "rejected" : "already rejected", o.host.c_str(),
              vps::enroll::client::shown(body, "fingerprint").c_str());
  return 0;
}

const bool registered = vps::cli::register_command(23, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "reject", "Reject a host's published key", [o] { return run_reject(*o); });
  sub->add_option("HOST", o->host, "Host name")->required();
  vps::enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
