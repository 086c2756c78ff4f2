#include <vps/host/rebuild/watcher.hpp>

#include <algorithm>
#include <cctype>
#include <thread>

#include <vps/base/log.hpp>
#include <vps/host/identity/hostname.hpp>
#include <vps/host/rebuild/command_runner.hpp>
#include <vps/host/rebuild/sequence_file.hpp>
#include <vps/host/state/state.hpp>
#include <vps/protocol/operator_sequence.hpp>
#include <vps/protocol/rebuild_request.hpp>

namespace vps::host::rebuild {

namespace {

using Json = nlohmann::json;
using Millis = std::chrono::milliseconds;
constexpr unsigned k_report_attempts = 5;

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

Result<Watcher> Watcher::open(const config::Config& config, const std::filesystem::path& root,
                              const std::string& config_path) {
  const auto& r = config.rebuild;
  if (r.command.empty()) return fail(Errc::config, "rebuild: no command configured (rebuild.command)");
  if (config.enrollment.endpoint.empty()) return fail(Errc::config, "rebuild: no endpoint configured (enrollment.endpoint)");
  trust::TrustedOperators operators(root, config_path, config);
  VPS_CHECK(operators.current().map_error([](Error e) { return std::move(e).context("rebuild"); }));
  net::http::ClientOptions options;
  options.allow_insecure = config.enrollment.allow_insecure_http;
  if (!config.enrollment.ca_file.empty()) options.ca_file = config.enrollment.ca_file;
  // A long poll answers after up to poll_wait: the read deadline must outlast it.
  options.io_timeout = r.poll_wait + config.enrollment.retry.attempt_timeout;
  options.total_timeout = options.io_timeout + Millis(10000);
  options.connect_timeout = std::min(config.enrollment.retry.attempt_timeout, Millis(10000));
  auto url = net::http::parse_url(config.enrollment.endpoint);
  if (!url) return fail(std::move(url).error().context("enrollment endpoint"));
  if (auto allowed = net::http::check_destination(*url, options); !allowed) {
    return fail(std::move(allowed).error().context("enrollment endpoint"));
  }
  auto key = net::api::load_signing_key(config.identity.host_key);
  if (!key) return fail(std::move(key).error().context("host key for signed requests"));
  net::http::BackoffPolicy backoff;
  backoff.initial_delay = config.enrollment.retry.initial_delay;
  backoff.max_delay = config.enrollment.retry.max_delay;
  const auto state_file = sequence_file_path(config);
  VPS_CHECK(load_last_sequence(state_file));  // a corrupt guard stops us at startup
  return Watcher(net::api::SignedClient(*url, std::move(*key), options), lower(identity::host_name(root)),
                 url->to_string(), r, std::move(operators), state_file, backoff);
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
      say("waiting for the endpoint (" + polled.error().message + "), retrying in " + net::http::format_duration(delay));
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
                                               protocol::unix_millis()));
  // Recorded before the command starts: this request can never run twice.
  VPS_CHECK(store_last_sequence(m_state_file, request.sequence));
  log::notice("rebuild: accepted request sequence " + std::to_string(request.sequence) + " revision '" +
              request.revision + "' signed by operator " + op.name + " (" + op.fingerprint + ")");
  return std::pair<std::string, std::int64_t>(request.revision, request.sequence);
}

Handled Watcher::handle(const Json& item) {
  Handled h;
  h.id = item["id"].get<std::int64_t>();
  report(h.id, Json{{"state", "picked"}});
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
  report(h.id, Json{{"state", "running"}});
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
              net::http::format_duration(result->duration) + ")";
  (h.succeeded ? log::notice : log::error)("rebuild #" + std::to_string(h.id) + " " + h.summary);
  Json body{{"state", h.succeeded ? "succeeded" : "failed"},
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
  for (unsigned attempt = 1; attempt <= k_report_attempts; ++attempt) {
    auto sent = m_client.call_json("POST", path, text);
    if (sent) return;
    // A refusal (409: already final) will not change by retrying; the network may.
    if (!net::http::is_retryable(sent.error().code) || attempt == k_report_attempts) {
      log::warning("rebuild #" + std::to_string(id) + ": reporting " + body.value("state", "") +
                   " failed: " + sent.error().message);
      return;
    }
    std::this_thread::sleep_for(m_backoff.delay_before(attempt + 1));
  }
}

}  // namespace vps::host::rebuild
