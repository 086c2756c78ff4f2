// Store: opening, hosts and enrollment history. Tokens (tokens.cpp), the nonce cache
// (nonces.cpp), the audit trail (audit.cpp) and bundles (bundles.cpp) have files of their own.
#include <vps/enroll/store/store.hpp>

#include <vps/enroll/store/migrations.hpp>

namespace vps::enroll::store {

namespace {

constexpr std::string_view k_host_columns =
    "name, status, ssh_public_key, fingerprint, age_recipient, instance_id, hostname, boot_id, "
    "created_at, updated_at, last_seen_at, decided_by, decided_at";

constexpr std::string_view k_enrollment_columns =
    "id, host, status, ssh_public_key, fingerprint, age_recipient, instance_id, hostname, boot_id, "
    "via_token, remote_address, published_at, last_seen_at, source";

void bind_key(Statement& stmt, int first, const KeyFacts& key) {
  stmt.bind(first, key.ssh_public_key)
      .bind(first + 1, key.fingerprint)
      .bind(first + 2, key.age_recipient)
      .bind(first + 3, key.instance_id)
      .bind(first + 4, key.hostname)
      .bind(first + 5, key.boot_id);
}

KeyFacts read_key(const Statement& stmt, int first) {
  return KeyFacts{stmt.text(first),     stmt.text(first + 1), stmt.text(first + 2),
                  stmt.text(first + 3), stmt.text(first + 4), stmt.text(first + 5)};
}

Result<HostRecord> read_host(const Statement& stmt) {
  HostRecord host;
  host.name = stmt.text(0);
  host.status = VPS_TRY(parse_host_status(stmt.text(1)));
  host.key = read_key(stmt, 2);
  host.created_at = stmt.integer(8);
  host.updated_at = stmt.integer(9);
  host.last_seen_at = stmt.integer(10);
  host.decided_by = stmt.optional_text(11);
  if (stmt.optional_text(12)) host.decided_at = stmt.integer(12);
  return host;
}

Result<EnrollmentRecord> read_enrollment(const Statement& stmt) {
  EnrollmentRecord e;
  e.id = stmt.integer(0);
  e.host = stmt.text(1);
  e.status = VPS_TRY(parse_enrollment_status(stmt.text(2)));
  e.key = read_key(stmt, 3);
  e.via_token = stmt.integer(9) != 0;
  e.remote_address = stmt.text(10);
  e.published_at = stmt.integer(11);
  e.last_seen_at = stmt.integer(12);
  e.source = stmt.text(13);
  return e;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path, std::chrono::milliseconds busy_timeout) {
  auto db = VPS_TRY(Database::open(path, busy_timeout));
  VPS_CHECK(migrate(*db));
  return std::unique_ptr<Store>(new Store(std::move(db)));
}

Result<std::optional<HostRecord>> Store::find_host(std::string_view name) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_host_columns) + " FROM hosts WHERE name = ?1"));
  stmt.bind(1, name);
  if (!VPS_TRY(stmt.step())) return std::optional<HostRecord>();
  return std::optional<HostRecord>(VPS_TRY(read_host(stmt)));
}

Result<std::vector<HostRecord>> Store::list_hosts() {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_host_columns) + " FROM hosts ORDER BY name"));
  std::vector<HostRecord> out;
  while (VPS_TRY(stmt.step())) out.push_back(VPS_TRY(read_host(stmt)));
  return out;
}

Result<std::vector<HostRecord>> Store::list_hosts(const HostPage& page) {
  // Keyset paging on the primary key: stable while hosts come and go, and each page costs the
  // same however deep into the list it is (no OFFSET).
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_host_columns) + " FROM hosts WHERE name > ?1" +
                                    (page.status ? " AND status = ?3" : "") + " ORDER BY name LIMIT ?2"));
  stmt.bind(1, page.after).bind(2, static_cast<std::int64_t>(page.limit));
  if (page.status) stmt.bind(3, to_string(*page.status));
  std::vector<HostRecord> out;
  while (VPS_TRY(stmt.step())) out.push_back(VPS_TRY(read_host(stmt)));
  return out;
}

