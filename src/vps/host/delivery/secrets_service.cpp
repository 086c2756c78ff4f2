#include <vps/host/delivery/secrets_service.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <vps/base/clock.hpp>
#include <vps/base/hex.hpp>
#include <vps/base/log.hpp>
#include <vps/config/load.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/host/delivery/bundle_fetcher.hpp>
#include <vps/host/delivery/bundle_poller.hpp>
#include <vps/host/delivery/host_identity.hpp>
#include <vps/host/delivery/sources.hpp>
#include <vps/host/delivery/watch.hpp>
#include <vps/host/secrets/activation.hpp>
#include <vps/host/secrets/status.hpp>
#include <vps/host/systemd/units.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>
#include <vps/sys/systemd/notify.hpp>

namespace vps::host::delivery {

namespace {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

// How often we retry without an event, and the EXTEND_TIMEOUT_USEC margin beyond it.
constexpr Millis k_poll_interval = std::chrono::seconds(5);
constexpr Millis k_extend_margin = std::chrono::seconds(30);
// While a source settles (written in place), look again soon: it becomes an error once stable.
constexpr Millis k_settle_poll = std::chrono::milliseconds(500);
// Following with nothing missing: a round now and then catches a directory created after start
// (inotify watches only what existed).
constexpr Millis k_idle_interval = std::chrono::seconds(60);

std::string waiting_status(const HostIdentity& host, const Pending& pending) {
  const std::string me = host.age_recipient + " (" + host.fingerprint + ")";
  if (pending.code == Errc::missing)
    return "waiting for enrollment: " + pending.source.string() + " does not exist yet; this host is " + me;
  if (pending.code == Errc::malformed)
    return "waiting for " + pending.source.string() + " to settle: changed less than " +
           std::to_string(k_settle_window.count()) + "s ago and does not parse yet";
  return "waiting for enrollment: " + me + " not among recipients of " + pending.source.string();
}

bool any_settling(const std::vector<Pending>& pending) {
  return std::any_of(pending.begin(), pending.end(), [](const auto& p) { return p.code == Errc::malformed; });
}

// Restart/reload/start through systemd, or (another system's tree under --root) only say what
// would be done: its units are not ours.
void apply_units(const SecretsRun& run, const std::vector<std::string>& restart, const std::vector<std::string>& reload,
                 const std::vector<std::string>& start) {
  if (restart.empty() && reload.empty() && start.empty()) return;
  if (run.no_restart) {
    log::notice("secrets changed; --no-restart: not restarting, reloading or starting units");
    return;
  }
  Status st;
  if (run.root != "/") {
    systemd::DryRunUnitManager dry;
    st = systemd::apply_unit_actions(dry, restart, reload, start);
    for (const auto& [action, unit] : dry.calls())
      log::notice("would " + std::string(systemd::action_name(action)) + " " + unit + " (--root)");
  } else {
    auto bus = systemd::BusUnitManager::connect_system();
    st = bus ? systemd::apply_unit_actions(**bus, restart, reload, start) : Status(fail(bus.error()));
  }
  // The new secrets are live either way; a unit that failed to restart is reported, not undone.
  if (!st) log::error("restarting units: " + st.error().message);
}

// One source of truth for what a generation would hold: names, options and bytes. Kept in
// memory only (a digest of secrets is not written anywhere).
std::string generation_digest(const std::vector<secrets::Material>& materials,
                              const std::vector<secrets::TemplateSpec>& templates) {
  crypto::Sha256 hash;
  auto field = [&](std::string_view text) {
    const std::string size = std::to_string(text.size()) + ":";
    hash.update(as_bytes(size));
    hash.update(as_bytes(text));
  };
  auto units = [&](const std::vector<std::string>& list) {
    for (const auto& u : list) field(u);
    field("|");
  };
  for (const auto& m : materials) {
    field("secret");
    field(m.spec.name);
    field(m.spec.path ? m.spec.path->string() : "");
    field(m.spec.owner);
    field(m.spec.group);
    field(std::to_string(m.spec.mode));
    units(m.spec.restart_units);
    units(m.spec.reload_units);
    field(std::string_view(reinterpret_cast<const char*>(m.plaintext.data()), m.plaintext.size()));
  }
  for (const auto& t : templates) {
    field("template");
    field(t.name);
    field(t.path ? t.path->string() : "");
    field(t.owner);
    field(t.group);
    field(std::to_string(t.mode));
    units(t.restart_units);
    units(t.reload_units);
    field(t.content);
  }
  return hex::encode(hash.finish());
}

// Everything one configuration needs while following: rebuilt when SIGHUP brings a new config.
struct Session {
  config::Config config;
  HostIdentity host;
  DirWatch watch;
  std::optional<BundleFetcher> fetcher;
  std::unique_ptr<BundlePoller> poller;
  std::string endpoint_note;  // why fetching is off, or the last round's refusals
};

Result<std::unique_ptr<Session>> open_session(const SecretsRun& run) {
  auto config = VPS_TRY(config::load(run.root, run.config_path));
  auto host = VPS_TRY(load_host_identity(config.identity.host_key));
  auto watch = VPS_TRY(DirWatch::open(watch_dirs(config.secrets)));
  auto session = std::unique_ptr<Session>(new Session{std::move(config), std::move(host), std::move(watch), {}, {}, {}});
  // A bad endpoint setting must not stop secrets that are already decryptable: warn, go on.
  auto fetcher = BundleFetcher::open(session->config, run.root, run.config_path);
  if (!fetcher) {
    session->endpoint_note = "not fetching from the endpoint: " + fetcher.error().message;
    log::warning("secrets: " + session->endpoint_note);
  } else if (*fetcher) {
    session->fetcher = std::move(*fetcher);
    auto poller = BundlePoller::start(session->config, run.root, configured_endpoint(session->config));
    if (poller) session->poller = std::move(*poller);
    else log::warning("secrets: not subscribing to the endpoint: " + poller.error().message);
  }
  return session;
}

// Every configured source, as the fetcher's "wanted" list: while following, a newer signed
// push replaces a source the host can already read (rotation); the sequence check keeps it
// from going back.
std::vector<Pending> every_source(const config::Secrets& secrets) {
  std::vector<Pending> all;
  for (const auto& file : secrets.files) all.push_back({file.source, Errc::no_identity, ""});
  return all;
}

class Follower {
 public:
  Follower(const SecretsRun& run, std::unique_ptr<Session> session, sys::Fd signals)
      : m_run(run), m_session(std::move(session)), m_signals(std::move(signals)) {
    m_status.started_at = clock::unix_seconds();
  }

