#pragma once
// The enrollment endpoint's persistent state over SQLite (the embedded default): hosts and
// the history of keys they published, one-time tokens (hashes only), the nonce replay cache,
// the audit trail and per-host ciphertext bundles. Methods are single statements; callers
// group a request's changes with transaction(), so a refused request changes nothing.
//
// Not thread-safe: the server calls it from its one I/O thread.

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <vps/enroll/store/rebuild_record.hpp>
#include <vps/enroll/store/records.hpp>
#include <vps/enroll/store/sqlite.hpp>

namespace vps::enroll::store {

class Store {
 public:
  // Opens or creates the database and migrates it. ":memory:" for tests.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path,
                                             std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));

  Result<Transaction> transaction() { return Transaction::begin(*m_db); }
  Database& database() { return *m_db; }

  // Hosts.
  Result<std::optional<HostRecord>> find_host(std::string_view name);
  Result<std::vector<HostRecord>> list_hosts();
  Result<std::vector<HostRecord>> list_hosts(const HostPage& page);
  Status insert_host(const HostRecord& host);
  // Replaces key facts and status (a pending key replaced by a token-backed one, or a
  // rejected host re-publishing).
  Status replace_host(const HostRecord& host);
  Status set_host_status(std::string_view name, HostStatus status, std::string_view decided_by, std::int64_t now);
  Status touch_host(std::string_view name, std::string_view boot_id, std::int64_t now);

  // Enrollment history: one row per (host, key fingerprint).
  Result<std::optional<EnrollmentRecord>> find_enrollment(std::string_view host, std::string_view fingerprint);
  Result<std::vector<EnrollmentRecord>> enrollments_for(std::string_view host);
  Status insert_enrollment(const EnrollmentRecord& enrollment);
  Status set_enrollment_status(std::string_view host, std::string_view fingerprint, EnrollmentStatus status);
  Status touch_enrollment(std::string_view host, std::string_view fingerprint, std::int64_t now);
  Result<std::int64_t> count_flagged(std::string_view host);

  // Keys waiting for an operator's decision (store/pending.cpp): pending hosts' keys and
  // flagged keys, overall or published from one source.
  Result<std::int64_t> count_pending_keys();
  Result<std::int64_t> count_pending_keys_from(std::string_view source);
  // Removes pending hosts and flagged keys last published before `cutoff`; a pending host an
  // operator pushed bundles to or queued rebuilds for stays. Returns what it removed.
  Result<std::vector<ExpiredKey>> expire_pending(std::int64_t cutoff);

  // Tokens.
  Status insert_token(const TokenRecord& token);
  Result<std::optional<TokenRecord>> find_token(std::string_view hash);
  // Marks it used only if still unused (single use even under races); false if it was used.
  Result<bool> use_token(std::string_view hash, std::int64_t now);

  // Nonces: false if already present (a replay). Expired ones are purged first.
  Result<bool> remember_nonce(std::string_view nonce, std::int64_t expires_at, std::int64_t now);

  // Audit.
  Status append_audit(const AuditEntry& entry);
  Result<std::vector<AuditEntry>> audit_for(std::string_view target, std::size_t limit);
  Result<std::vector<AuditEntry>> audit_page(const AuditQuery& query);
  Result<std::int64_t> audit_count();

  // Retention (store/retention.cpp): each returns how many rows it deleted.
  Result<std::int64_t> prune_nonces(std::int64_t now);             // expired: outside the skew window
  Result<std::int64_t> prune_audit(std::int64_t older_than);        // entries with at < older_than
  Result<std::int64_t> nonce_count();

  // Rebuild queue (store/rebuilds.cpp). Sequences are unique per host.
  Result<std::int64_t> insert_rebuild(const RebuildRecord& rebuild);  // returns the id
  Result<std::int64_t> last_rebuild_sequence(std::string_view host);  // 0 when none
  Status expire_rebuilds(std::string_view host, std::int64_t now);     // queued and past expiry -> expired
  // picked/running -> failed with `reason`; the number of rows changed.
  Result<std::int64_t> abandon_unfinished_rebuilds(std::string_view host, std::int64_t now, std::string_view reason);
  Result<std::optional<RebuildRecord>> next_queued_rebuild(std::string_view host, std::int64_t now);
  Result<std::optional<RebuildRecord>> find_rebuild(std::string_view host, std::int64_t id);
  Result<std::vector<RebuildRecord>> rebuilds_for(std::string_view host, std::size_t limit);  // newest first
  Status update_rebuild(const RebuildRecord& rebuild);
  Status record_rebuild_poll(std::string_view host, std::int64_t now);
  Result<std::optional<std::int64_t>> last_rebuild_poll(std::string_view host);

  // Bundles (ciphertext only).
  Status put_bundle(const BundleInfo& info, ByteView ciphertext);
  Result<std::vector<BundleInfo>> list_bundles(std::string_view host);
  Result<std::optional<Bundle>> get_bundle(std::string_view host, std::string_view name);

  // A host's life after approval (store/lifecycle.cpp).
  // The bundles version: bumped in the transaction of every change to the host's bundles, so
  // a long poll can tell whether anything changed since the version it saw. 0 for no host.
  Result<std::int64_t> bundles_version(std::string_view host);
  Status bump_bundles_version(std::string_view host);
  // Deletes every bundle of the host; their names, in name order.
  Result<std::vector<std::string>> delete_bundles(std::string_view host);
  // queued/picked (not started) -> cancelled with `reason`; the ids, oldest first.
  Result<std::vector<std::int64_t>> cancel_rebuilds(std::string_view host, std::int64_t now, std::string_view reason);
  // Remembers a retired key; a key already retired keeps its first record.
  Status retire_key(const RetiredKey& key);
  // The record of a key retired for any host, by fingerprint.
  Result<std::optional<RetiredKey>> find_retired_key(std::string_view fingerprint);
  Result<std::vector<RetiredKey>> retired_keys_for(std::string_view host);
  Status put_secrets_report(std::string_view host, std::string_view report, std::int64_t now);
  Result<std::optional<StoredSecretsReport>> find_secrets_report(std::string_view host);

 private:
  explicit Store(std::unique_ptr<Database> db) : m_db(std::move(db)) {}
  std::unique_ptr<Database> m_db;
};

}  // namespace vps::enroll::store
