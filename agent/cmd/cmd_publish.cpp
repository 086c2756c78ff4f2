// vps-agent publish: tell the enrollment endpoint about this host. Builds a publication
// (protocol/publication.hpp) signed by the host key, POSTs it to <endpoint>/v1/enrollments and
// retries with backoff until the endpoint approves the key (2xx "approved"), refuses it (other
// 4xx: Errc::refused, no retry) or the retry budget runs out (Errc::timeout / Errc::retry).
//
// "pending" (2xx) means an operator has to decide, and the host cannot tell whether its key is
// the one the endpoint holds for its name or a flagged one next to a squatter's (the endpoint
// answers both alike, so outsiders cannot tell which names exist). Either way only publishing
// again lets the key take the name once the operator has rejected the other one, so publish
// keeps publishing on the same schedule until approved (or --no-wait: it returns at the first
// acknowledgement). What it waits for goes to state.json for `vps-agent status`. Each attempt is
// recorded there; once approved, publish is a no-op unless --force.
//
// Every attempt is signed afresh (new timestamp and nonce), so a retry hours later still falls
// inside the endpoint's replay window; the endpoint must treat a repeat from the same key as
// idempotent.
#include <memory>
#include <optional>
#include <string>

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <vps/base/log.hpp>
#include <vps/base/text.hpp>
#include <vps/cli/registry.hpp>
#include <vps/config/load.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/host/fs/file.hpp>
#include <vps/host/identity/host_key.hpp>
#include <vps/host/identity/hostname.hpp>
#include <vps/host/state/clock.hpp>
#include <vps/host/state/state_store.hpp>
#include <vps/net/http/client.hpp>
#include <vps/net/http/retry_schedule.hpp>
#include <vps/net/metadata/instance_facts.hpp>
#include <vps/protocol/signed_publication.hpp>

namespace {

using namespace vps;
using net::http::Millis;

struct Options {
  bool force = false;
  bool no_wait = false;                // return once acknowledged, even if still pending
  unsigned max_attempts = 10000;       // the overall time budget is the real bound by default
  double timeout_seconds = 0;          // 0: enrollment.retry.overall_timeout
  double attempt_timeout_seconds = 0;  // 0: enrollment.retry.attempt_timeout
};

// One progress line to the log and, under systemd, to `systemctl status` (STATUS=).
void progress(const std::string& line) {
  log::info("publish: " + line);
  sd_notify(0, ("STATUS=publish: " + line).c_str());
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return std::string(s);
}

// Printable ASCII, one line, bounded: endpoint text quoted in our messages.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, std::min<std::size_t>(body.find('\n'), 200))) out += (c >= ' ' && c < 0x7f) ? c : '?';
  return out;
}

Result<net::http::Url> endpoint_url(const std::string& text, const net::http::ClientOptions& client) {
  auto url = net::http::parse_url(text);
  if (!url) return fail(std::move(url).error().context("enrollment endpoint"));
  // Policy check before any traffic (metadata included) leaves the host.
  VPS_CHECK(net::http::check_destination(*url, client));
  return url;
}

Result<std::optional<std::string>> token_from_file(const config::Enrollment& enrollment) {
  if (enrollment.token_file.empty()) return std::optional<std::string>();
  auto text = host::read_text_file(enrollment.token_file, 4096);
  if (!text) return fail(std::move(text).error().context("reading enrollment token file"));
  auto token = trim(*text);
  if (token.empty())
    return fail(Errc::config, "enrollment token file '" + enrollment.token_file.string() + "' is empty");
  return std::optional<std::string>(token);
}

struct Plan {
  net::http::Url endpoint;
  net::http::ClientOptions client;
  net::http::BackoffPolicy policy;
  protocol::Publication base;  // timestamp and nonce filled per attempt
  formats::openssh::Ed25519PrivateKey key;
};

