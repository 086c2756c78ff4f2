// vps-enroll rebuild HOST: queue an operator-signed rebuild request (protocol/rebuild_request)
// for the host's `vps-agent watch`, and with --wait follow it to its result.
//
// Sequence choice: max(last + 1, Unix time in milliseconds). Milliseconds keep sequences
// increasing across operators on different machines without coordination (the host refuses
// any sequence not above the last it applied), and last + 1 still wins when a clock is behind.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include <vps/base/clock.hpp>
#include <vps/cli/duration_option.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/base/base64.hpp>
#include <vps/base/text.hpp>
#include <vps/cli/registry.hpp>
#include <vps/protocol/operator_sequence.hpp>
#include <vps/protocol/rebuild_request.hpp>
#include <vps/protocol/rebuild_state.hpp>

namespace {

using namespace vps;
using Json = nlohmann::json;

struct Options {
  enroll::client::OperatorOptions common;
  std::string host;
  std::string revision = "latest";
  std::string expires = "1h";
  std::string wait_timeout = "15m";
  bool wait = false;
};

std::int64_t int_or(const Json& j, const char* key, std::int64_t fallback) {
  return j.contains(key) && j[key].is_number_integer() ? j[key].get<std::int64_t>() : fallback;
}

std::string checked_in(const Json& rebuild) {
  const std::int64_t polled = int_or(rebuild, "last_poll_at", 0);
  if (polled == 0) return "it has never checked in";
  const std::int64_t ago = int_or(rebuild, "now", polled) - polled;
  return "it last checked in at " + enroll::client::format_time(polled) + " (" + std::to_string(ago) + " s ago)";
}

void progress(const Options& o, const std::string& line) {
  std::fprintf(o.common.json ? stderr : stdout, "%s\n", line.c_str());
  std::fflush(o.common.json ? stderr : stdout);
}

// The last lines of the command's output, for a failed rebuild. The host sent them: lines
// stay lines, every other control character arrives escaped.
void print_tail(const std::string& raw) {
  if (raw.empty()) return;
  const std::string tail = text::escape_control(raw, text::Newlines::keep);
  std::size_t start = tail.size();
  for (int lines = 0; start > 0 && lines <= 20; ++lines) {
    start = tail.rfind('\n', start - 1);
    if (start == std::string::npos) start = 0;
  }
  if (start > 0) ++start;
  std::fprintf(stderr, "--- output (tail) ---\n%s%s", tail.c_str() + start, tail.back() == '\n' ? "" : "\n");
}

Result<int> finish(const Options& o, const Json& r) {
  using protocol::RebuildState;
  const auto state = protocol::parse_rebuild_state(r.value("state", ""));
  const std::string id = "#" + std::to_string(int_or(r, "id", 0));
  if (o.common.json) enroll::client::print_json(r);
  if (state && *state == RebuildState::succeeded) {
    if (!o.common.json) {
      progress(o, "succeeded in " + std::to_string(int_or(r, "duration_ms", 0)) + " ms (exit status " +
                      std::to_string(int_or(r, "exit_status", 0)) + ")");
    }
    return 0;
  }
  if (state && *state == RebuildState::expired) {
    return fail(Errc::not_picked_up, "rebuild " + id + " expired before host '" + o.host + "' picked it up; " + checked_in(r));
  }
  print_tail(r.value("output_tail", ""));
  std::string why = r.value("reason", "");
  if (r.contains("exit_status") && r["exit_status"].is_number_integer()) {
    why += (why.empty() ? "" : "; ") + std::string("exit status ") + std::to_string(r["exit_status"].get<std::int64_t>());
  }
  return fail(Errc::rebuild_failed, "rebuild " + id + " failed on '" + o.host + "': " + (why.empty() ? "no reason given" : why));
}

// Progress comes from the timestamps, so a quick rebuild that went from queued to succeeded
// between two polls still shows every step.
Result<int> wait_for(const Options& o, net::api::SignedClient& client, const std::string& path, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool picked = false, running = false;
  Json r;
  while (true) {
    r = VPS_TRY(client.call_json("GET", path));
    const auto state = protocol::parse_rebuild_state(r.value("state", ""));
    if (!picked && int_or(r, "picked_at", 0) != 0) {
      picked = true;
      progress(o, "picked up by " + o.host);
    }
    if (!running && int_or(r, "started_at", 0) != 0) {
      running = true;
      progress(o, "running");
    }
    if (state && protocol::is_final(*state)) return finish(o, r);
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  const std::string id = "#" + std::to_string(int_or(r, "id", 0));
  if (!picked) {
    return fail(Errc::not_picked_up, "host '" + o.host + "' did not pick up rebuild " + id + " within " + o.wait_timeout + "; " +
                                         checked_in(r) + "; the request stays queued until " +
                                         enroll::client::format_time(int_or(r, "expires_at", 0)));
  }
  return fail(Errc::timeout, "rebuild " + id + " on '" + o.host + "' is still " + r.value("state", "") + " after " + o.wait_timeout);
}

Result<int> run_rebuild(const Options& o) {
  const std::string base = VPS_TRY(enroll::client::host_path(o.host)) + "/rebuilds";
  if (!protocol::valid_revision(o.revision)) {
    return fail(Errc::usage, "invalid --revision '" + o.revision + "' (1-128 of A-Z a-z 0-9 . _ / @ + -, not starting with '-')");
  }
  using std::chrono::hours;
  using std::chrono::seconds;
  const auto expires = VPS_TRY(cli::duration_option(o.expires, "--expires", seconds(1), hours(24 * 30)));
  const auto wait_timeout = VPS_TRY(cli::duration_option(o.wait_timeout, "--wait-timeout", seconds(1), hours(24 * 7)));
  auto client = VPS_TRY(enroll::client::connect(o.common));
  auto history = VPS_TRY(client.call_json("GET", base));
  if (!history.contains("host_key") || !history["host_key"].is_string())
    return fail(Errc::missing, "host '" + o.host + "' has no key yet (it has not published)");
  protocol::RebuildRequest request;
  request.host = o.host;
  request.host_key = history["host_key"].get<std::string>();
  request.revision = o.revision;
  const std::int64_t now_ms = clock::unix_millis();
  // Bounded by this machine's clock: a lying endpoint cannot make us sign a lock-out sequence.
  request.sequence = VPS_TRY(protocol::next_sequence(int_or(history, "last_sequence", 0), now_ms, "rebuild"));
  request.expires = now_ms / 1000 + std::chrono::duration_cast<seconds>(expires).count();
  auto signed_request = VPS_TRY(protocol::sign_rebuild_request(request, *client.key().signer));
  const Json body{{"request", signed_request.text}, {"signature", base64::encode(signed_request.signature)}};
  auto created = VPS_TRY(client.call_json("POST", base, body.dump()));
  const std::int64_t id = int_or(created, "id", 0);
  if (!o.wait) {
    if (o.common.json) return enroll::client::print_json(created);
    std::printf("queued rebuild #%lld for %s (revision %s, sequence %lld, expires %s)\n", static_cast<long long>(id),
                o.host.c_str(), o.revision.c_str(), static_cast<long long>(request.sequence),
                enroll::client::format_time(request.expires).c_str());
    return 0;
  }
  progress(o, "queued rebuild #" + std::to_string(id) + " for " + o.host + " (revision " + o.revision + ")");
  return wait_for(o, client, base + "/" + std::to_string(id), wait_timeout);
}

const bool registered = vps::cli::register_command(28, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "rebuild", "Ask HOST to rebuild (operator-signed request, see vps-agent watch)",
                                    [o] { return run_rebuild(*o); });
  sub->add_option("HOST", o->host, "Host name")->required();
  sub->add_option("--revision", o->revision, "Revision for the host's rebuild command (default: latest)")->option_text("REV");
  sub->add_option("--expires", o->expires, "The request is void after this (default 1h)")->option_text("DURATION");
  sub->add_flag("--wait", o->wait, "Follow the rebuild to its result");
  enroll::client::add_operator_options(*sub, o->common);
  sub->add_option("--wait-timeout", o->wait_timeout, "With --wait: give up after this (default 15m)")
      ->option_text("DURATION");
});

}  // namespace
