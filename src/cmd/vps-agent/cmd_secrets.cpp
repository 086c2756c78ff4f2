// vps-agent secrets: decrypt every configured secret in memory with the host key, materialise
// them as a new generation on ramfs/tmpfs, restart/reload the units whose secrets changed, and
// signal READY=1 (Type=notify). While a source is absent or not yet encrypted to this host it
// waits (STATUS=waiting for enrollment: ...), extends the start timeout, and retries whenever a
// source directory changes, until the overall timeout (Errc::timeout, no READY). With an
// enrollment endpoint configured it also fetches this host's bundles (host-signed, backing off
// between rounds) and installs those that map to pending sources (delivery/bundle_fetcher.hpp);
// "not approved yet" is part of the waiting status, not an error.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <vps/base/log.hpp>
#include <vps/cli/duration_option.hpp>
#include <vps/cli/registry.hpp>
#include <vps/config/fields.hpp>
#include <vps/config/load.hpp>
#include <vps/host/delivery/bundle_fetcher.hpp>
#include <vps/host/delivery/host_identity.hpp>
#include <vps/host/delivery/sources.hpp>
#include <vps/host/delivery/watch.hpp>
#include <vps/host/secrets/activation.hpp>
#include <vps/sys/systemd/notify.hpp>
#include <vps/host/systemd/units.hpp>

