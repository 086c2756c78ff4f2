// Store: bounding the tables that grow with traffic. The nonce cache only needs entries still
// inside the clock-skew window (an older request is refused on its timestamp alone); the audit
// trail is kept for a configured retention (routes::Policy::audit_retention_days).
#include <vps/enroll/store/store.hpp>

namespace vps::enroll::store {

Result<std::int64_t> Store::prune_nonces(std::int64_t now) {
  auto stmt = VPS_TRY(m_db->prepare("DELETE FROM nonces WHERE expires_at < ?1"));
  stmt.bind(1, now);
  VPS_CHECK(stmt.run());
  return m_db->changes();
}

Result<std::int64_t> Store::prune_audit(std::int64_t older_than) {
  auto stmt = VPS_TRY(m_db->prepare("DELETE FROM audit WHERE at < ?1"));
  stmt.bind(1, older_than);
  VPS_CHECK(stmt.run());
  return m_db->changes();
}

Result<std::int64_t> Store::nonce_count() {
  auto stmt = VPS_TRY(m_db->prepare("SELECT count(*) FROM nonces"));
  VPS_TRY(stmt.step());
  return stmt.integer(0);
}

}  // namespace vps::enroll::store