Result<Plan> make_plan(const cli::Context& ctx, const config::Config& config, const Options& opts) {
  Plan plan;
  const auto& enrollment = config.enrollment;
  plan.client.allow_insecure = enrollment.allow_insecure_http;
  if (!enrollment.ca_file.empty()) plan.client.ca_file = enrollment.ca_file;
  plan.client.user_agent = "vps-agent/" VPS_VERSION;
  std::optional<net::http::Url> endpoint;
  if (!enrollment.endpoint.empty()) endpoint = VPS_TRY(endpoint_url(enrollment.endpoint, plan.client));

  auto key = VPS_TRY(host::identity::load_host_key(config.identity.host_key));
  if (!key) {
    return fail(Errc::no_key,
                "no host key at '" + config.identity.host_key.string() + "': run 'vps-agent firstboot' first");
  }
  plan.key = std::move(*key);

  auto file_token = VPS_TRY(token_from_file(enrollment));
  net::metadata::DiscoveryOptions discovery;
  discovery.metadata_enabled = config.metadata.enabled;
  discovery.metadata.base_url = config.metadata.base_url;
  discovery.metadata.token_ttl = std::chrono::duration_cast<std::chrono::seconds>(config.metadata.token_ttl);
  discovery.dmi_path = config.instance.dmi_path;
  discovery.require_token = enrollment.require_token && !file_token;
  progress("looking up the instance id and enrollment token");
  auto facts = net::metadata::discover(discovery, [](const std::string& w) { log::warning("publish: " + w); });
  if (!facts) return fail(std::move(facts).error().context("instance metadata"));

  if (!endpoint && facts->endpoint) endpoint = VPS_TRY(endpoint_url(*facts->endpoint, plan.client));
  if (!endpoint) {
    return fail(Errc::config,
                "no enrollment endpoint: set enrollment.endpoint in the config or "
                "VPS_ENROLLMENT_ENDPOINT in the instance's user-data");
  }
  plan.endpoint = std::move(*endpoint);

  auto& p = plan.base;
  p.endpoint = plan.endpoint.origin();  // bound to this endpoint: another one cannot relay it
  p.hostname = host::identity::host_name(ctx.root);
  p.instance_id = facts->instance_id;
  p.ssh_public_key = protocol::ssh_public_key_field(plan.key.public_key);
  p.fingerprint = formats::openssh::sha256_fingerprint(plan.key.public_key);
  p.age_recipient = VPS_TRY(protocol::age_recipient_for(plan.key.public_key));
  auto boot_id = host::read_text_file(ctx.under("/proc/sys/kernel/random/boot_id"), 128);
  if (!boot_id) return fail(std::move(boot_id).error().context("reading boot id"));
  p.boot_id = trim(*boot_id);
  p.token = file_token ? file_token : facts->token;
  if (enrollment.require_token && !p.token)
    return fail(Errc::config, "require_token is set but no enrollment token was found");

  const auto& retry = enrollment.retry;
  plan.policy.initial_delay = retry.initial_delay;
  plan.policy.max_delay = retry.max_delay;
  plan.policy.attempt_timeout = retry.attempt_timeout;
  plan.policy.overall = retry.overall_timeout;
  plan.policy.max_attempts = std::max(1u, opts.max_attempts);
  if (opts.timeout_seconds > 0) plan.policy.overall = Millis(static_cast<Millis::rep>(opts.timeout_seconds * 1000));
  if (opts.attempt_timeout_seconds > 0) {
    plan.policy.attempt_timeout = Millis(static_cast<Millis::rep>(opts.attempt_timeout_seconds * 1000));
  }
  return plan;
}

struct AttemptResult {
  net::http::Disposition disposition = net::http::Disposition::retry;
  Error error;                        // what went wrong (retry or permanent)
  std::optional<Millis> retry_after;  // server hint
  std::string reply_status;           // on success
};

AttemptResult attempt(const Plan& plan, Millis budget) {
  using net::http::Disposition;
  auto publication = plan.base;
  publication.timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  publication.nonce = protocol::new_nonce();
  auto signed_publication = protocol::sign(std::move(publication), crypto::SeedSigner(plan.key.seed));
  if (!signed_publication) return {Disposition::permanent, signed_publication.error(), {}, {}};

  net::http::Request request;
  request.method = "POST";
  request.target = plan.endpoint.target(protocol::k_enrollments_path);
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  request.body = protocol::serialize(*signed_publication);
  auto client = plan.client;
  client.total_timeout = budget;
  client.connect_timeout = std::min(budget, Millis(10000));
  client.io_timeout = budget;
  auto response = net::http::send(plan.endpoint, request, client);
  if (!response) {
    const bool retry = net::http::is_retryable(response.error().code);
    return {retry ? Disposition::retry : Disposition::permanent, response.error(), {}, {}};
  }
  const auto disposition = net::http::classify_status(response->status);
  std::string what = net::http::status_line(response->status);
  if (disposition == Disposition::success) {
    auto reply = protocol::parse_enrollment_reply(response->body);
    if (!reply) log::warning("publish: acknowledged with " + what + " but " + reply.error().message);
    return {Disposition::success, {}, {}, reply ? reply->status : "pending"};
  }
  if (!response->body.empty()) what += ": " + excerpt(response->body);
  std::optional<Millis> hint;
  if (auto value = response->header("Retry-After")) hint = net::http::parse_retry_after(*value);
  if (disposition == Disposition::retry) return {Disposition::retry, Error{Errc::retry, what}, hint, {}};
  return {Disposition::permanent, Error{Errc::refused, "endpoint refused the publication: " + what}, {}, {}};
}

// Best effort while retrying (a full disk must not stop enrollment); the final record is checked.
Status record(const config::Config& config, const std::function<void(host::state::State&)>& change) {
  auto saved = host::state::update_state(config.state_dir, change);
  if (!saved) return fail(std::move(saved).error().context("recording enrollment state"));
  return {};
}

// What a pending host waits for, for progress lines and `vps-agent status`.
std::string operator_decision(const Plan& plan) {
  const std::string host = text::ascii_lower(plan.base.hostname);
  const std::string& fingerprint = plan.base.fingerprint;
  return "an operator's decision on this host's key " + fingerprint + " for '" + host + "' (vps-enroll approve " +
         host + " --fingerprint " + fingerprint + "; if another key holds the name, the operator rejects it first)";
}

