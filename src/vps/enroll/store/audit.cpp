// Store: the audit trail of state changes.
#include <vps/enroll/store/store.hpp>

namespace vps::enroll::store {

namespace {

constexpr std::string_view k_audit_columns = "id, at, actor, action, target, detail";

AuditEntry read_audit(const Statement& stmt) {
  return AuditEntry{stmt.integer(0), stmt.integer(1), stmt.text(2), stmt.text(3), stmt.text(4), stmt.text(5)};
}

}  // namespace

Status Store::append_audit(const AuditEntry& entry) {
  auto stmt = VPS_TRY(m_db->prepare("INSERT INTO audit (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)"));
  stmt.bind(1, entry.at).bind(2, entry.actor).bind(3, entry.action).bind(4, entry.target).bind(5, entry.detail);
  return stmt.run();
}

Result<std::vector<AuditEntry>> Store::audit_for(std::string_view target, std::size_t limit) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_audit_columns) +
                                    " FROM audit WHERE target = ?1 ORDER BY id DESC LIMIT ?2"));
  stmt.bind(1, target).bind(2, static_cast<std::int64_t>(limit));
  std::vector<AuditEntry> out;
  while (VPS_TRY(stmt.step())) out.push_back(read_audit(stmt));
  return out;
}

Result<std::vector<AuditEntry>> Store::audit_page(const AuditQuery& query) {
  // Keyset paging on the primary key (no OFFSET): each page starts where the last one ended.
  std::string sql = "SELECT " + std::string(k_audit_columns) + " FROM audit WHERE id > ?1";
  if (query.target) sql += " AND target = ?3";
  if (query.since) sql += " AND at >= ?4";
  sql += " ORDER BY id LIMIT ?2";
  auto stmt = VPS_TRY(m_db->prepare(sql));
  stmt.bind(1, query.after).bind(2, static_cast<std::int64_t>(query.limit));
  if (query.target) stmt.bind(3, *query.target);
  if (query.since) stmt.bind(4, *query.since);
  std::vector<AuditEntry> out;
  while (VPS_TRY(stmt.step())) out.push_back(read_audit(stmt));
  return out;
}

Result<std::int64_t> Store::audit_count() {
  auto stmt = VPS_TRY(m_db->prepare("SELECT count(*) FROM audit"));
  VPS_TRY(stmt.step());
  return stmt.integer(0);
}

}  // namespace vps::enroll::store
