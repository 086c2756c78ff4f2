#include <vps/enroll/store/migrations.hpp>

#include <array>
#include <string>

namespace vps::enroll::store {

namespace {

// Times are Unix seconds (INTEGER). Keys are stored as the publication's text fields.
constexpr std::string_view k_v1 = R"sql(
CREATE TABLE hosts (
  name TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  ssh_public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  age_recipient TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  hostname TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER
);
CREATE TABLE enrollments (
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'flagged')),
  ssh_public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  age_recipient TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  hostname TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  via_token INTEGER NOT NULL DEFAULT 0,
  remote_address TEXT NOT NULL DEFAULT '',
  published_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  UNIQUE (host, fingerprint)
);
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE nonces (
  nonce TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX nonces_expiry ON nonces (expires_at);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE bundles (
  host TEXT NOT NULL REFERENCES hosts (name),
  name TEXT NOT NULL,
  ciphertext BLOB NOT NULL,
  sha256 TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL,
  PRIMARY KEY (host, name)
);
)sql";

// Listing a host's history and the audit trail by target.
constexpr std::string_view k_v2 = R"sql(
CREATE INDEX enrollments_host ON enrollments (host, published_at);
CREATE INDEX audit_target ON audit (target, at);
CREATE INDEX tokens_expiry ON tokens (expires_at);
)sql";

// Operator-signed rebuild requests queued for hosts (store/rebuilds.cpp), and when each host
// last polled for them (what `vps-enroll rebuild --wait` reports about an offline host).
constexpr std::string_view k_v3 = R"sql(
CREATE TABLE rebuilds (
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  revision TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  request TEXT NOT NULL,
  signature TEXT NOT NULL,
  operator TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'picked', 'running', 'succeeded', 'failed', 'expired')),
  created_at INTEGER NOT NULL,
  picked_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  exit_status INTEGER,
  duration_ms INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  output_tail TEXT NOT NULL DEFAULT '',
  UNIQUE (host, sequence)
);
CREATE INDEX rebuilds_queue ON rebuilds (host, state, id);
CREATE TABLE rebuild_polls (
  host TEXT PRIMARY KEY,
  last_poll_at INTEGER NOT NULL
);
)sql";

// Pruning the audit trail by age (store/retention.cpp: DELETE ... WHERE at < ?) scanned the
// whole table; audit_target leads with target, so it cannot serve that query.
constexpr std::string_view k_v4 = R"sql(
CREATE INDEX audit_at ON audit (at);
)sql";

// Schema 5 (0.2):
// - operator-signed bundle manifests: hosts install a bundle only with a manifest signed by an
//   operator they trust, and never one with a sequence not above what they have;
// - bounds on unauthenticated publications (routes/publish.cpp, store/pending.cpp): the source a
//   key was published from (routes/source_address.hpp: the address, or an IPv6 /64), so pending
//   keys can be counted per source; indexes for those counts, for expiring pending entries and
//   for paging the host list by status. Existing keys count under the address they came from.
constexpr std::string_view k_v5 = R"sql(
ALTER TABLE bundles ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bundles ADD COLUMN manifest TEXT NOT NULL DEFAULT '';
ALTER TABLE bundles ADD COLUMN signature TEXT NOT NULL DEFAULT '';
ALTER TABLE enrollments ADD COLUMN source TEXT NOT NULL DEFAULT '';
UPDATE enrollments SET source = remote_address;
CREATE INDEX enrollments_source ON enrollments (source, status);
CREATE INDEX enrollments_status ON enrollments (status, last_seen_at);
CREATE INDEX hosts_status ON hosts (status, name);
)sql";

// Schema 6 (day two):
// - a host can be revoked, a key retired (an operator replaced it) and a rebuild cancelled (its
//   host was revoked or re-keyed before it started): SQLite cannot change a CHECK constraint in
//   place, so hosts, enrollments and rebuilds are copied into new tables (migrate_to runs this
//   with foreign keys off and checks them before the commit, as SQLite's ALTER TABLE procedure
//   asks). Their indexes go with the old tables and are made again;
// - hosts.bundles_version: bumped in the transaction of every change to the host's bundles
//   (push, revoke, replace), so a host's long poll can wait for the next one;
// - retired_keys: every key revoked or replaced, refused from then on wherever it signs;
// - secrets_reports: the latest report of each host about its secrets (routes/secrets_report.cpp).
constexpr std::string_view k_v6 = R"sql(
CREATE TABLE hosts_v6 (
  name TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'revoked')),
  ssh_public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  age_recipient TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  hostname TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER,
  bundles_version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO hosts_v6 (name, status, ssh_public_key, fingerprint, age_recipient, instance_id, hostname, boot_id,
                      created_at, updated_at, last_seen_at, decided_by, decided_at)
  SELECT name, status, ssh_public_key, fingerprint, age_recipient, instance_id, hostname, boot_id,
         created_at, updated_at, last_seen_at, decided_by, decided_at FROM hosts;
DROP TABLE hosts;
ALTER TABLE hosts_v6 RENAME TO hosts;
CREATE INDEX hosts_status ON hosts (status, name);

