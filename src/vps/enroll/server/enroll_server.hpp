#pragma once
// The enrollment endpoint process: store + operators + API behind the HTTP(S) server.

#include <atomic>
#include <memory>

#include <vps/enroll/routes/api.hpp>
#include <vps/enroll/server/long_poll_waiters.hpp>
#include <vps/enroll/server/serve_config.hpp>
#include <vps/enroll/store/store.hpp>

namespace vps::enroll::server {

class EnrollServer {
 public:
  // Opens (migrating) the database, loads the operators file, binds and starts serving.
  static Result<std::unique_ptr<EnrollServer>> start(const ServeConfig& config);
  ~EnrollServer();
  EnrollServer(const EnrollServer&) = delete;
  EnrollServer& operator=(const EnrollServer&) = delete;

  std::uint16_t port() const { return m_http->local_port(); }
  bool tls() const { return m_http->tls(); }
  void stop() { m_http->stop(); }

 private:
  EnrollServer() = default;
  std::unique_ptr<store::Store> m_store;
  std::unique_ptr<routes::Api> m_api;
  std::unique_ptr<net::http::Server> m_http;
  // After m_http: destroyed first, while the I/O context its timers use still exists (the
  // I/O thread has stopped by then).
  std::unique_ptr<LongPollWaiters> m_waiters;
};

// Blocks SIGTERM and SIGINT, starts the server, reports readiness (sd_notify READY=1 and a
// "listening on ..." line on stdout, which tests read to learn an ephemeral port), waits for
// a signal and stops gracefully. Call before starting any other thread.
Status serve_until_signal(const ServeConfig& config);

}  // namespace vps::enroll::server
