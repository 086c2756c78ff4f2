#include <vps/enroll/client/rollout.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <vps/base/text.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/rebuild.hpp>
#include <vps/protocol/rebuild_state.hpp>

namespace vps::enroll::client {

namespace {

using Clock = std::chrono::steady_clock;

// Past its expiry the endpoint may still show a request "queued" until it next looks at it; a
// little grace lets its own "expired" arrive first, and the local deadline ends the wait anyway.
constexpr Millis k_pickup_grace{2000};

std::int64_t millis_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string seconds_text(std::int64_t ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buffer;
}

// One host of the running batch.
struct Tracked {
  HostOutcome* outcome = nullptr;
  Clock::time_point pickup_deadline;
  std::optional<Clock::time_point> run_deadline;  // set when it was picked up
  bool done = false;
  std::string last_error;  // the endpoint's last refusal while following it
};

class Rollout {
 public:
  Rollout(net::api::SignedClient& client, const RolloutOptions& options) : m_client(client), m_options(options) {}

  RolloutResult run() {
    const auto started = Clock::now();
    for (const auto& host : m_options.hosts) {
      HostOutcome h;
      h.host = host;
      h.revision = m_options.revision;
      m_result.hosts.push_back(std::move(h));
    }
    std::size_t next = 0;
    const std::size_t total = m_result.hosts.size();
    while (next < total) {
      const bool canary = m_result.batches == 0 && m_options.canary > 0;
      const std::size_t size = std::min(canary ? m_options.canary : m_options.batch, total - next);
      run_batch(next, size, canary);
      next += size;
      if (next < total && !m_options.keep_going && stop_now(next, size)) break;
    }
    m_result.elapsed_ms = millis_since(started);
    return std::move(m_result);
  }

 private:
  void say(const std::string& line) {
    if (m_options.progress) m_options.progress(line);
  }

  // True (and the result says why) when the batch that just ran [first, first + size) holds a
  // host whose outcome stops the rollout.
  bool stop_now(std::size_t end, std::size_t size) {
    std::vector<std::string> stoppers;
    for (std::size_t i = end - size; i < end; ++i)
      if (m_result.hosts[i].stops()) stoppers.push_back(m_result.hosts[i].host + " " + m_result.hosts[i].outcome);
    if (stoppers.empty()) return false;
    m_result.stopped = true;
    m_result.stop_reason = "batch " + std::to_string(m_result.batches) + ": " + text::join(stoppers, ", ") + "; " +
                           std::to_string(m_result.hosts.size() - end) +
                           " host(s) not started (--keep-going carries on past a failure)";
    say("stopping: " + m_result.stop_reason);
    return true;
  }

  void run_batch(std::size_t first, std::size_t size, bool canary) {
    const std::size_t number = ++m_result.batches;
    std::vector<std::string> names;
    for (std::size_t i = first; i < first + size; ++i) names.push_back(m_result.hosts[i].host);
    say("batch " + std::to_string(number) + (canary ? " (canary)" : "") + ": " + text::join(names, ", "));
    std::vector<Tracked> batch;
    for (std::size_t i = first; i < first + size; ++i) {
      HostOutcome& h = m_result.hosts[i];
      h.batch = number;
      auto queued = queue_rebuild(m_client, RebuildOrder{h.host, h.revision, m_options.pickup});
      if (!queued) {
        h.outcome = "refused";
        h.reason = queued.error().message;
        say(h.host + ": not queued: " + text::escape_control(h.reason));
        continue;
      }
      h.id = queued->view.id;
      Tracked t;
      t.outcome = &h;
      t.pickup_deadline = Clock::now() + m_options.pickup + k_pickup_grace;
      batch.push_back(std::move(t));
    }
    follow(batch);
  }

  // Looks at every unfinished host of the batch until none is left; each look is bounded by a
  // deadline (pick-up, then run), so the loop ends.
  void follow(std::vector<Tracked>& batch) {
    while (true) {
      bool left = false;
      for (auto& t : batch) {
        if (t.done) continue;
        look(t);
        left = left || !t.done;
      }
      if (!left) return;
      std::this_thread::sleep_for(m_options.interval);
    }
  }

  void look(Tracked& t) {
    HostOutcome& h = *t.outcome;
    auto view = read_rebuild(m_client, h.host, *h.id);
    const auto now = Clock::now();
    if (!view) {
      t.last_error = view.error().message;
    } else {
      const auto& r = *view;
      if (r.picked_at.value_or(0) != 0 && !t.run_deadline) {
        t.run_deadline = now + m_options.run_timeout;
        say(h.host + ": picked up");
      }
      if (protocol::is_final(r.state)) {
        finish(t, r);
        return;
      }
    }
    if (!t.run_deadline && now >= t.pickup_deadline) {
      t.done = true;
      h.outcome = "skipped";
      h.reason = "not picked up within " + seconds_text(m_options.pickup.count()) + " (the request has expired)";
      if (!t.last_error.empty()) h.reason += "; endpoint: " + t.last_error;
      say(h.host + ": skipped: " + h.reason);
    } else if (t.run_deadline && now >= *t.run_deadline) {
      t.done = true;
      h.outcome = "timeout";
      h.reason = "still running " + seconds_text(m_options.run_timeout.count()) + " after it was picked up";
      if (!t.last_error.empty()) h.reason += "; endpoint: " + t.last_error;
      say(h.host + ": " + h.reason);
    }
  }

