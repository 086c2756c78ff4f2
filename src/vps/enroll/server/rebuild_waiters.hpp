#pragma once
// Parked long polls of hosts waiting for a rebuild (GET /v1/hosts/{h}/rebuilds/next?wait=N).
// Everything runs on the HTTP server's one I/O thread: a parked poll is answered when a
// rebuild is queued for its host (notify) or when its timer ends, each time with a fresh look
// at the queue (Api::poll_rebuild). Bounded: one parked poll per host (a newer one answers the
// older with 204 at once) and `max_total` overall (beyond: 503 with Retry-After).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include <vps/enroll/routes/api.hpp>
#include <vps/net/http/server.hpp>

namespace vps::enroll::server {

class RebuildWaiters {
 public:
  RebuildWaiters(routes::Api& api, std::size_t max_total) : m_api(api), m_max_total(max_total) {}

  void park(const routes::LongPoll& poll, net::http::Responder respond);
  void notify(const std::string& host);
  std::size_t size() const { return m_waiters.size(); }

 private:
  struct Waiter {
    net::http::Responder respond;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };
  void answer(const std::string& host);

  routes::Api& m_api;
  std::size_t m_max_total;
  std::map<std::string, Waiter> m_waiters;  // by host
};

}  // namespace vps::enroll::server
