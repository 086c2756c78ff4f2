// vps-agent firstboot: give this instance its own ed25519 host key (see host/identity/firstboot.hpp
// for the decision table), then print the fingerprint block to stdout and the console.
#include <memory>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <vps/base/log.hpp>
#include <vps/cli/registry.hpp>
#include <vps/config/load.hpp>
#include <vps/host/identity/fingerprint_block.hpp>
#include <vps/host/identity/firstboot.hpp>
#include <vps/host/identity/hostname.hpp>

namespace {

using namespace vps;

struct Options {
  bool json = false;
  bool no_console = false;
};

std::string key_comment(const cli::Context& ctx) {
  return "root@" + host::identity::host_name(ctx.root);
}

nlohmann::json to_json(const host::identity::FirstbootOutcome& outcome) {
  nlohmann::json quarantined = nlohmann::json::array();
  for (const auto& path : outcome.quarantined) quarantined.push_back(path.string());
  return {{"action", host::identity::to_string(outcome.action)},
          {"fingerprint", outcome.fingerprint},
          {"public_key", formats::openssh::format_public_key_line(outcome.public_key)},
          {"age_recipient", outcome.age_recipient},
          {"instance_id", outcome.instance_id},
          {"quarantined", quarantined},
          {"notices", outcome.notices}};
}

Result<int> run_firstboot(const cli::Context& ctx, const Options& options) {
  auto config = VPS_TRY(config::load(ctx.root, ctx.config_path));
  auto outcome = host::identity::run_firstboot(config, key_comment(ctx));
  if (!outcome) {
    // The operator watching Lish must see why there is no usable host key.
    if (!options.no_console && outcome.error().code == Errc::corrupt_key)
      (void)host::identity::write_console(config.console.path, "vps-agent: " + outcome.error().message + "\n");
    return fail(std::move(outcome).error().context("firstboot"));
  }
  for (const auto& notice : outcome->notices)
    (outcome->quarantined.empty() ? log::notice : log::warning)(notice);
  log::info("host key " + outcome->fingerprint + " " + std::string(host::identity::to_string(outcome->action)) +
            (outcome->instance_id.empty() ? "" : " for instance " + outcome->instance_id));
  auto block = host::identity::fingerprint_block(outcome->public_key, outcome->age_recipient);
  if (!options.no_console)
    if (auto written = host::identity::write_console(config.console.path, block); !written)
      log::warning("firstboot: " + written.error().message);
  std::fputs(options.json ? (to_json(*outcome).dump(2) + "\n").c_str() : block.c_str(), stdout);
  return 0;
}

const bool registered = cli::register_command(10, [](CLI::App& app, cli::Context& ctx) {
  auto options = std::make_shared<Options>();
  auto* sub = cli::add_command(app, ctx, "firstboot",
                               "Create this instance's ed25519 host key (once), quarantine inherited or "
                               "corrupt keys, print the fingerprint block",
                               [&ctx, options] { return run_firstboot(ctx, *options); });
  sub->add_flag("--json", options->json, "Print the outcome as JSON instead of the fingerprint block");
  sub->add_flag("--no-console", options->no_console, "Do not write the fingerprint block to the console");
});

}  // namespace
