// Store: the rebuild queue and when each host last polled it.
#include <vps/enroll/store/store.hpp>

namespace vps::enroll::store {

namespace {

constexpr std::string_view k_columns =
    "id, host, sequence, revision, expires_at, request, signature, operator, state, created_at, picked_at, "
    "started_at, finished_at, exit_status, duration_ms, reason, output_tail";

std::optional<std::int64_t> optional_integer(const Statement& stmt, int column) {
  if (!stmt.optional_text(column)) return std::nullopt;
  return stmt.integer(column);
}

Result<RebuildRecord> read_rebuild(const Statement& stmt) {
  RebuildRecord r;
  r.id = stmt.integer(0);
  r.host = stmt.text(1);
  r.sequence = stmt.integer(2);
  r.revision = stmt.text(3);
  r.expires_at = stmt.integer(4);
  r.request = stmt.text(5);
  r.signature = stmt.text(6);
  r.operator_name = stmt.text(7);
  r.state = VPS_TRY(parse_rebuild_state(stmt.text(8)));
  r.created_at = stmt.integer(9);
  r.picked_at = optional_integer(stmt, 10);
  r.started_at = optional_integer(stmt, 11);
  r.finished_at = optional_integer(stmt, 12);
  r.exit_status = optional_integer(stmt, 13);
  r.duration_ms = optional_integer(stmt, 14);
  r.reason = stmt.text(15);
  r.output_tail = stmt.text(16);
  return r;
}

void bind_optional_integer(Statement& stmt, int index, const std::optional<std::int64_t>& value) {
  if (value) stmt.bind(index, *value);
  else stmt.bind_null(index);
}

Result<std::vector<RebuildRecord>> read_all(Statement& stmt) {
  std::vector<RebuildRecord> out;
  while (VPS_TRY(stmt.step())) out.push_back(VPS_TRY(read_rebuild(stmt)));
  return out;
}

}  // namespace

Result<std::int64_t> Store::insert_rebuild(const RebuildRecord& r) {
  auto stmt = VPS_TRY(m_db->prepare(
      "INSERT INTO rebuilds (host, sequence, revision, expires_at, request, signature, operator, state, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id"));
  stmt.bind(1, r.host).bind(2, r.sequence).bind(3, r.revision).bind(4, r.expires_at).bind(5, r.request);
  stmt.bind(6, r.signature).bind(7, r.operator_name).bind(8, to_string(r.state)).bind(9, r.created_at);
  if (!VPS_TRY(stmt.step())) return fail(Errc::io, "inserting rebuild: no id returned");
  return stmt.integer(0);
}

Result<std::int64_t> Store::last_rebuild_sequence(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT coalesce(max(sequence), 0) FROM rebuilds WHERE host = ?1"));
  stmt.bind(1, host);
  VPS_TRY(stmt.step());
  return stmt.integer(0);
}

Status Store::expire_rebuilds(std::string_view host, std::int64_t now) {
  auto stmt = VPS_TRY(m_db->prepare(
      "UPDATE rebuilds SET state = 'expired', finished_at = ?2 WHERE host = ?1 AND state = 'queued' AND expires_at <= ?2"));
  stmt.bind(1, host).bind(2, now);
  return stmt.run();
}

Result<std::int64_t> Store::abandon_unfinished_rebuilds(std::string_view host, std::int64_t now,
                                                        std::string_view reason) {
  auto stmt = VPS_TRY(m_db->prepare(
      "UPDATE rebuilds SET state = 'failed', finished_at = ?2, reason = ?3 "
      "WHERE host = ?1 AND state IN ('picked', 'running')"));
  stmt.bind(1, host).bind(2, now).bind(3, reason);
  VPS_CHECK(stmt.run());
  return m_db->changes();
}

Result<std::optional<RebuildRecord>> Store::next_queued_rebuild(std::string_view host, std::int64_t now) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_columns) +
                                    " FROM rebuilds WHERE host = ?1 AND state = 'queued' AND expires_at > ?2 "
                                    "ORDER BY id LIMIT 1"));
  stmt.bind(1, host).bind(2, now);
  if (!VPS_TRY(stmt.step())) return std::optional<RebuildRecord>();
  return std::optional<RebuildRecord>(VPS_TRY(read_rebuild(stmt)));
}

Result<std::optional<RebuildRecord>> Store::find_rebuild(std::string_view host, std::int64_t id) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_columns) + " FROM rebuilds WHERE host = ?1 AND id = ?2"));
  stmt.bind(1, host).bind(2, id);
  if (!VPS_TRY(stmt.step())) return std::optional<RebuildRecord>();
  return std::optional<RebuildRecord>(VPS_TRY(read_rebuild(stmt)));
}

Result<std::vector<RebuildRecord>> Store::rebuilds_for(std::string_view host, std::size_t limit) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_columns) +
                                    " FROM rebuilds WHERE host = ?1 ORDER BY id DESC LIMIT ?2"));
  stmt.bind(1, host).bind(2, static_cast<std::int64_t>(limit));
  return read_all(stmt);
}

Status Store::update_rebuild(const RebuildRecord& r) {
  auto stmt = VPS_TRY(m_db->prepare(
      "UPDATE rebuilds SET state = ?3, picked_at = ?4, started_at = ?5, finished_at = ?6, exit_status = ?7, "
      "duration_ms = ?8, reason = ?9, output_tail = ?10 WHERE host = ?1 AND id = ?2"));
  stmt.bind(1, r.host).bind(2, r.id).bind(3, to_string(r.state));
  bind_optional_integer(stmt, 4, r.picked_at);
  bind_optional_integer(stmt, 5, r.started_at);
  bind_optional_integer(stmt, 6, r.finished_at);
  bind_optional_integer(stmt, 7, r.exit_status);
  bind_optional_integer(stmt, 8, r.duration_ms);
  stmt.bind(9, r.reason).bind(10, r.output_tail);
  return stmt.run();
}

Status Store::record_rebuild_poll(std::string_view host, std::int64_t now) {
  auto stmt = VPS_TRY(m_db->prepare(
      "INSERT INTO rebuild_polls (host, last_poll_at) VALUES (?1, ?2) "
      "ON CONFLICT (host) DO UPDATE SET last_poll_at = excluded.last_poll_at"));
  stmt.bind(1, host).bind(2, now);
  return stmt.run();
}

Result<std::optional<std::int64_t>> Store::last_rebuild_poll(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT last_poll_at FROM rebuild_polls WHERE host = ?1"));
  stmt.bind(1, host);
  if (!VPS_TRY(stmt.step())) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(stmt.integer(0));
}

}  // namespace vps::enroll::store
