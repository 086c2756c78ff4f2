#include <vps/enroll/server/long_poll_waiters.hpp>

#include <vps/base/log.hpp>

namespace vps::enroll::server {

namespace {

const char* kind_name(routes::WaitKind kind) { return kind == routes::WaitKind::rebuild ? "rebuild" : "bundles"; }

}  // namespace

void LongPollWaiters::park(const routes::LongPoll& poll, net::http::Responder respond) {
  const Key key{poll.kind, poll.host};
  if (auto it = m_waiters.find(key); it != m_waiters.end()) {
    // A host polls again (restart, lost connection): the older poll ends now, with what a
    // wait that ran out would have answered.
    it->second.timer->cancel();
    answer(key);
  }
  if (m_waiters.size() >= m_max_total) {
    log::warning("long polls: " + std::to_string(m_max_total) + " already waiting, refusing " + kind_name(poll.kind) +
                 " poll of '" + poll.host + "'");
    net::http::Response busy = net::http::Response::text(503, "too many waiting hosts\n");
    busy.headers.push_back({"Retry-After", "5"});
    return respond(std::move(busy));
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(respond.executor());
  timer->expires_after(std::chrono::seconds(poll.seconds));
  m_waiters.emplace(key, Waiter{poll, std::move(respond), timer});
  // The timer is shared with the waiter so a cancelled wait (notify, newer poll) can tell it
  // was replaced: only the waiter still owning this timer is answered.
  timer->async_wait([this, key, weak = std::weak_ptr(timer)](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: notify() or a newer poll answered it
    auto it = m_waiters.find(key);
    if (it == m_waiters.end() || it->second.timer != weak.lock()) return;
    answer(key);
  });
}

void LongPollWaiters::notify(routes::WaitKind kind, const std::string& host) {
  const Key key{kind, host};
  auto it = m_waiters.find(key);
  if (it == m_waiters.end()) return;
  it->second.timer->cancel();
  answer(key);
}

void LongPollWaiters::answer(const Key& key) {
  auto it = m_waiters.find(key);
  if (it == m_waiters.end()) return;
  auto respond = std::move(it->second.respond);
  const routes::LongPoll poll = std::move(it->second.poll);
  m_waiters.erase(it);
  respond(m_api.answer(poll));
}

}  // namespace vps::enroll::server