  Result<int> run() {
    for (;;) {
      VPS_CHECK(round());
      VPS_CHECK(wait());
    }
  }

 private:
  const SecretsRun& m_run;
  std::unique_ptr<Session> m_session;
  sys::Fd m_signals;
  secrets::SecretsStatus m_status;
  std::optional<std::string> m_digest;  // of the active generation
  std::map<std::string, std::int64_t> m_since;
  std::set<std::string> m_blocked;  // units held back after the previous round (never running)
  std::map<std::string, protocol::BundleReport> m_outcomes;  // the last outcome per bundle name
  std::string m_reported;  // the last report the endpoint took (without updated_at)
  bool m_ready = false;
  bool m_settling = false;
  std::string m_last_line;

  const config::Secrets& secrets() const { return m_session->config.secrets; }

  // Secrets whose source is unusable now but that the active generation holds keep that value.
  void carry_over(Collected& collected, const secrets::ActivationOptions& options,
                  std::vector<secrets::UnavailableSecret>& entries) {
    const auto now = clock::unix_seconds();
    for (const auto& u : collected.unavailable) {
      secrets::UnavailableSecret entry{u.name, u.source.string(), u.reason, u.waiting, false, 0, u.units};
      auto [it, inserted] = m_since.try_emplace(u.name, now);
      entry.since = it->second;
      const bool is_template = u.name.rfind("rendered/", 0) == 0;
      if (!is_template && m_status.generation) {
        const config::SecretFile* file = nullptr;
        for (const auto& f : secrets().files)
          if (f.name == u.name) file = &f;
        auto previous = sys::read_secret_file(options.link / u.name);
        if (previous && file) {
          secrets::SecretSpec spec{file->name, file->path, file->owner, file->group, static_cast<mode_t>(file->mode),
                                   file->restart_units, file->reload_units};
          collected.materials.push_back({std::move(spec), std::move(*previous)});
          entry.stale = true;
        }
      }
      entries.push_back(std::move(entry));
    }
    for (auto it = m_since.begin(); it != m_since.end();) {
      const bool still = std::any_of(collected.unavailable.begin(), collected.unavailable.end(),
                                     [&](const auto& u) { return u.name == it->first; });
      it = still ? std::next(it) : m_since.erase(it);
    }
  }

