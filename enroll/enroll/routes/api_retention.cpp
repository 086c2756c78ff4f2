// Api: bounding the nonce cache and the audit trail. Runs on the request path (the server has
// one I/O thread and no other timer), at most once per k_prune_interval, in its own
// transaction so a refused request still changes nothing else.
#include <enroll/routes/api.hpp>

#include <vps/base/log.hpp>

namespace vps::enroll::routes {

namespace {
constexpr std::int64_t k_prune_interval = 3600;
constexpr std::int64_t k_day = 24 * 3600;
}  // namespace

void Api::prune_if_due(std::int64_t now) {
  if (now < m_next_prune) return;
  m_next_prune = now + k_prune_interval;
  auto pruned = [&]() -> Result<std::pair<std::int64_t, std::int64_t>> {
    auto tx = VPS_TRY(m_store.transaction());
    const auto nonces = VPS_TRY(m_store.prune_nonces(now));
    const auto audit = VPS_TRY(m_store.prune_audit(now - m_policy.audit_retention_days * k_day));
    VPS_CHECK(tx.commit());
    return std::pair{nonces, audit};
  }();
  // Pruning is housekeeping: a failure is logged and retried next interval, never fatal.
  if (!pruned) {
    log::error("enrollment endpoint: pruning: " + pruned.error().message);
  } else if (pruned->second > 0) {
    log::notice("enrollment endpoint: pruned " + std::to_string(pruned->second) + " audit entries older than " +
                std::to_string(m_policy.audit_retention_days) + " days");
  }
}

}  // namespace vps::enroll::routes
