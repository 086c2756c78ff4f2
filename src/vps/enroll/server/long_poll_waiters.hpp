#pragma once
// Parked long polls of hosts: GET /v1/hosts/{h}/rebuilds/next?wait=N (a rebuild to run) and
// GET /v1/hosts/{h}/bundles?wait=N&version=V (a change of its bundles). Everything runs on the
// HTTP server's one I/O thread: a parked poll is answered when its host's rebuild queue or
// bundles change (notify) or when its timer ends, each time with a fresh look (Api::answer).
// Bounded: one parked poll per (kind, host) (a newer one answers the older at once: 204 for a
// rebuild poll, the current listing for a bundles poll) and `max_total` over both kinds
// (beyond: 503 with Retry-After).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/steady_timer.hpp>

#include <vps/enroll/routes/api.hpp>
#include <vps/net/http/server.hpp>

namespace vps::enroll::server {

class LongPollWaiters {
 public:
  LongPollWaiters(routes::Api& api, std::size_t max_total) : m_api(api), m_max_total(max_total) {}

  void park(const routes::LongPoll& poll, net::http::Responder respond);
  void notify(routes::WaitKind kind, const std::string& host);
  std::size_t size() const { return m_waiters.size(); }

 private:
  using Key = std::pair<routes::WaitKind, std::string>;
  struct Waiter {
    routes::LongPoll poll;
    net::http::Responder respond;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };
  void answer(const Key& key);

  routes::Api& m_api;
  std::size_t m_max_total;
  std::map<Key, Waiter> m_waiters;
};

}  // namespace vps::enroll::server
