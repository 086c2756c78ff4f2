#include <vps/enroll/server/enroll_server.hpp>

#include <vps/base/log.hpp>
#include <vps/sys/systemd/notify.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdio>

namespace vps::enroll::server {

namespace {

// Every connection is a file descriptor; the database, journal and listener need a few more.
constexpr rlim_t k_spare_descriptors = 64;

// Raises the soft descriptor limit to what max_connections needs, as far as the hard limit allows
// (systemd's default soft limit of 1024 is meant to be raised this way; the unit sets
// LimitNOFILE= itself, so there the limit is already right, and @resources calls are filtered).
// Short of it, accept() fails with EMFILE before max_connections is reached: said at startup.
void ensure_descriptors(std::size_t max_connections) {
  const rlim_t needed = static_cast<rlim_t>(max_connections) + k_spare_descriptors;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed) return;
  rlimit raised = limit;
  raised.rlim_cur = std::min(needed, limit.rlim_max);
  if (raised.rlim_cur > limit.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  if (limit.rlim_cur < needed) {
    log::warning("serve: max_connections " + std::to_string(max_connections) + " needs about " +
                 std::to_string(needed) + " file descriptors, the limit is " + std::to_string(limit.rlim_cur) +
                 " (LimitNOFILE=); lower max_connections or raise the limit");
  }
}

}  // namespace

Result<std::unique_ptr<EnrollServer>> EnrollServer::start(const ServeConfig& config) {
  VPS_CHECK(validate(config));
  ensure_descriptors(config.http.max_connections);
  const bool plain = !config.http.cert_file;
  if (plain && config.http.max_connections_per_address < config.http.max_connections) {
    // Behind a TLS proxy every client arrives from the proxy's address.
    log::notice("serve: plain HTTP: if a proxy forwards to this endpoint, all its clients share one address, "
                "limited to max_connections_per_address (" +
                std::to_string(config.http.max_connections_per_address) +
                "); raise it to max_connections and let the proxy limit each client");
  }
  std::unique_ptr<EnrollServer> server(new EnrollServer());
  auto operators = VPS_TRY(auth::OperatorsFile::open(config.operators));
  if (operators.current()->all().empty())
    log::warning("serve: no authorized operators in '" + config.operators.string() + "' (re-read when it changes)");
  auto opened = store::Store::open(config.database);
  if (!opened) return fail(std::move(opened).error().context("serve: database '" + config.database.string() + "'"));
  server->m_store = std::move(*opened);
  // Requests are refused until the origins are set (below, once the port is bound): before the
  // "listening on" line nobody can know where to send one anyway.
  auto policy = config.policy;
  policy.auth.endpoints = std::make_shared<auth::EndpointOrigins>();
  server->m_api = std::make_unique<routes::Api>(*server->m_store, std::move(operators), policy);
  routes::Api* api = server->m_api.get();
  // Long polls: at most a quarter of the connections may be parked, so operators and other
  // hosts always find a free one.
  // Shared by rebuild and bundle polls.
  server->m_waiters = std::make_unique<LongPollWaiters>(*api, std::max<std::size_t>(1, config.http.max_connections / 4));
  LongPollWaiters* waiters = server->m_waiters.get();
  api->set_rebuild_listener([waiters](const std::string& host) { waiters->notify(routes::WaitKind::rebuild, host); });
  api->set_bundles_listener([waiters](const std::string& host) { waiters->notify(routes::WaitKind::bundles, host); });
  // The HTTP server calls the handler from its single I/O thread, so the store is never
  // used concurrently (parked polls are answered on that thread too).
  server->m_http = VPS_TRY(net::http::Server::start_async(
      config.http, [api, waiters](const net::http::Request& request, net::http::Responder respond) {
        std::optional<routes::LongPoll> park;
        net::http::Response response = api->handle(request, park);
        if (park) return waiters->park(*park, std::move(respond));
        respond(std::move(response));
      }));
  policy.auth.endpoints->set(VPS_TRY(endpoint_origins(config, server->m_http->local_port())));
  log::notice("serve: requests must be signed for " + policy.auth.endpoints->describe());
  return server;
}

EnrollServer::~EnrollServer() {
  if (m_http) m_http->stop();
}

Status serve_until_signal(const ServeConfig& config) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Blocked before the I/O thread exists, so it inherits the mask and sigwait() below is the
  // only place these signals are received.
  if (pthread_sigmask(SIG_BLOCK, &signals, nullptr) != 0) return fail(Errc::internal, "serve: cannot block signals");
  auto server = VPS_TRY(EnrollServer::start(config));
  const std::string where = config.http.address + ":" + std::to_string(server->port());
  const std::string scheme = server->tls() ? "https" : "http";
  std::printf("listening on %s://%s\n", scheme.c_str(), where.c_str());
  std::fflush(stdout);
  log::notice("serving enrollment endpoint on " + scheme + "://" + where);
  (void)sys::systemd::notify_ready("serving on " + scheme + "://" + where);
  int received = 0;
  sigwait(&signals, &received);
  log::notice(std::string("received ") + (received == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
  (void)sys::systemd::notify_stopping("stopping");
  server->stop();
  return {};
}

}  // namespace vps::enroll::server
