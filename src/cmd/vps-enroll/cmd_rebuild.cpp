// vps-enroll rebuild HOST: queue an operator-signed rebuild request (protocol/rebuild_request)
// for the host's `vps-agent watch`, and with --wait follow it to its result
// (enroll/client/rebuild.hpp). With --hosts a,b,c: a fleet rollout in batches that stops at
// the first failure (enroll/client/rollout.hpp).
#include <chrono>
#include <cstdio>

#include <vps/cli/duration_option.hpp>
#include <vps/cli/registry.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/enroll/client/rebuild.hpp>
#include <vps/enroll/client/rollout.hpp>

namespace {

using namespace vps;

struct Options {
  enroll::client::OperatorOptions common;
  std::string host;
  std::string revision = "latest";
  std::string expires = "1h";
  std::string wait_timeout = "15m";
  bool wait = false;
  // Fleet rollouts.
  std::string hosts;
  std::size_t batch = 1;
  std::size_t canary = 0;
  bool keep_going = false;
  std::string pickup_timeout = "5m";
  bool expires_given = false;
  bool fleet_options_given = false;
};

// With --json, stdout carries only the JSON: progress goes to stderr.
void progress(const Options& o, const std::string& line) {
  std::FILE* out = o.common.json ? stderr : stdout;
  std::fprintf(out, "%s\n", line.c_str());
  std::fflush(out);
}

Result<int> run_rollout(const Options& o) {
  using std::chrono::hours;
  using std::chrono::seconds;
  if (!o.host.empty()) return fail(Errc::usage, "give either HOST or --hosts, not both");
  if (o.expires_given)
    return fail(Errc::usage, "--expires does not apply to --hosts: each request expires at the end of its pick-up "
                             "window (--pickup-timeout)");
  enroll::client::RolloutOptions rollout;
  rollout.hosts = VPS_TRY(enroll::client::parse_host_list(o.hosts));
  rollout.revision = o.revision;
  rollout.batch = o.batch;
  rollout.canary = o.canary;
  rollout.keep_going = o.keep_going;
  rollout.pickup = VPS_TRY(cli::duration_option(o.pickup_timeout, "--pickup-timeout", seconds(1), hours(24)));
  rollout.run_timeout = VPS_TRY(cli::duration_option(o.wait_timeout, "--wait-timeout", seconds(1), hours(24 * 7)));
  rollout.progress = [&o](const std::string& line) { progress(o, line); };
  VPS_CHECK(enroll::client::check_rollout(rollout));  // before connect, which may ask for a passphrase
  auto client = VPS_TRY(enroll::client::connect(o.common));
  const auto result = VPS_TRY(enroll::client::run_rollout(client, rollout));
  if (o.common.json) enroll::client::print_json(enroll::client::to_json(result));
  else std::fputs(enroll::client::summary_table(result).c_str(), stdout);
  VPS_CHECK(enroll::client::rollout_outcome(result));
  return 0;
}

Result<int> run_rebuild(const Options& o) {
  if (!o.hosts.empty()) return run_rollout(o);
  if (o.host.empty()) return fail(Errc::usage, "rebuild: name a HOST, or several with --hosts a,b,c");
  if (o.fleet_options_given) return fail(Errc::usage, "--batch, --canary, --keep-going and --pickup-timeout need --hosts");
  using std::chrono::hours;
  using std::chrono::seconds;
  // Every usage error before connect, which may ask for a passphrase.
  VPS_CHECK(enroll::client::check_rebuild_order(o.host, o.revision));
  const auto expires = VPS_TRY(cli::duration_option(o.expires, "--expires", seconds(1), hours(24 * 30)));
  const auto wait_timeout = VPS_TRY(cli::duration_option(o.wait_timeout, "--wait-timeout", seconds(1), hours(24 * 7)));
  auto client = VPS_TRY(enroll::client::connect(o.common));
  auto queued = VPS_TRY(enroll::client::queue_rebuild(client, {o.host, o.revision, expires}));
  const std::int64_t id = queued.view.id;
  if (!o.wait) {
    if (o.common.json) return enroll::client::print_json(queued.answer);
    std::printf("queued rebuild #%lld for %s (revision %s, sequence %lld, expires %s)\n", static_cast<long long>(id),
                o.host.c_str(), o.revision.c_str(), static_cast<long long>(queued.sequence),
                enroll::client::format_time(queued.expires).c_str());
    return 0;
  }
  progress(o, "queued rebuild #" + std::to_string(id) + " for " + o.host + " (revision " + o.revision + ")");
  enroll::client::WaitOptions waiting;
  waiting.timeout = wait_timeout;
  waiting.timeout_text = o.wait_timeout;
  waiting.progress = [&o](const std::string& line) { progress(o, line); };
  auto finished = VPS_TRY(enroll::client::wait_for_rebuild(client, o.host, id, waiting));
  if (o.common.json) enroll::client::print_json(finished.answer);
  const auto& r = finished.view;
  if (r.state == protocol::RebuildState::succeeded) {
    if (!o.common.json) {
      progress(o, "succeeded in " + std::to_string(r.duration_ms.value_or(0)) + " ms (exit status " +
                      std::to_string(r.exit_status.value_or(0)) + ")");
    }
    return 0;
  }
  if (r.state == protocol::RebuildState::failed) {
    const std::string tail = enroll::client::output_tail_lines(r.output_tail.value_or(""), 20);
    if (!tail.empty()) std::fprintf(stderr, "--- output (tail) ---\n%s", tail.c_str());
  }
  VPS_CHECK(enroll::client::rebuild_outcome(r, o.host));
  return 0;
}

const bool registered = vps::cli::register_command(28, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "rebuild", "Ask HOST to rebuild (operator-signed request, see vps-agent watch)",
                                    [o] { return run_rebuild(*o); });
  sub->add_option("HOST", o->host, "Host name (or --hosts for several)");
  sub->add_option("--revision", o->revision, "Revision for the host's rebuild command (default: latest)")->option_text("REV");
  sub->add_option_function<std::string>(
         "--expires", [o](const std::string& v) { o->expires = v, o->expires_given = true; },
         "The request is void after this (default 1h)")
      ->option_text("DURATION");
  sub->add_flag("--wait", o->wait, "Follow the rebuild to its result");
  enroll::client::add_operator_options(*sub, o->common);
  sub->add_option("--wait-timeout", o->wait_timeout,
                  "With --wait: give up after this (default 15m); with --hosts: per host, from its pick-up")
      ->option_text("DURATION");
  sub->add_option("--hosts", o->hosts, "Roll out to these hosts, in this order (implies --wait)")->option_text("A,B,C");
  const auto fleet = [o](auto&&...) { o->fleet_options_given = true; };
  sub->add_option_function<std::size_t>("--batch", [o, fleet](std::size_t n) { o->batch = n, fleet(); },
                                        "With --hosts: hosts rebuilt at a time (default 1)")
      ->option_text("N");
  sub->add_option_function<std::size_t>("--canary", [o, fleet](std::size_t n) { o->canary = n, fleet(); },
                                        "With --hosts: the first N hosts go alone, first (default 0)")
      ->option_text("N");
  sub->add_flag_callback("--keep-going", [o, fleet] { o->keep_going = true, fleet(); },
                         "With --hosts: carry on past a failed or rolled-back host");
  // Not --timeout: every operator command already has it (one request to the endpoint).
  sub->add_option_function<std::string>("--pickup-timeout", [o, fleet](const std::string& v) { o->pickup_timeout = v, fleet(); },
                                        "With --hosts: a host that has not picked up its request by then is "
                                        "skipped, and its request expires (default 5m)")
      ->option_text("DURATION");
});

}  // namespace
