#include <vps/host/rebuild/watcher.hpp>

#include <algorithm>
#include <cctype>
#include <thread>

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

using Json = nlohmann::json;
using Millis = std::chrono::milliseconds;
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
                 trust::TrustedOperators operators, std::filesystem::path state_file, net::http::BackoffPolicy backoff)
    : m_client(std::move(client)),
      m_host(std::move(host)),
      m_endpoint(std::move(endpoint)),
      m_rebuild(std::move(rebuild)),
      m_operators(std::move(operators)),
      m_state_file(std::move(state_file)),
      m_backoff(backoff) {}

Status Watcher::run(const WatchLimits& limits, const std::function<void(const std::string&)>& status) {
  m_status = status;
  const auto started = std::chrono::steady_clock::now();
  auto out_of_time = [&] {
    return limits.max_time.count() > 0 && std::chrono::steady_clock::now() - started >= limits.max_time;
  };
  unsigned handled = 0, failures = 0;
  std::string last_line;
  auto say = [&](const std::string& line) {
    if (line != last_line) m_status(line);
    last_line = line;
  };
  while (!out_of_time() && (limits.max_requests == 0 || handled < limits.max_requests)) {
    auto polled = poll();
    if (!polled) {
      ++failures;
      const Millis delay = m_backoff.delay_before(std::min(failures + 1, 30u));
      say("waiting for the endpoint (" + polled.error().message + "), retrying in " + describe_duration(delay));
      const auto until = std::chrono::steady_clock::now() + delay;
      while (std::chrono::steady_clock::now() < until && !out_of_time()) std::this_thread::sleep_for(Millis(50));
      continue;
    }
    failures = 0;
    if (!*polled) {
      say("waiting for rebuild requests from " + m_endpoint);
      continue;
    }
    Handled h = handle(**polled);
    ++handled;
    say("rebuild #" + std::to_string(h.id) + ": " + h.summary);
  }
  return {};
}

Result<std::optional<Json>> Watcher::poll() {
  const auto wait = std::chrono::duration_cast<std::chrono::seconds>(m_rebuild.poll_wait).count();
  const std::string path = "/v1/hosts/" + m_host + "/rebuilds/next?wait=" + std::to_string(wait);
  auto response = VPS_TRY(m_client.send("GET", path));
  if (response.status == 204) return std::optional<Json>();
  if (response.status != 200) return fail(net::api::response_error(response));
  auto parsed = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("id") || !parsed["id"].is_number_integer()) {
    return fail(Errc::malformed, "endpoint answered rebuilds/next with an unexpected body");
  }
  return std::optional<Json>(std::move(parsed));
}

Result<std::pair<std::string, std::int64_t>> Watcher::accept(const Json& item) {
  if (!item.contains("request") || !item["request"].is_string() || !item.contains("signature") ||
      !item["signature"].is_string()) {
    return fail(Errc::malformed, "request or signature missing");
  }
  auto signed_request = VPS_TRY(protocol::parse_signed_rebuild_request(item["request"].get<std::string>(),
                                                                       item["signature"].get<std::string>()));
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

Handled Watcher::handle(const Json& item) {
  Handled h;
  h.id = item["id"].get<std::int64_t>();
  report(h.id, Json{{"state", protocol::to_string(protocol::RebuildState::picked)}});
  auto accepted = accept(item);
  if (!accepted) {
    h.summary = "refused: " + accepted.error().message;
    log::warning("rebuild #" + std::to_string(h.id) + " refused, nothing run: " + accepted.error().message);
    report(h.id, Json{{"state", "failed"}, {"reason", "refused by host: " + accepted.error().message}});
    return h;
  }
  const auto& [revision, sequence] = *accepted;
  const auto argv = substitute_revision(m_rebuild.command, revision);
  m_status("rebuild #" + std::to_string(h.id) + ": running " + argv.front() + " for revision " + revision);
  report(h.id, Json{{"state", protocol::to_string(protocol::RebuildState::running)}});
  h.ran = true;
  auto result = run_command(argv, {"VPS_REBUILD_REVISION=" + revision, "VPS_REBUILD_SEQUENCE=" + std::to_string(sequence)},
                            m_rebuild.timeout, k_output_tail_bytes);
  if (!result) {
    h.summary = "failed to start: " + result.error().message;
    report(h.id, Json{{"state", "failed"}, {"reason", h.summary}});
    return h;
  }
  h.succeeded = result->succeeded();
  h.summary = (h.succeeded ? "succeeded (" : "failed (") + result->describe() + ", " +
              describe_duration(result->duration) + ")";
  (h.succeeded ? log::notice : log::error)("rebuild #" + std::to_string(h.id) + " " + h.summary);
  Json body{{"state", protocol::to_string(h.succeeded ? protocol::RebuildState::succeeded : protocol::RebuildState::failed)},
            {"exit_status", result->signal ? 128 + result->signal : result->exit_status},
            {"duration_ms", result->duration.count()},
            {"output_tail", result->output_tail}};
  if (!h.succeeded) body["reason"] = result->describe();
  report(h.id, std::move(body));
  return h;
}

void Watcher::report(std::int64_t id, Json body) {
  const std::string path = "/v1/hosts/" + m_host + "/rebuilds/" + std::to_string(id) + "/status";
  // Reasons quote error messages, which may quote bytes from the endpoint: never let one
  // invalid UTF-8 byte turn a report into an exception.
  const std::string text = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  net::http::BackoffPolicy policy = m_backoff.policy();
  policy.max_attempts = k_report_attempts;
  net::http::RetrySchedule schedule(policy);
  auto sent = net::http::retry<Json>(schedule, [&](Millis) -> net::http::AttemptResult<Json> {
    auto answer = m_client.call_json("POST", path, text);
    if (answer) return std::move(*answer);
    // A refusal (409: already final) will not change by retrying; the network may.
    const bool permanent = !net::http::is_retryable(answer.error().code);
    return tl::unexpected(net::http::AttemptFailure{std::move(answer).error(), permanent, std::nullopt});
  });
  if (!sent) {
    log::warning("rebuild #" + std::to_string(id) + ": reporting " + body.value("state", "") +
                 " failed: " + sent.error().message);
  }
}

}  // namespace vps::host::rebuild