  Status round() {
    auto collected = VPS_TRY(collect(secrets(), formats::age::pointers(m_session->host.identities)));
    const auto options = activation_options(secrets());
    std::vector<secrets::UnavailableSecret> entries;
    carry_over(collected, options, entries);
    m_settling = any_settling(collected.pending);

    std::set<std::string> blocked;
    for (const auto& e : entries)
      if (!e.stale) blocked.insert(e.units.begin(), e.units.end());

    std::optional<secrets::ActivationReport> report;
    const std::string digest = generation_digest(collected.materials, collected.templates);
    if (!m_digest || *m_digest != digest) {
      auto activated = secrets::activate(collected.materials, collected.templates, options);
      if (!activated) {
        // The previous generation stays; nothing else can be done until the input changes.
        if (!m_ready) return fail(activated.error().context("activating secrets"));
        log::error("secrets: activating a new generation: " + activated.error().message + " (generation " +
                   std::to_string(m_status.generation.value_or(0)) + " stays active)");
      } else {
        for (const auto& error : activated->errors) log::warning("after switching generation: " + error.message);
        m_digest = digest;
        m_status.generation = activated->generation;
        report = std::move(*activated);
        log::notice("secrets: active generation " + std::to_string(report->generation) + " (" +
                    std::to_string(collected.materials.size()) + " secrets, " + std::to_string(report->changed.size()) +
                    " changed, " + std::to_string(entries.size()) + " unavailable)");
      }
    }

    m_status.updated_at = clock::unix_seconds();
    m_status.active.clear();
    for (const auto& m : collected.materials) m_status.active.push_back(m.spec.name);
    for (const auto& t : collected.templates) m_status.active.push_back("rendered/" + t.name);
    m_status.unavailable = std::move(entries);
    m_status.blocked_units.assign(blocked.begin(), blocked.end());
    m_status.endpoint = endpoint_line();
    // The status first, then the gate records (status.hpp: the race the order closes).
    if (auto written = secrets::write_status(options.mount.mount_point, m_status); !written)
      log::warning("secrets: " + written.error().message);
    std::vector<std::string> start;
    if (auto gated = secrets::gated_units(options.mount.mount_point)) {
      for (const auto& unit : *gated) {
        if (blocked.count(unit)) continue;
        start.push_back(unit);
        (void)secrets::clear_gated(options.mount.mount_point, unit);
      }
    }
    // Restart or reload only units that may be running: not on the first activation (nothing
    // has started yet), and not units held back now or until this round (their gate kept them
    // from starting; they are started above if they asked to be).
    std::vector<std::string> restart, reload;
    auto running = [&](const std::string& u) { return !blocked.count(u) && !m_blocked.count(u); };
    if (report && report->previous) {
      for (const auto& u : report->restart_units)
        if (running(u)) restart.push_back(u);
      for (const auto& u : report->reload_units)
        if (running(u)) reload.push_back(u);
    }
    m_blocked = blocked;
    apply_units(m_run, restart, reload, start);
    report_to_endpoint();
    return notify();
  }

