// vps-agent secrets: decrypt the configured secrets into a ramfs generation and keep them
// current (host/delivery/secrets_service.hpp has the whole story):
//   secrets                 wait until every secret decrypts, activate, READY=1, exit
//   secrets --follow        vps-secrets.service: activate what there is, stay subscribed
//   secrets --gate UNIT     a consumer unit's ExecCondition=: are UNIT's secrets active?
//   secrets --wait-complete vps-secrets-wait.service: until every secret is active
#include <memory>
#include <string>

#include <vps/cli/duration_option.hpp>
#include <vps/cli/registry.hpp>
#include <vps/host/delivery/secrets_service.hpp>

namespace {

using namespace vps;
namespace delivery = vps::host::delivery;

struct Options {
  bool once = false;
  bool no_restart = false;
  bool follow = false;
  bool wait_complete = false;
  std::string gate;
  std::string timeout;  // empty: config secrets.timeout
};

Result<int> run_secrets(const cli::Context& ctx, const Options& options) {
  const int modes = int(options.once) + int(options.follow) + int(options.wait_complete) + int(!options.gate.empty());
  if (modes > 1) return fail(Errc::usage, "--once, --follow, --gate and --wait-complete exclude each other");
  delivery::SecretsRun run;
  run.root = ctx.root;
  run.config_path = ctx.config_path;
  run.once = options.once;
  run.no_restart = options.no_restart;
  if (!options.timeout.empty())
    run.timeout = VPS_TRY(cli::duration_option(options.timeout, "--timeout", Millis(0), std::chrono::hours(24 * 365)));
  if (options.follow) return delivery::follow(run);
  if (!options.gate.empty()) return delivery::gate(run, options.gate);
  if (options.wait_complete) return delivery::wait_complete(run);
  return delivery::activate_when_complete(run);
}

const bool registered = cli::register_command(60, [](CLI::App& app, cli::Context& ctx) {
  auto options = std::make_shared<Options>();
  auto* sub = cli::add_command(app, ctx, "secrets",
                               "Decrypt the configured secrets into ramfs and keep them current (vps-secrets.service)",
                               [&ctx, options] { return run_secrets(ctx, *options); });
  sub->add_flag("--follow", options->follow,
                "Run as the service: activate what decrypts now, signal READY=1, then stay subscribed to the sources "
                "and the endpoint, activating each change (restarting the affected units once) and starting units "
                "whose secrets arrive late");
  sub->add_option("--gate", options->gate,
                  "Exit 0 if every secret UNIT uses is active, 1 otherwise (the unit's ExecCondition=; the service "
                  "starts it when they arrive)")
      ->type_name("UNIT");
  sub->add_flag("--wait-complete", options->wait_complete,
                "Wait until every configured secret is active (vps-secrets-wait.service, before vps-secrets.target)");
  sub->add_flag("--once", options->once, "Do not wait for enrollment: fail at once if a secret is not decryptable");
  sub->add_flag("--no-restart", options->no_restart, "Do not restart, reload or start units whose secrets changed");
  sub->add_option("--timeout", options->timeout,
                  "Overall wait without --follow, and for --wait-complete (default: secrets.timeout; 0 = no limit)")
      ->type_name("DURATION");
  sub->footer("With enrollment.endpoint set, bundles are fetched from the endpoint: a bundle pushed as N\n"
              "(vps-enroll push HOST FILE) replaces the configured source whose file name is N (without --follow\n"
              "only while that source is pending; with --follow also to rotate it, when a newer push arrives).\n"
              "Exit codes: 81 not a recipient (--once), 66 source missing (--once), 83 timed out, "
              "80 integrity failure, 65 malformed, 78 configuration; --gate: 0 open, 1 waiting.");
});

}  // namespace
