// vps-agent watch: the long-running rebuild watcher (vps-agent-watch.service). See
// host/rebuild/watcher.hpp for what it checks before anything runs. Type=notify: READY=1 once
// configuration, host key and replay guard are loaded; STATUS= says what it waits for.
#include <memory>

#include <vps/base/log.hpp>
#include <vps/cli/registry.hpp>
#include <vps/config/load.hpp>
#include <vps/host/rebuild/watcher.hpp>
#include <vps/sys/systemd/notify.hpp>

namespace {

using namespace vps;

struct Options {
  unsigned max_requests = 0;
  double max_time_seconds = 0;
};

Result<int> run_watch(const cli::Context& ctx, const Options& options) {
  auto config = VPS_TRY(config::load(ctx.root, ctx.config_path));
  auto watcher = VPS_TRY(host::rebuild::Watcher::open(config, ctx.root, ctx.config_path));
  log::notice("watch: host '" + watcher.host() + "' polling " + watcher.endpoint() + " for rebuild requests");
  (void)sys::systemd::notify_ready("watch: polling " + watcher.endpoint() + " for rebuild requests");
  host::rebuild::WatchLimits limits;
  limits.max_requests = options.max_requests;
  limits.max_time = std::chrono::milliseconds(static_cast<std::int64_t>(options.max_time_seconds * 1000));
  VPS_CHECK(watcher.run(limits, [](const std::string& line) {
    log::info("watch: " + line);
    (void)sys::systemd::notify_status("watch: " + line);
  }));
  return 0;
}

const bool registered = cli::register_command(70, [](CLI::App& app, cli::Context& ctx) {
  auto options = std::make_shared<Options>();
  auto* sub = cli::add_command(app, ctx, "watch",
                               "Long-poll the endpoint for operator-signed rebuild requests and run the configured command",
                               [&ctx, options] { return run_watch(ctx, *options); });
  sub->add_option("--max-requests", options->max_requests, "Exit after handling this many requests (default: never)")
      ->option_text("N");
  sub->add_option("--max-time", options->max_time_seconds, "Exit after this many seconds (default: never)")
      ->option_text("SECONDS")
      ->check(CLI::Range(0.0, 31536000.0));
});

}  // namespace
