#include <vps/enroll/server/rebuild_waiters.hpp>

#include <vps/base/log.hpp>

namespace vps::enroll::server {

void RebuildWaiters::park(const routes::LongPoll& poll, net::http::Responder respond) {
  if (auto it = m_waiters.find(poll.host); it != m_waiters.end()) {
    // A host polls again (restart, lost connection): the older poll ends now.
    it->second.timer->cancel();
    auto older = std::move(it->second.respond);
    m_waiters.erase(it);
    older(net::http::Response{204, {}, {}});
  }
  if (m_waiters.size() >= m_max_total) {
    log::warning("rebuild long polls: " + std::to_string(m_max_total) + " already waiting, refusing '" + poll.host + "'");
    net::http::Response busy = net::http::Response::text(503, "too many waiting hosts\n");
    busy.headers.push_back({"Retry-After", "5"});
    return respond(std::move(busy));
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(respond.executor());
  timer->expires_after(std::chrono::seconds(poll.seconds));
  m_waiters.emplace(poll.host, Waiter{std::move(respond), timer});
  // The timer is shared with the waiter so a cancelled wait (notify, newer poll) can tell it
  // was replaced: only the waiter still owning this timer is answered.
  timer->async_wait([this, host = poll.host, weak = std::weak_ptr(timer)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: notify() or a newer poll answered it
    auto it = m_waiters.find(host);
    if (it == m_waiters.end() || it->second.timer != weak.lock()) return;
    answer(host);
  });
}

void RebuildWaiters::notify(const std::string& host) {
  auto it = m_waiters.find(host);
  if (it == m_waiters.end()) return;
  it->second.timer->cancel();
  answer(host);
}

void RebuildWaiters::answer(const std::string& host) {
  auto it = m_waiters.find(host);
  if (it == m_waiters.end()) return;
  auto respond = std::move(it->second.respond);
  m_waiters.erase(it);
  respond(m_api.poll_rebuild(host));
}

}  // namespace vps::enroll::server
