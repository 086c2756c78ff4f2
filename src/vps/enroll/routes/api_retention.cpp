// Api: bounding the nonce cache, the audit trail and the pending keys nobody acts on. Runs on
// the request path (the server has one I/O thread and no other timer), at most once per
// k_prune_interval, in its own transaction so a refused request still changes nothing else.
#include <vps/enroll/routes/api.hpp>

#include <vps/enroll/routes/context.hpp>
#include <vps/base/log.hpp>

namespace vps::enroll::routes {

namespace {
constexpr std::int64_t k_prune_interval = 3600;
constexpr std::int64_t k_day = 24 * 3600;

struct Pruned {
  std::int64_t nonces = 0;
  std::int64_t audit = 0;
  std::size_t expired = 0;
};
}  // namespace

void Api::prune_if_due(std::int64_t now) {
  if (now < m_next_prune) return;
  m_next_prune = now + k_prune_interval;
  auto pruned = [&]() -> Result<Pruned> {
    auto tx = VPS_TRY(m_store.transaction());
    Pruned out;
    out.nonces = VPS_TRY(m_store.prune_nonces(now));
    out.audit = VPS_TRY(m_store.prune_audit(now - m_policy.audit_retention_days * k_day));
    // Pending hosts and flagged keys not published again within the expiry: one audit entry
    // each, so `vps-enroll show` still says what became of a key. Their number is bounded by
    // the pending caps.
    const std::string days = std::to_string(m_policy.pending_expiry_days);
    for (const auto& key : VPS_TRY(m_store.expire_pending(now - m_policy.pending_expiry_days * k_day))) {
      VPS_CHECK(audit(m_store, now, "endpoint", "expire", key.host,
                      (key.whole_host ? "pending host and its key " : "flagged key ") + key.fingerprint +
                          ": not published again for " + days + " days"));
      ++out.expired;
    }
    VPS_CHECK(tx.commit());
    return out;
  }();
  // Pruning is housekeeping: a failure is logged and retried next interval, never fatal.
  if (!pruned) {
    log::error("enrollment endpoint: pruning: " + pruned.error().message);
    return;
  }
  if (pruned->audit > 0) {
    log::notice("enrollment endpoint: pruned " + std::to_string(pruned->audit) + " audit entries older than " +
                std::to_string(m_policy.audit_retention_days) + " days");
  }
  if (pruned->expired > 0) {
    log::notice("enrollment endpoint: expired " + std::to_string(pruned->expired) +
                " pending key(s) not published again for " + std::to_string(m_policy.pending_expiry_days) + " days");
  }
}

}  // namespace vps::enroll::routes