  void finish(Tracked& t, const protocol::RebuildView& r) {
    HostOutcome& h = *t.outcome;
    t.done = true;
    h.duration_ms = r.duration_ms;
    h.reason = failure_reason(r);
    if (r.state == protocol::RebuildState::expired) {
      h.outcome = "skipped";
      if (h.reason.empty()) h.reason = "not picked up before the request expired";
    } else {
      h.outcome = std::string(protocol::to_string(r.state));
    }
    std::string line = h.host + ": " + h.outcome;
    if (h.duration_ms) line += " in " + seconds_text(*h.duration_ms);
    if (!h.reason.empty()) line += " (" + text::escape_control(h.reason) + ")";
    say(line);
  }

  net::api::SignedClient& m_client;
  const RolloutOptions& m_options;
  RolloutResult m_result;
};

}  // namespace

bool HostOutcome::stops() const { return outcome != "succeeded" && outcome != "skipped" && outcome != "not-started"; }

Result<std::vector<std::string>> parse_host_list(const std::string& text) {
  std::vector<std::string> hosts;
  std::set<std::string> seen;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string name(text::trim(std::string_view(text).substr(pos, comma - pos)));
    if (name.empty()) return fail(Errc::usage, "--hosts: an empty name in '" + text + "' (use a,b,c)");
    VPS_CHECK(host_path(name));
    if (!seen.insert(name).second) return fail(Errc::usage, "--hosts: '" + name + "' is listed twice");
    hosts.push_back(name);
    pos = comma + 1;
  }
  return hosts;
}

Status check_rollout(const RolloutOptions& options) {
  if (options.hosts.empty()) return fail(Errc::usage, "rebuild: no hosts to roll out to");
  if (options.batch == 0) return fail(Errc::usage, "--batch must be at least 1");
  std::set<std::string> seen;
  for (const auto& host : options.hosts) {
    VPS_CHECK(check_rebuild_order(host, options.revision));
    if (!seen.insert(host).second) return fail(Errc::usage, "rebuild: host '" + host + "' is listed twice");
  }
  return {};
}

Result<RolloutResult> run_rollout(net::api::SignedClient& client, const RolloutOptions& options) {
  VPS_CHECK(check_rollout(options));
  return Rollout(client, options).run();
}

Status rollout_outcome(const RolloutResult& result) {
  std::vector<std::string> stopped, skipped;
  for (const auto& h : result.hosts) {
    if (h.stops()) stopped.push_back(h.host + " " + h.outcome);
    else if (h.outcome == "skipped") skipped.push_back(h.host);
  }
  if (!stopped.empty()) return fail(Errc::rebuild_failed, "rollout: " + text::join(stopped, ", "));
  if (!skipped.empty()) return fail(Errc::not_picked_up, "rollout: not picked up (skipped): " + text::join(skipped, ", "));
  return {};
}

nlohmann::json to_json(const RolloutResult& result) {
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& h : result.hosts) {
    hosts.push_back({{"host", h.host},
                     {"revision", h.revision},
                     {"state", h.outcome},
                     {"batch", h.batch},
                     {"id", h.id ? nlohmann::json(*h.id) : nlohmann::json(nullptr)},
                     {"duration_ms", h.duration_ms ? nlohmann::json(*h.duration_ms) : nlohmann::json(nullptr)},
                     {"reason", h.reason}});
  }
  return {{"hosts", std::move(hosts)},
          {"batches", result.batches},
          {"stopped", result.stopped},
          {"stop_reason", result.stop_reason},
          {"elapsed_ms", result.elapsed_ms}};
}

std::string summary_table(const RolloutResult& result) {
  std::size_t width = 4;
  for (const auto& h : result.hosts) width = std::max(width, h.host.size());
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-*s %-16s %-15s %-9s %s\n", static_cast<int>(width), "HOST", "REVISION", "STATE",
                "DURATION", "REASON");
  out += line;
  for (const auto& h : result.hosts) {
    const std::string duration = h.duration_ms ? seconds_text(*h.duration_ms) : "-";
    std::snprintf(line, sizeof line, "%-*s %-16s %-15s %-9s ", static_cast<int>(width), h.host.c_str(),
                  h.revision.c_str(), h.outcome.c_str(), duration.c_str());
    out += line;
    out += text::escape_control(h.reason.empty() ? "-" : h.reason) + "\n";
  }
  return out;
}

}  // namespace vps::enroll::client
