#include <vps/host/publish/publish.hpp>

#include <algorithm>
#include <optional>
#include <string>

#include <vps/base/clock.hpp>
#include <vps/base/duration.hpp>
#include <vps/base/log.hpp>
#include <vps/base/text.hpp>
#include <vps/crypto/signer.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/host/identity/host_key.hpp>
#include <vps/host/identity/hostname.hpp>
#include <vps/host/state/state_store.hpp>
#include <vps/net/api/host_endpoint.hpp>
#include <vps/net/http/client.hpp>
#include <vps/net/http/retry.hpp>
#include <vps/net/metadata/instance_facts.hpp>
#include <vps/protocol/host_status.hpp>
#include <vps/protocol/signed_publication.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/sys/fs/under_root.hpp>

namespace vps::host::publish {
namespace {

using net::http::Millis;

const std::string_view k_approved = protocol::to_string(protocol::HostStatus::approved);

// The first line of the endpoint's answer, bounded and escaped: endpoint text quoted in our
// messages.
std::string excerpt(std::string_view body) {
  return text::escape_control(text::utf8_prefix(body.substr(0, body.find('\n')), 200));
}

Result<std::optional<std::string>> token_from_file(const config::Enrollment& enrollment) {
  if (enrollment.token_file.empty()) return std::optional<std::string>();
  auto text = sys::read_text_file(enrollment.token_file, 4096);
  if (!text) return fail(std::move(text).error().context("reading enrollment token file"));
  auto token = std::string(text::trim(*text));
  if (token.empty())
    return fail(Errc::config, "enrollment token file '" + enrollment.token_file.string() + "' is empty");
  return std::optional<std::string>(token);
}

struct Plan {
  net::api::HostEndpoint endpoint;  // URL, one attempt's client options, enrollment.retry
  protocol::Publication base;  // timestamp and nonce filled per attempt
  formats::openssh::Ed25519PrivateKey key;
};

Result<Plan> make_plan(const std::filesystem::path& root, const config::Config& config, const Options& opts,
                       const Progress& progress) {
  Plan plan;
  const auto& enrollment = config.enrollment;
  // Each attempt's own deadline is set from the schedule (attempt()).
  const net::api::RequestLimits limits{enrollment.retry.attempt_timeout};
  std::optional<net::api::HostEndpoint> endpoint;
  if (!enrollment.endpoint.empty()) endpoint = VPS_TRY(net::api::host_endpoint(enrollment, enrollment.endpoint, limits));

  auto key = VPS_TRY(identity::load_host_key(config.identity.host_key));
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

  if (!endpoint && facts->endpoint) endpoint = VPS_TRY(net::api::host_endpoint(enrollment, *facts->endpoint, limits));
  if (!endpoint) {
    return fail(Errc::config,
                "no enrollment endpoint: set enrollment.endpoint in the config or "
                "VPS_ENROLLMENT_ENDPOINT in the instance's user-data");
  }
  plan.endpoint = std::move(*endpoint);

  auto& p = plan.base;
  p.endpoint = plan.endpoint.url.origin();  // bound to this endpoint: another one cannot relay it
  p.hostname = identity::host_name(root);
  p.instance_id = facts->instance_id;
  p.ssh_public_key = protocol::ssh_public_key_field(plan.key.public_key);
  p.fingerprint = formats::openssh::sha256_fingerprint(plan.key.public_key);
  p.age_recipient = VPS_TRY(protocol::age_recipient_for(plan.key.public_key));
  auto boot_id = sys::read_text_file(sys::under_root(root, "/proc/sys/kernel/random/boot_id"), 128);
  if (!boot_id) return fail(std::move(boot_id).error().context("reading boot id"));
  p.boot_id = std::string(text::trim(*boot_id));
  p.token = file_token ? file_token : facts->token;
  if (enrollment.require_token && !p.token)
    return fail(Errc::config, "require_token is set but no enrollment token was found");

  auto& policy = plan.endpoint.retry;
  policy.max_attempts = std::max(1u, opts.max_attempts);
  if (opts.timeout) policy.overall = *opts.timeout;
  if (opts.attempt_timeout) policy.attempt_timeout = *opts.attempt_timeout;
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
  publication.timestamp = clock::unix_seconds();
  publication.nonce = protocol::new_nonce();
  auto signed_publication = protocol::sign(std::move(publication), crypto::SeedSigner(plan.key.seed));
  if (!signed_publication) return {Disposition::permanent, signed_publication.error(), {}, {}};

  net::http::Request request;
  request.method = "POST";
  request.target = plan.endpoint.url.target(protocol::k_enrollments_path);
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  request.body = protocol::serialize(*signed_publication);
  auto client = plan.endpoint.client;
  client.total_timeout = budget;
  client.connect_timeout = std::min(budget, Millis(10000));
  client.io_timeout = budget;
  auto response = net::http::send(plan.endpoint.url, request, client);
  if (!response) {
    const bool retry = net::http::is_retryable(response.error().code);
    return {retry ? Disposition::retry : Disposition::permanent, response.error(), {}, {}};
  }
  const auto disposition = net::http::classify_status(response->status);
  std::string what = net::http::status_line(response->status);
  if (disposition == Disposition::success) {
    auto reply = protocol::parse_enrollment_reply(response->body);
    if (!reply) log::warning("publish: acknowledged with " + what + " but " + reply.error().message);
    return {Disposition::success, {}, {}, reply ? reply->status : std::string(protocol::to_string(protocol::HostStatus::pending))};
  }
  if (!response->body.empty()) what += ": " + excerpt(response->body);
  std::optional<Millis> hint;
  if (auto value = response->header("Retry-After")) hint = net::http::parse_retry_after(*value);
  if (disposition == Disposition::retry) return {Disposition::retry, Error{Errc::retry, what}, hint, {}};
  return {Disposition::permanent, Error{Errc::refused, "endpoint refused the publication: " + what}, {}, {}};
}

// Best effort while retrying (a full disk must not stop enrollment); the final record is checked.
Status record(const config::Config& config, const std::function<void(state::State&)>& change) {
  auto saved = state::update_state(config.state_dir, change);
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

}  // namespace

Status publish(const std::filesystem::path& root, const config::Config& config, const Options& opts,
               const Progress& progress) {
  auto current = VPS_TRY(state::load_state(config.state_dir));
  if (!current) {
    return fail(Errc::no_key,
                "publish: no agent state in '" + config.state_dir.string() + "': run 'vps-agent firstboot' first");
  }
  if (current->enrollment.status == k_approved && !opts.force) {
    progress("already approved by the endpoint (at " + current->enrollment.acknowledged_at +
             "); nothing to do (use --force to publish again)");
    return {};
  }
  auto plan = make_plan(root, config, opts, progress);
  if (!plan) return fail(std::move(plan).error().context("publish"));

  const std::string where = plan->endpoint.url.to_string() + std::string(protocol::k_enrollments_path);
  const std::string decision = operator_decision(*plan);
  net::http::RetrySchedule schedule(plan->endpoint.retry);
  bool waiting = false;       // the endpoint answered "pending": what follows waits for an operator
  bool acknowledged = false;  // the last attempt was answered 2xx
  unsigned number = 0;        // the last attempt's number
  std::string last_error;     // the last attempt's failure, when it was not acknowledged
  using Failure = net::http::AttemptFailure;
  auto outcome = net::http::retry<std::string>(
      schedule,
      [&](Millis budget) -> net::http::AttemptResult<std::string> {
        number = schedule.attempt();
        progress("attempt " + std::to_string(number) + ": sending publication for " + plan->base.fingerprint +
                 " to " + where);
        auto result = attempt(*plan, budget);
        const std::string now = clock::utc_rfc3339();
        acknowledged = result.disposition == net::http::Disposition::success;
        const bool approved = acknowledged && result.reply_status == k_approved;
        waiting = waiting || acknowledged;
        last_error = acknowledged ? std::string() : result.error.message;
        auto saved = record(config, [&](state::State& s) {
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
          s.enrollment.extra["endpoint"] = plan->endpoint.url.to_string();
          s.enrollment.extra["fingerprint"] = plan->base.fingerprint;
          if (approved) s.enrollment.extra.erase("waiting_for");
          else s.enrollment.extra["waiting_for"] = decision;
        });
        // Best effort while retrying (a full disk must not stop enrollment); the final record counts.
        const bool final = approved || (acknowledged && opts.no_wait);
        if (!saved && final) return tl::unexpected(Failure{std::move(saved).error().context("publish"), true, {}});
        if (!saved) log::warning("publish: " + saved.error().message);
        if (final) return result.reply_status;
        if (result.disposition == net::http::Disposition::permanent) {
          return tl::unexpected(
              Failure{std::move(result.error).context("publish: attempt " + std::to_string(number) + " failed"), true, {}});
        }
        const std::string what = acknowledged ? "pending: waiting for " + decision : "failed: " + result.error.message;
        return tl::unexpected(Failure{Error{Errc::retry, what}, false, result.retry_after});
      },
      [&](unsigned attempt_number, const Error& error, Millis wait) {
        progress("attempt " + std::to_string(attempt_number) + " " + error.message + "; " +
                 (acknowledged ? "publishing again" : "retrying") + " in " + describe_duration(wait));
      });
  if (outcome && *outcome == k_approved) {
    progress("approved by " + where + " after " + std::to_string(number) + " attempt(s)");
    return {};
  }
  if (outcome) {
    progress("acknowledged by " + where + " after " + std::to_string(number) + " attempt(s); status '" + *outcome +
             "', waiting for " + decision + "; not waiting for it (--no-wait)");
    return {};
  }
  const Errc code = outcome.error().code;
  if (code != Errc::timeout && code != Errc::retry) return fail(std::move(outcome).error());
  std::string summary = std::to_string(number) + " attempt(s) in " + describe_duration(schedule.elapsed());
  if (waiting) summary += "; still waiting for " + decision;
  if (!acknowledged) summary += "; last error: " + last_error;
  if (code == Errc::timeout) return fail(Errc::timeout, "publish: timed out after " + summary);
  return fail(Errc::retry, "publish: giving up after " + summary);
}

}  // namespace vps::host::publish