Status Store::insert_host(const HostRecord& host) {
  auto stmt = VPS_TRY(m_db->prepare("INSERT INTO hosts (" + std::string(k_host_columns) +
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
  stmt.bind(1, host.name).bind(2, to_string(host.status));
  bind_key(stmt, 3, host.key);
  stmt.bind(9, host.created_at).bind(10, host.updated_at).bind(11, host.last_seen_at).bind_optional(12, host.decided_by);
  if (host.decided_at) stmt.bind(13, *host.decided_at); else stmt.bind_null(13);
  return stmt.run();
}

Status Store::replace_host(const HostRecord& host) {
  auto stmt = VPS_TRY(m_db->prepare(
      "UPDATE hosts SET status = ?2, ssh_public_key = ?3, fingerprint = ?4, age_recipient = ?5, instance_id = ?6, "
      "hostname = ?7, boot_id = ?8, updated_at = ?9, last_seen_at = ?10, decided_by = ?11, decided_at = ?12 "
      "WHERE name = ?1"));
  stmt.bind(1, host.name).bind(2, to_string(host.status));
  bind_key(stmt, 3, host.key);
  stmt.bind(9, host.updated_at).bind(10, host.last_seen_at).bind_optional(11, host.decided_by);
  if (host.decided_at) stmt.bind(12, *host.decided_at); else stmt.bind_null(12);
  return stmt.run();
}

Status Store::set_host_status(std::string_view name, HostStatus status, std::string_view decided_by,
                              std::int64_t now) {
  auto stmt = VPS_TRY(m_db->prepare(
      "UPDATE hosts SET status = ?2, decided_by = ?3, decided_at = ?4, updated_at = ?4 WHERE name = ?1"));
  stmt.bind(1, name).bind(2, to_string(status)).bind(3, decided_by).bind(4, now);
  return stmt.run();
}

Status Store::touch_host(std::string_view name, std::string_view boot_id, std::int64_t now) {
  auto stmt = VPS_TRY(m_db->prepare("UPDATE hosts SET last_seen_at = ?2, boot_id = ?3 WHERE name = ?1"));
  stmt.bind(1, name).bind(2, now).bind(3, boot_id);
  return stmt.run();
}

Result<std::optional<EnrollmentRecord>> Store::find_enrollment(std::string_view host, std::string_view fingerprint) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_enrollment_columns) +
                                    " FROM enrollments WHERE host = ?1 AND fingerprint = ?2"));
  stmt.bind(1, host).bind(2, fingerprint);
  if (!VPS_TRY(stmt.step())) return std::optional<EnrollmentRecord>();
  return std::optional<EnrollmentRecord>(VPS_TRY(read_enrollment(stmt)));
}

Result<std::vector<EnrollmentRecord>> Store::enrollments_for(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_enrollment_columns) +
                                    " FROM enrollments WHERE host = ?1 ORDER BY published_at, id"));
  stmt.bind(1, host);
  std::vector<EnrollmentRecord> out;
  while (VPS_TRY(stmt.step())) out.push_back(VPS_TRY(read_enrollment(stmt)));
  return out;
}

Status Store::insert_enrollment(const EnrollmentRecord& e) {
  auto stmt = VPS_TRY(m_db->prepare(
      "INSERT INTO enrollments (host, status, ssh_public_key, fingerprint, age_recipient, instance_id, hostname, "
      "boot_id, via_token, remote_address, published_at, last_seen_at, source) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
  stmt.bind(1, e.host).bind(2, to_string(e.status));
  bind_key(stmt, 3, e.key);
  stmt.bind(9, std::int64_t{e.via_token ? 1 : 0}).bind(10, e.remote_address).bind(11, e.published_at).bind(12, e.last_seen_at);
  stmt.bind(13, e.source);
  return stmt.run();
}

Status Store::set_enrollment_status(std::string_view host, std::string_view fingerprint, EnrollmentStatus status) {
  auto stmt = VPS_TRY(m_db->prepare("UPDATE enrollments SET status = ?3 WHERE host = ?1 AND fingerprint = ?2"));
  stmt.bind(1, host).bind(2, fingerprint).bind(3, to_string(status));
  return stmt.run();
}

Status Store::touch_enrollment(std::string_view host, std::string_view fingerprint, std::int64_t now) {
  auto stmt = VPS_TRY(m_db->prepare("UPDATE enrollments SET last_seen_at = ?3 WHERE host = ?1 AND fingerprint = ?2"));
  stmt.bind(1, host).bind(2, fingerprint).bind(3, now);
  return stmt.run();
}

Result<std::int64_t> Store::count_flagged(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT count(*) FROM enrollments WHERE host = ?1 AND status = 'flagged'"));
  stmt.bind(1, host);
  VPS_TRY(stmt.step());
  return stmt.integer(0);
}

}  // namespace vps::enroll::store
