#include <vps/host/rebuild/watcher.hpp>

#include <algorithm>
#include <cctype>

#include <vps/base/duration.hpp>
#include <vps/base/text.hpp>
#include <vps/base/clock.hpp>
#include <vps/base/log.hpp>
#include <vps/host/identity/hostname.hpp>
#include <vps/host/rebuild/command_runner.hpp>
#include <vps/net/api/host_endpoint.hpp>
#include <vps/net/http/retry.hpp>
#include <vps/protocol/rebuild_state.hpp>
#include <vps/host/rebuild/sequence_file.hpp>
#include <vps/host/state/state.hpp>
#include <vps/protocol/operator_sequence.hpp>
#include <vps/protocol/rebuild_request.hpp>

namespace vps::host::rebuild {

namespace {

constexpr unsigned k_report_attempts = 5;

}  // namespace

Result<Watcher> Watcher::open(const config::Config& config, const std::filesystem::path& root,
                              const std::string& config_path) {
  const auto& r = config.rebuild;
  if (r.command.empty()) return fail(Errc::config, "rebuild: no command configured (rebuild.command)");
  if (config.enrollment.endpoint.empty()) return fail(Errc::config, "rebuild: no endpoint configured (enrollment.endpoint)");
  trust::TrustedOperators operators(root, config_path, config);
  VPS_CHECK(operators.current().map_error([](Error e) { return std::move(e).context("rebuild"); }));
  // A long poll answers after up to poll_wait: the deadline must outlast it.
  auto endpoint = VPS_TRY(net::api::host_endpoint(
      config.enrollment, config.enrollment.endpoint, {r.poll_wait + config.enrollment.retry.attempt_timeout + Millis(10000)}));
  auto client = VPS_TRY(net::api::host_client(endpoint, config.identity.host_key));
  const auto state_file = sequence_file_path(config);
  VPS_CHECK(load_last_sequence(state_file));  // a corrupt guard stops us at startup
  return Watcher(std::move(client), text::ascii_lower(identity::host_name(root)), endpoint.url.to_string(), r,
                 std::move(operators), state_file, endpoint.retry);
}

Watcher::Watcher(net::api::SignedClient client, std::string host, std::string endpoint, config::Rebuild rebuild,
                 trust::TrustedOperators operators, std::filesystem::path state_file, net::http::BackoffPolicy retry)
    : m_client(std::move(client)),
      m_host(std::move(host)),
      m_endpoint(std::move(endpoint)),
      m_rebuild(std::move(rebuild)),
      m_operators(std::move(operators)),
      m_state_file(std::move(state_file)),
      m_backoff(retry) {}

Status Watcher::run(const WatchLimits& limits, const std::function<void(const std::string&)>& status) {
  m_status = status;
  const auto started = std::chrono::steady_clock::now();
  unsigned handled = 0;
  auto stop = [&] {
    const bool out_of_time = limits.max_time.count() > 0 && std::chrono::steady_clock::now() - started >= limits.max_time;
    return out_of_time || (limits.max_requests != 0 && handled >= limits.max_requests);
  };
  std::string last_line;
  auto say = [&](const std::string& line) {
    if (line != last_line) m_status(line);
    last_line = line;
  };
  // An unreachable endpoint or a host not approved yet is a setback, never an exit.
  net::http::PollSchedule schedule(m_backoff);
  net::http::poll_until(
      schedule, stop,
      [&]() -> Status {
        auto polled = VPS_TRY(poll());
        if (!polled) {
          say("waiting for rebuild requests from " + m_endpoint);
          return {};
        }
        Handled h = handle(*polled);
        ++handled;
        say("rebuild #" + std::to_string(h.id) + ": " + h.summary);
        return {};
      },
      [&](unsigned, const Error& error, Millis wait) {
        say("waiting for the endpoint (" + error.message + "), retrying in " + describe_duration(wait));
      });
  return {};
}

Result<std::optional<protocol::RebuildOffer>> Watcher::poll() {
  const auto wait = std::chrono::duration_cast<std::chrono::seconds>(m_rebuild.poll_wait).count();
  const std::string path = "/v1/hosts/" + m_host + "/rebuilds/next?wait=" + std::to_string(wait);
  auto response = VPS_TRY(m_client.send("GET", path));
  if (response.status == 204) return std::optional<protocol::RebuildOffer>();
  if (response.status != 200) return fail(net::api::response_error(response));
  return std::optional<protocol::RebuildOffer>(VPS_TRY(protocol::parse_rebuild_offer(response.body)));
}

Result<std::pair<std::string, std::int64_t>> Watcher::accept(const protocol::RebuildOffer& offer) {
  auto signed_request = VPS_TRY(protocol::parse_signed_rebuild_request(offer.request, offer.signature));
  // The list as configured now: an operator removed a moment ago is refused.
  const auto operators = VPS_TRY(m_operators.current());
  auto op = VPS_TRY(protocol::authorize_rebuild(signed_request, operators));
  const auto& request = signed_request.request;
  const std::int64_t last = VPS_TRY(load_last_sequence(m_state_file));
  VPS_CHECK(protocol::check_rebuild_applicable(request, m_host, m_client.key().fingerprint, last,
                                               clock::unix_millis()));
  // Recorded before the command starts: this request can never run twice.
  VPS_CHECK(store_last_sequence(m_state_file, request.sequence));
  log::notice("rebuild: accepted request sequence " + std::to_string(request.sequence) + " revision '" +
              request.revision + "' signed by operator " + op.name + " (" + op.fingerprint + ")");
  return std::pair<std::string, std::int64_t>(request.revision, request.sequence);
}

Handled Watcher::handle(const protocol::RebuildOffer& offer) {
  using protocol::RebuildReport;
  using protocol::RebuildState;
  auto only = [](RebuildState state) {
    RebuildReport r;
    r.state = state;
    return r;
  };
  Handled h;
  h.id = offer.id;
  report(h.id, only(RebuildState::picked));
  auto accepted = accept(offer);
  if (!accepted) {
    h.summary = "refused: " + accepted.error().message;
    log::warning("rebuild #" + std::to_string(h.id) + " refused, nothing run: " + accepted.error().message);
    report(h.id, RebuildReport{RebuildState::failed, {}, {}, "refused by host: " + accepted.error().message, {}});
    return h;
  }
  const std::string revision = accepted->first;
  const std::int64_t sequence = accepted->second;
  const auto argv = substitute_revision(m_rebuild.command, revision);
  m_status("rebuild #" + std::to_string(h.id) + ": running " + argv.front() + " for revision " + revision);
  report(h.id, only(RebuildState::running));
  h.ran = true;
  auto result = run_command(argv, {"VPS_REBUILD_REVISION=" + revision, "VPS_REBUILD_SEQUENCE=" + std::to_string(sequence)},
                            m_rebuild.timeout, k_output_tail_bytes);
  if (!result) {
    h.summary = "failed to start: " + result.error().message;
    report(h.id, RebuildReport{RebuildState::failed, {}, {}, h.summary, {}});
    return h;
  }
  h.succeeded = result->succeeded();
  h.summary = (h.succeeded ? "succeeded (" : "failed (") + result->describe() + ", " +
              describe_duration(result->duration) + ")";
  (h.succeeded ? log::notice : log::error)("rebuild #" + std::to_string(h.id) + " " + h.summary);
  RebuildReport done;
  done.state = h.succeeded ? RebuildState::succeeded : RebuildState::failed;
  done.exit_status = result->signal ? 128 + result->signal : result->exit_status;
  done.duration_ms = result->duration.count();
  done.output_tail = result->output_tail;
  if (!h.succeeded) done.reason = result->describe();
  report(h.id, done);
  return h;
}

void Watcher::report(std::int64_t id, const protocol::RebuildReport& report) {
  const std::string path = "/v1/hosts/" + m_host + "/rebuilds/" + std::to_string(id) + "/status";
  const std::string text = protocol::to_json_text(report);
  net::http::BackoffPolicy policy = m_backoff;
  policy.max_attempts = k_report_attempts;
  net::http::RetrySchedule schedule(policy);
  auto sent = net::http::retry<nlohmann::json>(schedule, [&](Millis) -> net::http::AttemptResult<nlohmann::json> {
    auto answer = m_client.call_json("POST", path, text);
    if (answer) return std::move(*answer);
    // A refusal (409: already final) will not change by retrying; the network may.
    const bool permanent = !net::http::is_retryable(answer.error().code);
    return tl::unexpected(net::http::AttemptFailure{std::move(answer).error(), permanent, std::nullopt});
  });
  if (!sent) {
    log::warning("rebuild #" + std::to_string(id) + ": reporting " + std::string(protocol::to_string(report.state)) +
                 " failed: " + sent.error().message);
  }
}

}  // namespace vps::host::rebuild