CREATE TABLE enrollments_v6 (
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'flagged', 'revoked', 'retired')),
  ssh_public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  age_recipient TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  hostname TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  via_token INTEGER NOT NULL DEFAULT 0,
  remote_address TEXT NOT NULL DEFAULT '',
  published_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  UNIQUE (host, fingerprint)
);
INSERT INTO enrollments_v6 (id, host, status, ssh_public_key, fingerprint, age_recipient, instance_id, hostname,
                            boot_id, via_token, remote_address, published_at, last_seen_at, source)
  SELECT id, host, status, ssh_public_key, fingerprint, age_recipient, instance_id, hostname,
         boot_id, via_token, remote_address, published_at, last_seen_at, source FROM enrollments;
DROP TABLE enrollments;
ALTER TABLE enrollments_v6 RENAME TO enrollments;
CREATE INDEX enrollments_host ON enrollments (host, published_at);
CREATE INDEX enrollments_source ON enrollments (source, status);
CREATE INDEX enrollments_status ON enrollments (status, last_seen_at);

CREATE TABLE rebuilds_v6 (
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  revision TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  request TEXT NOT NULL,
  signature TEXT NOT NULL,
  operator TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'picked', 'running', 'succeeded', 'failed', 'expired', 'cancelled')),
  created_at INTEGER NOT NULL,
  picked_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  exit_status INTEGER,
  duration_ms INTEGER,
  reason TEXT NOT NULL DEFAULT '',
  output_tail TEXT NOT NULL DEFAULT '',
  UNIQUE (host, sequence)
);
INSERT INTO rebuilds_v6 (id, host, sequence, revision, expires_at, request, signature, operator, state, created_at,
                         picked_at, started_at, finished_at, exit_status, duration_ms, reason, output_tail)
  SELECT id, host, sequence, revision, expires_at, request, signature, operator, state, created_at,
         picked_at, started_at, finished_at, exit_status, duration_ms, reason, output_tail FROM rebuilds;
DROP TABLE rebuilds;
ALTER TABLE rebuilds_v6 RENAME TO rebuilds;
CREATE INDEX rebuilds_queue ON rebuilds (host, state, id);

CREATE TABLE retired_keys (
  host TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  ssh_public_key TEXT NOT NULL,
  age_recipient TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('revoked', 'replaced')),
  retired_at INTEGER NOT NULL,
  retired_by TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (host, fingerprint)
);
CREATE INDEX retired_keys_fingerprint ON retired_keys (fingerprint);

CREATE TABLE secrets_reports (
  host TEXT PRIMARY KEY,
  report TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
)sql";

constexpr std::array<Migration, 6> k_migrations = {{{1, k_v1}, {2, k_v2}, {3, k_v3}, {4, k_v4}, {5, k_v5}, {6, k_v6}}};

}  // namespace

std::span<const Migration> migrations() { return k_migrations; }

int latest_schema_version() { return k_migrations.back().version; }

namespace {

// Restores foreign key enforcement however migrate_to returns.
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(Database& db) : m_db(db) {}
  ~ForeignKeysOff() { (void)m_db.exec("PRAGMA foreign_keys = ON"); }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

 private:
  Database& m_db;
};

Status check_foreign_keys(Database& db, int version) {
  auto stmt = VPS_TRY(db.prepare("PRAGMA foreign_key_check"));
  if (VPS_TRY(stmt.step())) {
    return fail(Errc::config, "migrating to schema " + std::to_string(version) + ": table " + stmt.text(0) +
                                  " has a row whose reference is broken");
  }
  return {};
}

}  // namespace

Status migrate_to(Database& db, int version) {
  // Copying a table into a new one (schema 6) drops the old table while other tables still
  // reference it: SQLite's procedure for that is foreign keys off (outside any transaction, the
  // pragma is a no-op inside one) and PRAGMA foreign_key_check before each commit.
  VPS_CHECK(db.exec("PRAGMA foreign_keys = OFF"));
  const ForeignKeysOff restore(db);
  for (const Migration& migration : k_migrations) {
    if (migration.version > version) break;
    auto tx = VPS_TRY(Transaction::begin(db));
    // Read inside the transaction so two processes migrating at once cannot both apply it.
    const std::int64_t current = VPS_TRY(db.user_version());
    if (current >= migration.version) continue;
    if (current != migration.version - 1) {
      return fail(Errc::config, "database schema version " + std::to_string(current) + " has a gap before " +
                                    std::to_string(migration.version));
    }
    auto applied = db.exec(migration.sql);
    if (!applied) return fail(std::move(applied).error().context("migrating to schema " + std::to_string(migration.version)));
    VPS_CHECK(check_foreign_keys(db, migration.version));
    VPS_CHECK(db.set_user_version(migration.version));
    VPS_CHECK(tx.commit());
  }
  return {};
}

Status migrate(Database& db) {
  const std::int64_t current = VPS_TRY(db.user_version());
  if (current > latest_schema_version()) {
    return fail(Errc::config, "database schema version " + std::to_string(current) +
                                  " is newer than this vps-enroll understands (" +
                                  std::to_string(latest_schema_version()) + ")");
  }
  return migrate_to(db, latest_schema_version());
}

}  // namespace vps::enroll::store