namespace {

using namespace vps;
namespace delivery = vps::host::delivery;
namespace systemd = vps::host::systemd;
using Clock = std::chrono::steady_clock;

// How often we retry without an inotify event, and the EXTEND_TIMEOUT_USEC margin beyond it.
constexpr std::chrono::milliseconds k_poll_interval = std::chrono::seconds(5);
constexpr std::chrono::milliseconds k_extend_margin = std::chrono::seconds(30);
// While a source settles (written in place), look again soon: it becomes an error once stable.
constexpr std::chrono::milliseconds k_settle_poll = std::chrono::milliseconds(500);

struct Options {
  bool once = false;
  bool no_restart = false;
  std::string timeout;  // empty: config secrets.timeout
};

std::string waiting_status(const delivery::HostIdentity& host, const delivery::Pending& pending) {
  const std::string me = host.age_recipient + " (" + host.fingerprint + ")";
  if (pending.code == Errc::missing)
    return "waiting for enrollment: " + pending.source.string() + " does not exist yet; this host is " + me;
  if (pending.code == Errc::malformed)
    return "waiting for " + pending.source.string() + " to settle: changed less than " +
           std::to_string(delivery::k_settle_window.count()) + "s ago and does not parse yet";
  return "waiting for enrollment: " + me + " not among recipients of " + pending.source.string();
}

void apply_units(const cli::Context& ctx, const Options& options, const host::secrets::ActivationReport& report) {
  if (!report.previous) return;  // first activation: the units have not started yet
  if (report.restart_units.empty() && report.reload_units.empty()) return;
  if (options.no_restart) {
    log::notice("secrets changed; --no-restart: not restarting units");
    return;
  }
  Status st;
  if (ctx.root != "/") {
    // Another system's tree: its units are not ours to restart.
    systemd::DryRunUnitManager dry;
    st = systemd::apply_unit_actions(dry, report.restart_units, report.reload_units);
    for (const auto& [action, unit] : dry.calls())
      log::notice("would " + std::string(systemd::action_name(action)) + " " + unit + " (--root)");
  } else {
    auto bus = systemd::BusUnitManager::connect_system();
    st = bus ? systemd::apply_unit_actions(**bus, report.restart_units, report.reload_units)
             : Status(fail(bus.error()));
  }
  // The new secrets are live either way; a unit that failed to restart is reported, not undone.
  if (!st) log::error("restarting units: " + st.error().message);
}

Result<int> activate_now(const cli::Context& ctx, const Options& options, const config::Config& config,
                         const delivery::Collected& collected) {
  auto report = host::secrets::activate(collected.materials, collected.templates,
                                        delivery::activation_options(config.secrets));
  if (!report) return fail(report.error().context("activating secrets"));
  for (const auto& error : report->errors) log::warning("after switching generation: " + error.message);
  apply_units(ctx, options, *report);
  const std::string status = "active generation " + std::to_string(report->generation);
  log::notice("secrets: " + status + " (" + std::to_string(collected.materials.size()) + " secrets, " +
              std::to_string(report->changed.size()) + " changed)");
  VPS_CHECK(sys::systemd::notify_ready(status));
  return 0;
}

bool any_settling(const std::vector<delivery::Pending>& pending) {
  return std::any_of(pending.begin(), pending.end(), [](const auto& p) { return p.code == Errc::malformed; });
}

Result<int> run_secrets(const cli::Context& ctx, const Options& options) {
  auto config = VPS_TRY(config::load(ctx.root, ctx.config_path));
  const config::Duration timeout = options.timeout.empty() ? config.secrets.timeout : VPS_TRY(cli::duration_option(options.timeout, "--timeout", Millis(0), std::chrono::hours(24 * 7)));
  auto host = VPS_TRY(delivery::load_host_identity(config.identity.host_key));
  const auto identities = formats::age::pointers(host.identities);
  auto watch = VPS_TRY(delivery::DirWatch::open(delivery::watch_dirs(config.secrets)));
  std::string endpoint_note;  // the last fetch round's outcome, kept until the next round
  // A bad endpoint setting must not stop secrets that are already decryptable: warn, go on.
  auto opened = delivery::BundleFetcher::open(config, ctx.root, ctx.config_path);
  if (!opened) {
    endpoint_note = "not fetching from the endpoint: " + opened.error().message;
    log::warning("secrets: " + endpoint_note);
  }
  auto fetcher = opened ? std::move(*opened) : std::nullopt;
  const auto deadline = Clock::now() + timeout;
  std::string last_status;
  bool fetched = false;
  for (;;) {
    auto collected = VPS_TRY(delivery::collect(config.secrets, identities));
    if (collected.pending.empty()) return activate_now(ctx, options, config, collected);

    if (fetcher && (options.once ? !fetched : fetcher->until_due().count() == 0)) {
      fetched = true;
      auto report = fetcher->fetch(config.secrets, collected.pending, identities);
      endpoint_note = report.status();
      if (!report.installed.empty()) continue;  // decrypt again at once
    }
    const auto& first = collected.pending.front();
    std::string status = waiting_status(host, first);
    if (!endpoint_note.empty()) status += "; " + endpoint_note;
    if (options.once) return fail(first.code, status + ": " + first.detail);
    if (status != last_status) {  // one log line per state, not per retry
      log::notice(status + " (" + first.detail + ")");
      VPS_CHECK(sys::systemd::notify_status(status));
      last_status = status;
    }
    const auto now = Clock::now();
    if (now >= deadline)
      return fail(Errc::timeout, "gave up after " + std::to_string(timeout.count() / 1000) + "s " + status);
    auto wait = std::min(k_poll_interval, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    if (fetcher) wait = std::min(wait, std::max(fetcher->until_due(), std::chrono::milliseconds(1)));
    if (any_settling(collected.pending)) wait = std::min(wait, k_settle_poll);
    VPS_CHECK(sys::systemd::notify_extend_timeout(std::chrono::duration_cast<std::chrono::microseconds>(wait + k_extend_margin)));
    VPS_CHECK(watch.wait(wait));
  }
}

const bool registered = cli::register_command(60, [](CLI::App& app, cli::Context& ctx) {
  auto options = std::make_shared<Options>();
  auto* sub = cli::add_command(app, ctx, "secrets",
                               "Decrypt the configured secrets into ramfs and signal readiness (vps-secrets.service)",
                               [&ctx, options] { return run_secrets(ctx, *options); });
  sub->add_flag("--once", options->once, "Do not wait for enrollment: fail at once if a secret is not decryptable");
  sub->add_flag("--no-restart", options->no_restart, "Do not restart or reload units whose secrets changed");
  sub->add_option("--timeout", options->timeout, "Overall wait for enrollment (default: secrets.timeout, 15m)")
      ->type_name("DURATION");
  sub->footer("With enrollment.endpoint set, pending sources are also fetched from the endpoint: a bundle\n"
              "pushed as N (vps-enroll push HOST FILE) replaces the pending source whose file name is N.\n"
              "Exit codes: 81 not a recipient (--once), 66 source missing (--once), 83 timed out, "
              "80 integrity failure, 65 malformed, 78 configuration.");
});

}  // namespace
