// vps-enroll rebuilds HOST: the host's rebuild history (newest first) with states and
// durations, and when the host last polled for rebuilds.
#include <cstdio>

#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/cli/registry.hpp>

namespace {

using namespace vps;
using Json = nlohmann::json;
using enroll::client::shown;

struct Options {
  enroll::client::OperatorOptions common;
  std::string host;
};

std::string duration_of(const Json& r) {
  if (r.contains("duration_ms") && r["duration_ms"].is_number_integer()) {
    const auto ms = r["duration_ms"].get<std::int64_t>();
    char text[32];
    std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms) / 1000.0);
    return text;
  }
  return "-";
}

std::string integer_or_dash(const Json& r, const char* key) {
  return r.contains(key) && r[key].is_number_integer() ? std::to_string(r[key].get<std::int64_t>()) : "-";
}

Result<int> run_rebuilds(const Options& o) {
  const std::string path = VPS_TRY(enroll::client::host_path(o.host)) + "/rebuilds";
  auto client = VPS_TRY(enroll::client::connect(o.common));
  auto body = VPS_TRY(client.call_json("GET", path));
  if (o.common.json) return enroll::client::print_json(body);
  const auto polled = body.contains("last_poll_at") && body["last_poll_at"].is_number_integer()
                          ? body["last_poll_at"].get<std::int64_t>() : 0;
  std::printf("host %s last polled for rebuilds: %s\n", o.host.c_str(),
              polled ? enroll::client::format_time(polled).c_str() : "never");
  std::printf("%-6s %-10s %-24s %-12s %-23s %-8s %s\n", "ID", "STATE", "REVISION", "OPERATOR", "CREATED", "DURATION", "EXIT");
  for (const auto& r : body["rebuilds"]) {
    std::printf("%-6s %-10s %-24s %-12s %-23s %-8s %s\n", integer_or_dash(r, "id").c_str(), shown(r, "state").c_str(),
                shown(r, "revision").c_str(), shown(r, "operator").c_str(),
                enroll::client::format_time(r.value("created_at", std::int64_t{0})).c_str(), duration_of(r).c_str(),
                integer_or_dash(r, "exit_status").c_str());
    const std::string reason = shown(r, "reason");
    if (!reason.empty()) std::printf("       reason: %s\n", reason.c_str());
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