  // Tells the endpoint what this host has and waits for, when that changed (the operator's
  // `vps-enroll show`). A failure is logged and retried after the next round.
  void report_to_endpoint() {
    if (!m_session->fetcher) return;
    protocol::SecretsReport report;
    report.generation = m_status.generation;
    for (const auto& u : m_status.unavailable) {
      if (u.stale || report.pending.size() >= protocol::k_max_secrets_report_items) continue;
      report.pending.push_back({report_text(u.name), report_text(u.source), report_text(u.reason)});
    }
    for (const auto& [name, outcome] : m_outcomes) {
      if (report.bundles.size() >= protocol::k_max_secrets_report_items) break;
      report.bundles.push_back(outcome);
    }
    auto text = protocol::serialize_secrets_report(report);
    if (!text || *text == m_reported) return;
    report.updated_at = clock::unix_seconds();
    if (auto sent = m_session->fetcher->report(report); !sent) {
      log::info("secrets: reporting to the endpoint: " + sent.error().message);
      return;
    }
    m_reported = *text;
  }

  std::string endpoint_line() const {
    std::string line = m_session->poller ? m_session->poller->state() : std::string();
    if (!m_session->endpoint_note.empty()) line += (line.empty() ? "" : "; ") + m_session->endpoint_note;
    return line;
  }

  Status notify() {
    std::string line = "active generation " + std::to_string(m_status.generation.value_or(0));
    std::size_t missing = 0, stale = 0;
    const secrets::UnavailableSecret* first = nullptr;
    for (const auto& u : m_status.unavailable) {
      if (u.stale) ++stale;
      else {
        ++missing;
        if (!first) first = &u;
      }
    }
    if (first) {
      line += std::string(first->waiting ? "; waiting for enrollment" : "; waiting for a usable source") + " since " +
              clock::utc_readable(m_status.waiting_since()) + ": " + std::to_string(missing) + " secret(s) missing, " +
              first->name + " (" + first->reason + "); this host is " + m_session->host.age_recipient;
      if (!m_status.blocked_units.empty()) line += "; holding " + std::to_string(m_status.blocked_units.size()) + " unit(s)";
    }
    if (stale) line += "; " + std::to_string(stale) + " secret(s) keep their previous value (source unusable)";
    if (!m_status.endpoint.empty()) line += "; " + m_status.endpoint;
    if (line != m_last_line) {
      log::notice("secrets: " + line);
      m_last_line = line;
    }
    if (!m_ready) {
      m_ready = true;
      return sys::systemd::notify_ready(line);
    }
    return sys::systemd::notify_status(line);
  }

  // One fetch round, then more while pushes keep arriving (a batch becomes one generation).
  void fetch_batch() {
    auto& fetcher = *m_session->fetcher;
    const auto identities = formats::age::pointers(m_session->host.identities);
    auto report = fetcher.fetch(secrets(), every_source(secrets()), identities);
    for (const auto& o : report.outcomes) m_outcomes[o.name] = o;
    m_session->endpoint_note = report.refused.empty() ? "" : "refused " + report.refused.front();
    if (report.installed.empty() || !m_session->poller) return;
    const auto limit = Clock::now() + k_batch_limit;
    while (Clock::now() < limit) {
      pollfd pfd{m_session->poller->fd(), POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(k_batch_window.count())) <= 0) break;
      if (!m_session->poller->take()) continue;  // only the endpoint's state changed
      auto more = fetcher.fetch(secrets(), every_source(secrets()), identities);
      for (const auto& o : more.outcomes) m_outcomes[o.name] = o;
      if (!more.refused.empty()) m_session->endpoint_note = "refused " + more.refused.front();
      if (more.installed.empty()) break;
    }
  }

