// vps-enroll list: hosts known to the endpoint and their enrollment status.
#include <cstdio>

#include <enroll/client/output.hpp>
#include <enroll/client/operator_options.hpp>
#include <vps/cli/registry.hpp>

namespace {

vps::Result<int> run_list(const vps::enroll::client::OperatorOptions& o) {
  auto client = VPS_TRY(vps::enroll::client::connect(o));
  auto body = VPS_TRY(client.call_json("GET", "/v1/hosts"));
  if (o.json) return vps::enroll::client::print_json(body);
  const auto& hosts = body["hosts"];
  if (hosts.empty()) {
    std::puts("no hosts");
    return 0;
  }
  std::printf("%-24s %-9s %-52s %s\n", "HOST", "STATUS", "FINGERPRINT", "LAST SEEN");
  for (const auto& h : hosts) {
    using vps::enroll::client::shown;
    std::string status = shown(h, "status");
    if (h.value("flagged_keys", 0) > 0) status += "!";
    std::printf("%-24s %-9s %-52s %s\n", shown(h, "name").c_str(), status.c_str(), shown(h, "fingerprint").c_str(),
                vps::enroll::client::format_time(h.value("last_seen_at", std::int64_t{0})).c_str());
  }
  bool any_flagged = false;
  for (const auto& h : hosts) any_flagged = any_flagged || h.value("flagged_keys", 0) > 0;
  if (any_flagged) std::puts("! a different key was also published for this host (see `vps-enroll show HOST`)");
  return 0;
}

const bool registered = vps::cli::register_command(20, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<vps::enroll::client::OperatorOptions>();
  auto* sub = vps::cli::add_command(app, ctx, "list", "List hosts and their enrollment status", [o] { return run_list(*o); });
  vps::enroll::client::add_operator_options(*sub, *o);
});

}  // namespace
