// vps-enroll rebuilds HOST: the host's rebuild history (newest first) with states and
// durations, and when the host last polled for rebuilds.
#include <cstdio>

#include <vps/base/text.hpp>
#include <vps/cli/registry.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/protocol/rebuild_report.hpp>

namespace {

using namespace vps;

struct Options {
  enroll::client::OperatorOptions common;
  std::string host;
};

std::string duration_of(const protocol::RebuildView& r) {
  if (!r.duration_ms) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(*r.duration_ms) / 1000.0);
  return text;
}

std::string integer_or_dash(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : "-";
}

Result<int> run_rebuilds(const Options& o) {
  const std::string path = VPS_TRY(enroll::client::host_path(o.host)) + "/rebuilds";
  auto client = VPS_TRY(enroll::client::connect(o.common));
  auto body = VPS_TRY(client.call_json("GET", path));
  if (o.common.json) return enroll::client::print_json(body);
  const auto history = VPS_TRY(protocol::parse_rebuild_history(body));
  const auto polled = history.last_poll_at.value_or(0);
  std::printf("host %s last polled for rebuilds: %s\n", o.host.c_str(),
              polled ? enroll::client::format_time(polled).c_str() : "never");
  std::printf("%-6s %-10s %-24s %-12s %-23s %-8s %s\n", "ID", "STATE", "REVISION", "OPERATOR", "CREATED", "DURATION", "EXIT");
  // Every string the endpoint sends is untrusted text for this terminal.
  for (const auto& r : history.rebuilds) {
    std::printf("%-6s %-10s %-24s %-12s %-23s %-8s %s\n", std::to_string(r.id).c_str(),
                std::string(protocol::to_string(r.state)).c_str(), text::escape_control(r.revision).c_str(),
                text::escape_control(r.operator_name).c_str(), enroll::client::format_time(r.created_at).c_str(),
                duration_of(r).c_str(), integer_or_dash(r.exit_status).c_str());
    if (!r.reason.empty()) std::printf("       reason: %s\n", text::escape_control(r.reason).c_str());
  }
  return 0;
}

const bool registered = vps::cli::register_command(29, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "rebuilds", "Show HOST's rebuild history and states",
                                    [o] { return run_rebuilds(*o); });
  sub->add_option("HOST", o->host, "Host name")->required();
  enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