  void reload_config() {
    auto session = open_session(m_run);
    if (!session) {
      log::error("secrets: SIGHUP: keeping the previous configuration: " + session.error().message);
      return;
    }
    log::notice("secrets: SIGHUP: configuration re-read");
    m_session = std::move(*session);
    m_digest.reset();  // options may have changed: compare by activating (same bytes restart nothing)
  }

  Status wait() {
    const bool missing = !m_status.complete();
    Millis timeout = missing ? k_poll_interval : k_idle_interval;
    if (m_settling) timeout = k_settle_poll;
    pollfd fds[3] = {{m_session->watch.fd(), POLLIN, 0}, {m_signals.get(), POLLIN, 0}, {-1, POLLIN, 0}};
    if (m_session->poller) fds[2].fd = m_session->poller->fd();
    const int ready = ::poll(fds, 3, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) return fail(Errc::io, "poll: " + sys::errno_text(errno));
    if (ready <= 0) return {};
    if (fds[0].revents & POLLIN) m_session->watch.drain();
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(m_signals.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      }
      reload_config();
      return {};
    }
    if ((fds[2].revents & POLLIN) && m_session->poller && m_session->poller->take() && m_session->fetcher)
      fetch_batch();
    return {};
  }
};

}  // namespace

Result<int> activate_when_complete(const SecretsRun& run) {
  auto config = VPS_TRY(config::load(run.root, run.config_path));
  const config::Duration timeout = run.timeout.value_or(config.secrets.timeout);
  auto host = VPS_TRY(load_host_identity(config.identity.host_key));
  const auto identities = formats::age::pointers(host.identities);
  auto watch = VPS_TRY(DirWatch::open(watch_dirs(config.secrets)));
  std::string endpoint_note;  // the last fetch round's outcome, kept until the next round
  auto opened = BundleFetcher::open(config, run.root, run.config_path);
  if (!opened) {
    endpoint_note = "not fetching from the endpoint: " + opened.error().message;
    log::warning("secrets: " + endpoint_note);
  }
  auto fetcher = opened ? std::move(*opened) : std::nullopt;
  const bool bounded = timeout.count() > 0;
  const auto deadline = Clock::now() + timeout;
  std::string last_status;
  bool fetched = false;
  for (;;) {
    auto collected = VPS_TRY(collect(config.secrets, identities));
    if (collected.first_error) return fail(*collected.first_error);
    if (collected.pending.empty()) {
      auto report = secrets::activate(collected.materials, collected.templates, activation_options(config.secrets));
      if (!report) return fail(report.error().context("activating secrets"));
      for (const auto& error : report->errors) log::warning("after switching generation: " + error.message);
      if (report->previous) apply_units(run, report->restart_units, report->reload_units, {});
      const std::string status = "active generation " + std::to_string(report->generation);
      log::notice("secrets: " + status + " (" + std::to_string(collected.materials.size()) + " secrets, " +
                  std::to_string(report->changed.size()) + " changed)");
      VPS_CHECK(sys::systemd::notify_ready(status));
      return 0;
    }
    if (fetcher && (run.once ? !fetched : fetcher->until_due().count() == 0)) {
      fetched = true;
      auto report = fetcher->fetch(config.secrets, collected.pending, identities);
      endpoint_note = report.status();
      if (!report.installed.empty()) continue;  // decrypt again at once
    }
    const auto& first = collected.pending.front();
    std::string status = waiting_status(host, first);
    if (!endpoint_note.empty()) status += "; " + endpoint_note;
    if (run.once) return fail(first.code, status + ": " + first.detail);
    if (status != last_status) {  // one log line per state, not per retry
      log::notice(status + " (" + first.detail + ")");
      VPS_CHECK(sys::systemd::notify_status(status));
      last_status = status;
    }
    const auto now = Clock::now();
    if (bounded && now >= deadline)
      return fail(Errc::timeout, "gave up after " + std::to_string(timeout.count() / 1000) + "s " + status);
    auto wait = k_poll_interval;
    if (bounded) wait = std::min(wait, std::chrono::duration_cast<Millis>(deadline - now));
    if (fetcher) wait = std::min(wait, std::max(fetcher->until_due(), Millis(1)));
    if (any_settling(collected.pending)) wait = std::min(wait, k_settle_poll);
    VPS_CHECK(sys::systemd::notify_extend_timeout(std::chrono::duration_cast<std::chrono::microseconds>(wait + k_extend_margin)));
    VPS_CHECK(watch.wait(wait));
  }
}

