#include <vps/host/delivery/bundle_poller.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <sys/eventfd.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <vps/base/hex.hpp>
#include <vps/base/log.hpp>
#include <vps/base/text.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/host/delivery/bundle_fetcher.hpp>
#include <vps/host/identity/hostname.hpp>
#include <vps/net/api/host_endpoint.hpp>
#include <vps/net/http/retry_schedule.hpp>
#include <vps/sys/fs/fd.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::host::delivery {

namespace {

using Millis = std::chrono::milliseconds;
constexpr int k_wait_seconds = 25;                         // the endpoint clamps it to its own maximum
constexpr Millis k_not_approved_ceiling = std::chrono::seconds(10);
constexpr Millis k_unreachable_ceiling = std::chrono::seconds(30);
constexpr Millis k_unparked_interval = std::chrono::seconds(30);  // an endpoint without versions
constexpr Millis k_min_interval = std::chrono::milliseconds(200);  // never a busy loop

}  // namespace

struct BundlePoller::Shared {
  Shared(net::api::SignedClient c, std::filesystem::path r, net::http::BackoffPolicy policy)
      : client(std::move(c)), root(std::move(r)),
        refused(capped(policy, k_not_approved_ceiling), net::http::PollSchedule::Floor::initial_delay),
        unreachable(capped(policy, k_unreachable_ceiling), net::http::PollSchedule::Floor::initial_delay) {}
  static net::http::BackoffPolicy capped(net::http::BackoffPolicy policy, Millis ceiling) {
    policy.initial_delay = std::clamp<Millis>(policy.initial_delay, Millis(100), Millis(5000));
    policy.max_delay = std::max(policy.initial_delay, std::min(policy.max_delay, ceiling));
    return policy;
  }
  net::api::SignedClient client;
  std::filesystem::path root;
  // Setbacks in a row back off (the one poll schedule, net/http/retry_schedule.hpp): up to 10 s
  // while not approved, 30 s while unreachable; an answer starts both over.
  net::http::PollSchedule refused;
  net::http::PollSchedule unreachable;
  sys::Fd event{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
  std::atomic<bool> stop{false};
  std::atomic<bool> listing_changed{false};
  std::mutex mutex;
  std::condition_variable cv;
  std::string state = "endpoint: connecting";

  // A new state wakes the service too, so STATUS= and status.json say it at once.
  void set_state(std::string text) {
    bool changed = false;
    {
      std::lock_guard<std::mutex> lock(mutex);
      changed = text != state;
      if (changed) log::info("secrets: " + text);
      state = std::move(text);
    }
    if (changed) wake();
  }
  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(event.get(), &one, sizeof one);
  }
  void signal() {
    listing_changed = true;
    wake();
  }
  // Sleeps up to `delay`, or less when stopped.
  void pause(Millis delay) {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait_for(lock, delay, [&] { return stop.load(); });
  }
  void run();
};

void BundlePoller::Shared::run() {
  std::optional<std::int64_t> version;  // the last one seen
  std::string last_digest;              // without versions: the listing's hash
  while (!stop) {
    const auto started = std::chrono::steady_clock::now();
    const std::string host = text::ascii_lower(identity::host_name(root));
    std::string path = "/v1/hosts/" + host + "/bundles";
    if (version) path += "?wait=" + std::to_string(k_wait_seconds) + "&version=" + std::to_string(*version);
    auto response = client.send("GET", path);
    if (stop) break;
    bool parked = false;
    if (!response) {
      set_state("endpoint unreachable (" + response.error().message + ")");
      pause(unreachable.after_setback());
      continue;
    }
    if (response->status != 200) {
      const auto error = net::api::response_error(*response);
      const auto refusal = net::api::key_refusal(*response);
      if (refusal == net::api::KeyRefusal::revoked || refusal == net::api::KeyRefusal::retired)
        set_state(std::string("endpoint: this host's key was ") +
                  (refusal == net::api::KeyRefusal::revoked ? "revoked" : "retired") + " by an operator (" +
                  error.message + ")");
      else
        set_state(refusal ? "endpoint: not approved yet (" + error.message + ")"
                          : "endpoint unavailable (" + error.message + ")");
      pause(refusal ? refused.after_setback() : unreachable.after_setback());
      continue;
    }
    refused.after_progress();
    unreachable.after_progress();
    const auto doc = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_object() && doc.contains("version") && doc["version"].is_number_integer()) {
      const auto now_version = doc["version"].get<std::int64_t>();
      parked = true;
      if (!version || *version != now_version) {
        version = now_version;
        signal();
      }
      set_state("endpoint: subscribed to this host's bundles (version " + std::to_string(now_version) + ")");
    } else {
      const std::string digest = hex::encode(crypto::sha256(as_bytes(response->body)));
      if (digest != last_digest) {
        last_digest = digest;
        signal();
      }
      set_state("endpoint: polling this host's bundles every 30s (the endpoint does not hold requests)");
    }
    const auto took = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
    if (!parked) pause(k_unparked_interval);
    else if (took < k_min_interval) pause(k_min_interval - took);
  }
}

Result<std::unique_ptr<BundlePoller>> BundlePoller::start(const config::Config& config,
                                                          const std::filesystem::path& root,
                                                          const std::string& endpoint) {
  // A parked request lasts up to the wait; the attempt timeout bounds everything after it.
  const Millis timeout = std::chrono::seconds(k_wait_seconds) + config.enrollment.retry.attempt_timeout;
  auto target = VPS_TRY(net::api::host_endpoint(config.enrollment, endpoint, {timeout, k_max_listing_bytes}));
  auto client = VPS_TRY(net::api::host_client(target, config.identity.host_key));
  auto shared = std::make_shared<Shared>(std::move(client), root, target.retry);
  if (!shared->event) return fail(Errc::io, "eventfd: " + sys::errno_text(errno));
  std::thread([shared] { shared->run(); }).detach();
  return std::unique_ptr<BundlePoller>(new BundlePoller(shared));
}

BundlePoller::~BundlePoller() {
  m_shared->stop = true;
  m_shared->cv.notify_all();
}

int BundlePoller::fd() const { return m_shared->event.get(); }

bool BundlePoller::take() {
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(m_shared->event.get(), &count, sizeof count);
  return m_shared->listing_changed.exchange(false);
}

std::string BundlePoller::state() const {
  std::lock_guard<std::mutex> lock(m_shared->mutex);
  return m_shared->state;
}

}  // namespace vps::host::delivery