Result<int> run_publish(const cli::Context& ctx, const Options& opts) {
  auto config = VPS_TRY(config::load(ctx.root, ctx.config_path));
  auto state = VPS_TRY(host::state::load_state(config.state_dir));
  if (!state) {
    return fail(Errc::no_key,
                "publish: no agent state in '" + config.state_dir.string() + "': run 'vps-agent firstboot' first");
  }
  if (state->enrollment.status == "approved" && !opts.force) {
    progress("already approved by the endpoint (at " + state->enrollment.acknowledged_at +
             "); nothing to do (use --force to publish again)");
    return 0;
  }
  auto plan = make_plan(ctx, config, opts);
  if (!plan) return fail(std::move(plan).error().context("publish"));

  const std::string where = plan->endpoint.to_string() + std::string(protocol::k_enrollments_path);
  const std::string decision = operator_decision(*plan);
  net::http::RetrySchedule schedule(plan->policy);
  bool waiting = false;  // the endpoint answered "pending": what follows waits for an operator
  for (;;) {
    const unsigned number = schedule.attempt();
    progress("attempt " + std::to_string(number) + ": sending publication for " + plan->base.fingerprint + " to " +
             where);
    auto result = attempt(*plan, schedule.attempt_budget());
    const std::string now = host::state::utc_rfc3339();
    const bool acknowledged = result.disposition == net::http::Disposition::success;
    const bool approved = acknowledged && result.reply_status == "approved";
    waiting = waiting || acknowledged;
    auto saved = record(config, [&](host::state::State& s) {
      s.enrollment.last_attempt = now;
      s.enrollment.extra["attempts"] = number;
      if (!acknowledged) {
        s.enrollment.last_error = result.error.message;
        if (result.disposition == net::http::Disposition::permanent) s.enrollment.extra.erase("waiting_for");
        return;
      }
      s.enrollment.status = result.reply_status;
      s.enrollment.last_error.clear();
      s.enrollment.acknowledged_at = now;
      s.enrollment.extra["endpoint"] = plan->endpoint.to_string();
      s.enrollment.extra["fingerprint"] = plan->base.fingerprint;
      if (approved) s.enrollment.extra.erase("waiting_for");
      else s.enrollment.extra["waiting_for"] = decision;
    });
    if (!saved && approved) return fail(std::move(saved).error().context("publish"));
    if (!saved) log::warning("publish: " + saved.error().message);
    if (approved) {
      progress("approved by " + where + " after " + std::to_string(number) + " attempt(s)");
      return 0;
    }
    if (acknowledged && opts.no_wait) {
      if (!saved) return fail(std::move(saved).error().context("publish"));
      progress("acknowledged by " + where + " after " + std::to_string(number) + " attempt(s); status '" +
               result.reply_status + "', waiting for " + decision + "; not waiting for it (--no-wait)");
      return 0;
    }
    if (result.disposition == net::http::Disposition::permanent) {
      return fail(std::move(result.error).context("publish: attempt " + std::to_string(number) + " failed"));
    }
    auto wait = schedule.next(result.retry_after);
    const std::string what = acknowledged ? "pending: waiting for " + decision : "failed: " + result.error.message;
    if (!wait) {
      std::string summary = std::to_string(number) + " attempt(s) in " + net::http::format_duration(schedule.elapsed());
      if (waiting) summary += "; still waiting for " + decision;
      if (!acknowledged) summary += "; last error: " + result.error.message;
      if (schedule.exhausted_by_time()) return fail(Errc::timeout, "publish: timed out after " + summary);
      return fail(Errc::retry, "publish: giving up after " + summary);
    }
    progress("attempt " + std::to_string(number) + " " + what + "; " + (acknowledged ? "publishing again" : "retrying") +
             " in " + net::http::format_duration(*wait));
    schedule.sleep(*wait);
  }
}

const bool registered = cli::register_command(40, [](CLI::App& app, cli::Context& ctx) {
  auto opts = std::make_shared<Options>();
  auto* sub =
      cli::add_command(app, ctx, "publish", "Publish this host's signed public identity to the enrollment endpoint",
                       [&ctx, opts] { return run_publish(ctx, *opts); });
  sub->add_flag("--force", opts->force, "Publish again even if the endpoint already approved this host");
  sub->add_flag("--no-wait", opts->no_wait,
                "Return once the endpoint has acknowledged the publication, without waiting for an operator to "
                "approve it");
  sub->add_option("--max-attempts", opts->max_attempts, "Give up after N attempts (default: bounded by time only)")
      ->check(CLI::Range(1u, 1000000u));
  sub->add_option("--timeout", opts->timeout_seconds,
                  "Overall time budget in seconds (default: enrollment.retry.overall_timeout)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--attempt-timeout", opts->attempt_timeout_seconds,
                  "Time budget of one attempt in seconds (default: enrollment.retry.attempt_timeout)")
      ->check(CLI::PositiveNumber);
});

}  // namespace