Result<int> follow(const SecretsRun& run) {
  // SIGHUP (ExecReload) is read from a signalfd; blocked before any thread starts, so the
  // poller thread never takes it.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGHUP);
  if (::pthread_sigmask(SIG_BLOCK, &mask, nullptr) != 0) return fail(Errc::io, "blocking SIGHUP");
  sys::Fd signals(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals) return fail(Errc::io, "signalfd: " + sys::errno_text(errno));
  auto session = VPS_TRY(open_session(run));
  Follower follower(run, std::move(session), std::move(signals));
  return follower.run();
}

Result<int> gate(const SecretsRun& run, const std::string& unit) {
  if (!systemd::is_valid_unit_name(unit))
    return fail(Errc::usage, "'" + unit + "' is not a unit name (e.g. app.service)");
  auto config = VPS_TRY(config::load(run.root, run.config_path));
  const auto mount = activation_options(config.secrets).mount.mount_point;
  // The record first, then the status (status.hpp). Without a mount yet the service has not
  // run its first round: the unit waits, and the service starts it (it reads the records).
  std::error_code ec;
  const bool mounted = std::filesystem::is_directory(mount, ec);
  if (mounted) VPS_CHECK(secrets::record_gated(mount, unit));
  auto status = mounted ? VPS_TRY(secrets::read_status(mount)) : std::optional<secrets::SecretsStatus>();
  if (!status) {
    log::notice(unit + ": waiting for vps-secrets.service to activate the secrets (no status yet)");
    return k_gate_closed;
  }
  const auto blocking = status->blocking(unit);
  if (blocking.empty()) {
    (void)secrets::clear_gated(mount, unit);
    return 0;
  }
  for (const auto* u : blocking)
    log::notice(unit + ": waiting for secret '" + u->name + "' (" + u->reason + "); vps-secrets starts " + unit +
                " when it arrives");
  return k_gate_closed;
}

Result<int> wait_complete(const SecretsRun& run) {
  auto config = VPS_TRY(config::load(run.root, run.config_path));
  const config::Duration timeout = run.timeout.value_or(config.secrets.timeout);
  const auto mount = activation_options(config.secrets).mount.mount_point;
  const bool bounded = timeout.count() > 0;
  const auto deadline = Clock::now() + timeout;
  std::string last;
  for (;;) {
    std::error_code ec;
    std::optional<secrets::SecretsStatus> status;
    if (std::filesystem::is_directory(mount, ec)) status = VPS_TRY(secrets::read_status(mount));
    if (status && status->complete()) {
      log::notice("secrets: every secret is active (generation " + std::to_string(status->generation.value_or(0)) + ")");
      return 0;
    }
    std::string line = "waiting for vps-secrets.service";
    if (status) {
      line = "waiting for every secret";
      for (const auto& u : status->unavailable)
        if (!u.stale) {
          line += ": " + u.name + " (" + u.reason + ")";
          break;
        }
    }
    if (line != last) {
      log::notice(line);
      (void)sys::systemd::notify_status(line);
      last = line;
    }
    if (bounded && Clock::now() >= deadline)
      return fail(Errc::timeout, "gave up after " + std::to_string(timeout.count() / 1000) + "s " + line);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace vps::host::delivery
