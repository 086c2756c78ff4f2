// Store: what day two changes about a host after its approval: the bundles version long polls
// wait on, retired keys (revoked or replaced), cancelled rebuilds and the host's secrets report.
#include <vps/enroll/store/store.hpp>

namespace vps::enroll::store {

Result<std::int64_t> Store::bundles_version(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT bundles_version FROM hosts WHERE name = ?1"));
  stmt.bind(1, host);
  if (!VPS_TRY(stmt.step())) return std::int64_t{0};
  return stmt.integer(0);
}

Status Store::bump_bundles_version(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("UPDATE hosts SET bundles_version = bundles_version + 1 WHERE name = ?1"));
  stmt.bind(1, host);
  return stmt.run();
}

Result<std::vector<std::string>> Store::delete_bundles(std::string_view host) {
  std::vector<std::string> names;
  auto list = VPS_TRY(m_db->prepare("SELECT name FROM bundles WHERE host = ?1 ORDER BY name"));
  list.bind(1, host);
  while (VPS_TRY(list.step())) names.push_back(list.text(0));
  auto drop = VPS_TRY(m_db->prepare("DELETE FROM bundles WHERE host = ?1"));
  drop.bind(1, host);
  VPS_CHECK(drop.run());
  return names;
}

Result<std::vector<std::int64_t>> Store::cancel_rebuilds(std::string_view host, std::int64_t now,
                                                         std::string_view reason) {
  std::vector<std::int64_t> ids;
  auto list = VPS_TRY(
      m_db->prepare("SELECT id FROM rebuilds WHERE host = ?1 AND state IN ('queued', 'picked') ORDER BY id"));
  list.bind(1, host);
  while (VPS_TRY(list.step())) ids.push_back(list.integer(0));
  auto cancel = VPS_TRY(m_db->prepare(
      "UPDATE rebuilds SET state = 'cancelled', finished_at = ?2, reason = ?3 "
      "WHERE host = ?1 AND state IN ('queued', 'picked')"));
  cancel.bind(1, host).bind(2, now).bind(3, reason);
  VPS_CHECK(cancel.run());
  return ids;
}

namespace {

constexpr std::string_view k_retired_columns =
    "host, fingerprint, ssh_public_key, age_recipient, kind, retired_at, retired_by, reason";

RetiredKey read_retired(const Statement& stmt) {
  return RetiredKey{stmt.text(0),    stmt.text(1), stmt.text(2), stmt.text(3),
                    stmt.text(4),    stmt.integer(5), stmt.text(6), stmt.text(7)};
}

}  // namespace

Status Store::retire_key(const RetiredKey& key) {
  auto stmt = VPS_TRY(m_db->prepare("INSERT INTO retired_keys (" + std::string(k_retired_columns) +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (host, fingerprint) DO NOTHING"));
  stmt.bind(1, key.host).bind(2, key.fingerprint).bind(3, key.ssh_public_key).bind(4, key.age_recipient);
  stmt.bind(5, key.kind).bind(6, key.retired_at).bind(7, key.retired_by).bind(8, key.reason);
  return stmt.run();
}

Result<std::optional<RetiredKey>> Store::find_retired_key(std::string_view fingerprint) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_retired_columns) +
                                    " FROM retired_keys WHERE fingerprint = ?1 ORDER BY retired_at LIMIT 1"));
  stmt.bind(1, fingerprint);
  if (!VPS_TRY(stmt.step())) return std::optional<RetiredKey>();
  return std::optional<RetiredKey>(read_retired(stmt));
}

Result<std::vector<RetiredKey>> Store::retired_keys_for(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_retired_columns) +
                                    " FROM retired_keys WHERE host = ?1 ORDER BY retired_at, fingerprint"));
  stmt.bind(1, host);
  std::vector<RetiredKey> out;
  while (VPS_TRY(stmt.step())) out.push_back(read_retired(stmt));
  return out;
}

Status Store::put_secrets_report(std::string_view host, std::string_view report, std::int64_t now) {
  auto stmt = VPS_TRY(m_db->prepare(
      "INSERT INTO secrets_reports (host, report, received_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (host) DO UPDATE SET report = excluded.report, received_at = excluded.received_at"));
  stmt.bind(1, host).bind(2, report).bind(3, now);
  return stmt.run();
}

Result<std::optional<StoredSecretsReport>> Store::find_secrets_report(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT report, received_at FROM secrets_reports WHERE host = ?1"));
  stmt.bind(1, host);
  if (!VPS_TRY(stmt.step())) return std::optional<StoredSecretsReport>();
  return std::optional<StoredSecretsReport>(StoredSecretsReport{stmt.text(0), stmt.integer(1)});
}

}  // namespace vps::enroll::store
