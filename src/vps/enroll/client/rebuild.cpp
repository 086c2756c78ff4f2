#include <vps/enroll/client/rebuild.hpp>

#include <thread>

#include <vps/base/base64.hpp>
#include <vps/base/clock.hpp>
#include <vps/base/text.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/protocol/operator_sequence.hpp>
#include <vps/protocol/rebuild_request.hpp>

namespace vps::enroll::client {

namespace {

std::string number(std::int64_t id) { return "#" + std::to_string(id); }

}  // namespace

Status check_rebuild_order(const std::string& host, const std::string& revision) {
  VPS_CHECK(host_path(host));
  if (!protocol::valid_revision(revision)) {
    return fail(Errc::usage,
                "invalid --revision '" + revision + "' (1-128 of A-Z a-z 0-9 . _ / @ + -, not starting with '-')");
  }
  return {};
}

Result<QueuedRebuild> queue_rebuild(net::api::SignedClient& client, const RebuildOrder& order) {
  VPS_CHECK(check_rebuild_order(order.host, order.revision));
  const std::string base = VPS_TRY(host_path(order.host)) + "/rebuilds";
  const auto answer = VPS_TRY(client.call_json("GET", base));
  auto history = VPS_TRY(protocol::parse_rebuild_history(answer));
  if (!history.host_key) return fail(Errc::missing, "host '" + order.host + "' has no key yet (it has not published)");
  protocol::RebuildRequest request;
  request.host = order.host;
  request.host_key = *history.host_key;
  request.revision = order.revision;
  const std::int64_t now_ms = clock::unix_millis();
  // Bounded by this machine's clock: a lying endpoint cannot make us sign a lock-out sequence.
  request.sequence = VPS_TRY(protocol::next_sequence(history.last_sequence, now_ms, "rebuild"));
  request.expires = now_ms / 1000 + std::chrono::duration_cast<std::chrono::seconds>(order.expires).count();
  auto signed_request = VPS_TRY(protocol::sign_rebuild_request(request, *client.key().signer));
  const protocol::RebuildSubmission body{signed_request.text, base64::encode(signed_request.signature)};
  QueuedRebuild queued;
  queued.answer = VPS_TRY(client.call_json("POST", base, protocol::to_json(body).dump()));
  queued.view = VPS_TRY(protocol::parse_rebuild_view(queued.answer));
  queued.sequence = request.sequence;
  queued.expires = request.expires;
  return queued;
}

Result<protocol::RebuildView> read_rebuild(net::api::SignedClient& client, const std::string& host, std::int64_t id,
                                           nlohmann::json* answer) {
  const std::string path = VPS_TRY(host_path(host)) + "/rebuilds/" + std::to_string(id);
  auto body = VPS_TRY(client.call_json("GET", path));
  auto view = VPS_TRY(protocol::parse_rebuild_view(body));
  if (answer) *answer = std::move(body);
  return view;
}

Result<FinishedRebuild> wait_for_rebuild(net::api::SignedClient& client, const std::string& host, std::int64_t id,
                                         const WaitOptions& options) {
  VPS_CHECK(host_path(host));
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  auto say = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  bool picked = false, running = false;
  FinishedRebuild last;
  while (true) {
    last.view = VPS_TRY(read_rebuild(client, host, id, &last.answer));
    const auto& r = last.view;
    if (!picked && r.picked_at.value_or(0) != 0) {
      picked = true;
      say("picked up by " + host);
    }
    if (!running && r.started_at.value_or(0) != 0) {
      running = true;
      say("running");
    }
    if (protocol::is_final(r.state)) return last;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(options.interval);
  }
  const auto& r = last.view;
  if (!picked) {
    return fail(Errc::not_picked_up, "host '" + host + "' did not pick up rebuild " + number(r.id) + " within " +
                                         options.timeout_text + "; " + checked_in(r) +
                                         "; the request stays queued until " + format_time(r.expires_at));
  }
  return fail(Errc::timeout, "rebuild " + number(r.id) + " on '" + host + "' is still " +
                                 std::string(protocol::to_string(r.state)) + " after " + options.timeout_text);
}

Status rebuild_outcome(const protocol::RebuildView& r, const std::string& host) {
  using protocol::RebuildState;
  if (r.state == RebuildState::succeeded) return {};
  if (r.state == RebuildState::expired) {
    return fail(Errc::not_picked_up,
                "rebuild " + number(r.id) + " expired before host '" + host + "' picked it up; " + checked_in(r));
  }
  const std::string why = failure_reason(r);
  return fail(Errc::rebuild_failed,
              "rebuild " + number(r.id) + " failed on '" + host + "': " + (why.empty() ? "no reason given" : why));
}

std::string failure_reason(const protocol::RebuildView& r) {
  std::string why = r.reason;
  if (r.exit_status && r.state != protocol::RebuildState::succeeded)
    why += (why.empty() ? "" : "; ") + std::string("exit status ") + std::to_string(*r.exit_status);
  return why;
}

std::string checked_in(const protocol::RebuildView& r) {
  const std::int64_t polled = r.last_poll_at ? r.last_poll_at->value_or(0) : 0;
  if (polled == 0) return "it has never checked in";
  const std::int64_t ago = r.now.value_or(polled) - polled;
  return "it last checked in at " + format_time(polled) + " (" + std::to_string(ago) + " s ago)";
}

std::string output_tail_lines(const std::string& raw, int lines) {
  if (raw.empty()) return {};
  const std::string tail = text::escape_control(raw, text::Newlines::keep);
  std::size_t start = tail.size();
  for (int seen = 0; start > 0 && seen <= lines; ++seen) {
    start = tail.rfind('\n', start - 1);
    if (start == std::string::npos) start = 0;
  }
  if (start > 0) ++start;
  std::string out = tail.substr(start);
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

}  // namespace vps::enroll::client
