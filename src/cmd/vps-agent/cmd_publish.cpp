// vps-agent publish: the command-line face of host/publish (options, progress lines under
// systemd); the protocol, the retries and the state records live there.
#include <memory>
#include <string>

#include <vps/base/log.hpp>
#include <vps/cli/duration_option.hpp>
#include <vps/cli/registry.hpp>
#include <vps/config/load.hpp>
#include <vps/host/publish/publish.hpp>
#include <vps/sys/systemd/notify.hpp>

namespace {

using namespace vps;

struct Options {
  host::publish::Options publish;
  std::string timeout;          // empty: enrollment.retry.overall_timeout
  std::string attempt_timeout;  // empty: enrollment.retry.attempt_timeout
};

Result<int> run_publish(const cli::Context& ctx, Options opts) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  if (!opts.timeout.empty()) {
    opts.publish.timeout = VPS_TRY(cli::duration_option(opts.timeout, "--timeout", milliseconds(100), hours(24 * 7)));
  }
  if (!opts.attempt_timeout.empty()) {
    opts.publish.attempt_timeout =
        VPS_TRY(cli::duration_option(opts.attempt_timeout, "--attempt-timeout", milliseconds(100), hours(1)));
  }
  auto config = VPS_TRY(config::load(ctx.root, ctx.config_path));
  // One progress line to the log and, under systemd, to `systemctl status` (STATUS=).
  VPS_CHECK(host::publish::publish(ctx.root, config, opts.publish, [](const std::string& line) {
    log::info("publish: " + line);
    (void)sys::systemd::notify_status("publish: " + line);
  }));
  return 0;
}

const bool registered = cli::register_command(40, [](CLI::App& app, cli::Context& ctx) {
  auto opts = std::make_shared<Options>();
  auto* sub =
      cli::add_command(app, ctx, "publish", "Publish this host's signed public identity to the enrollment endpoint",
                       [&ctx, opts] { return run_publish(ctx, *opts); });
  sub->add_flag("--force", opts->publish.force, "Publish again even if the endpoint already approved this host");
  sub->add_flag("--no-wait", opts->publish.no_wait,
                "Return once the endpoint has acknowledged the publication, without waiting for an operator to "
                "approve it");
  sub->add_option("--max-attempts", opts->publish.max_attempts, "Give up after N attempts (default: bounded by time only)")
      ->check(CLI::Range(1u, 1000000u));
  sub->add_option("--timeout", opts->timeout, "Overall time budget (default: enrollment.retry.overall_timeout)")
      ->option_text("DURATION");
  sub->add_option("--attempt-timeout", opts->attempt_timeout,
                  "Time budget of one attempt (default: enrollment.retry.attempt_timeout)")
      ->option_text("DURATION");
});

}  // namespace
