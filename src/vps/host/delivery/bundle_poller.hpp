#pragma once
// Continuous delivery: a background thread that stays subscribed to this host's bundles on the
// enrollment endpoint and wakes the secrets service when they change. It long-polls
// GET /v1/hosts/{host}/bundles?wait=N&version=V (host-signed): the endpoint parks the request
// until a push, a deletion, a revocation or a replacement bumps the host's bundles version, or
// until N seconds pass. The thread only signals (an eventfd the service polls beside inotify
// and SIGHUP); the service then runs one fetch round (bundle_fetcher.hpp), which verifies and
// installs. Nothing the endpoint says here is trusted: a spurious wake-up costs one round.
//
// Bounded: one request at a time; after a failure or a refusal ("not approved yet") the next
// try waits enrollment.retry.initial_delay, doubling up to 10 s while not approved (an operator
// who approves hours later is noticed within seconds) and 30 s while unreachable. An endpoint
// that does not park (no "version" in its listing: an older vps-enroll) is polled every 30 s.
//
// The thread is detached when the poller is destroyed (a parked request cannot be cancelled);
// it touches only state it shares by shared_ptr, and stops after its current request.

#include <filesystem>
#include <memory>
#include <string>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::host::delivery {

class BundlePoller {
 public:
  // endpoint: the URL (configured_endpoint). Errc::config for a URL the HTTP policy refuses,
  // the host key loader's error if it is unreadable.
  static Result<std::unique_ptr<BundlePoller>> start(const config::Config& config, const std::filesystem::path& root,
                                                     const std::string& endpoint);
  ~BundlePoller();
  BundlePoller(const BundlePoller&) = delete;
  BundlePoller& operator=(const BundlePoller&) = delete;

  // Readable (POLLIN) when the bundles changed since the last take(), or the endpoint's state
  // did (approved, revoked, unreachable...: see state()).
  int fd() const;
  // Drains the wake-up; true if the bundles changed (a fetch round is due).
  bool take();
  // One line for STATUS= and `vps-agent status`: subscribed, not approved yet, unreachable.
  std::string state() const;

  struct Shared;

 private:
  explicit BundlePoller(std::shared_ptr<Shared> shared) : m_shared(std::move(shared)) {}
  std::shared_ptr<Shared> m_shared;
};

}  // namespace vps::host::delivery
