// Store: tokens, the nonce replay cache, the audit trail and bundles.
#include <enroll/store/store.hpp>

namespace vps::enroll::store {

Status Store::insert_token(const TokenRecord& token) {
  auto stmt = VPS_TRY(m_db->prepare(
      "INSERT INTO tokens (hash, host, created_by, created_at, expires_at, used_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL)"));
  stmt.bind(1, token.hash).bind(2, token.host).bind(3, token.created_by).bind(4, token.created_at).bind(5, token.expires_at);
  return stmt.run();
}

Result<std::optional<TokenRecord>> Store::find_token(std::string_view hash) {
  auto stmt = VPS_TRY(m_db->prepare(
      "SELECT hash, host, created_by, created_at, expires_at, used_at FROM tokens WHERE hash = ?1"));
  stmt.bind(1, hash);
  if (!VPS_TRY(stmt.step())) return std::optional<TokenRecord>();
  TokenRecord token{stmt.text(0), stmt.text(1), stmt.text(2), stmt.integer(3), stmt.integer(4), std::nullopt};
  if (stmt.optional_text(5)) token.used_at = stmt.integer(5);
  return std::optional<TokenRecord>(std::move(token));
}

Result<bool> Store::use_token(std::string_view hash, std::int64_t now) {
  auto stmt = VPS_TRY(m_db->prepare("UPDATE tokens SET used_at = ?2 WHERE hash = ?1 AND used_at IS NULL"));
  stmt.bind(1, hash).bind(2, now);
  VPS_CHECK(stmt.run());
  return m_db->changes() == 1;
}

Result<bool> Store::remember_nonce(std::string_view nonce, std::int64_t expires_at, std::int64_t now) {
  auto purge = VPS_TRY(m_db->prepare("DELETE FROM nonces WHERE expires_at < ?1"));
  purge.bind(1, now);
  VPS_CHECK(purge.run());
  auto insert = VPS_TRY(m_db->prepare("INSERT OR IGNORE INTO nonces (nonce, expires_at) VALUES (?1, ?2)"));
  insert.bind(1, nonce).bind(2, expires_at);
  VPS_CHECK(insert.run());
  return m_db->changes() == 1;
}

Status Store::append_audit(const AuditEntry& entry) {
  auto stmt = VPS_TRY(m_db->prepare("INSERT INTO audit (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)"));
  stmt.bind(1, entry.at).bind(2, entry.actor).bind(3, entry.action).bind(4, entry.target).bind(5, entry.detail);
  return stmt.run();
}

Result<std::vector<AuditEntry>> Store::audit_for(std::string_view target, std::size_t limit) {
  auto stmt = VPS_TRY(m_db->prepare(
      "SELECT id, at, actor, action, target, detail FROM audit WHERE target = ?1 ORDER BY id DESC LIMIT ?2"));
  stmt.bind(1, target).bind(2, static_cast<std::int64_t>(limit));
  std::vector<AuditEntry> out;
  while (VPS_TRY(stmt.step())) {
    out.push_back(AuditEntry{stmt.integer(0), stmt.integer(1), stmt.text(2), stmt.text(3), stmt.text(4), stmt.text(5)});
  }
  return out;
}

Result<std::int64_t> Store::audit_count() {
  auto stmt = VPS_TRY(m_db->prepare("SELECT count(*) FROM audit"));
  VPS_TRY(stmt.step());
  return stmt.integer(0);
}

Status Store::put_bundle(const BundleInfo& info, ByteView ciphertext) {
  auto stmt = VPS_TRY(m_db->prepare(
      "INSERT INTO bundles (host, name, ciphertext, sha256, uploaded_by, uploaded_at, sequence, manifest, signature) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (host, name) DO UPDATE SET ciphertext = excluded.ciphertext, sha256 = excluded.sha256, "
      "uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at, sequence = excluded.sequence, "
      "manifest = excluded.manifest, signature = excluded.signature"));
  stmt.bind(1, info.host).bind(2, info.name).bind_blob(3, ciphertext).bind(4, info.sha256).bind(5, info.uploaded_by);
  stmt.bind(6, info.uploaded_at).bind(7, info.sequence).bind(8, info.manifest).bind(9, info.signature);
  return stmt.run();
}

namespace {

constexpr std::string_view k_bundle_columns =
    "host, name, sha256, length(ciphertext), uploaded_by, uploaded_at, sequence, manifest, signature";

BundleInfo bundle_info(Statement& stmt) {
  return BundleInfo{stmt.text(0),    stmt.text(1),    stmt.text(2), stmt.integer(3), stmt.text(4),
                    stmt.integer(5), stmt.integer(6), stmt.text(7), stmt.text(8)};
}

}  // namespace

Result<std::vector<BundleInfo>> Store::list_bundles(std::string_view host) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_bundle_columns) +
                                    " FROM bundles WHERE host = ?1 ORDER BY name"));
  stmt.bind(1, host);
  std::vector<BundleInfo> out;
  while (VPS_TRY(stmt.step())) out.push_back(bundle_info(stmt));
  return out;
}

Result<std::optional<Bundle>> Store::get_bundle(std::string_view host, std::string_view name) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT " + std::string(k_bundle_columns) +
                                    ", ciphertext FROM bundles WHERE host = ?1 AND name = ?2"));
  stmt.bind(1, host).bind(2, name);
  if (!VPS_TRY(stmt.step())) return std::optional<Bundle>();
  Bundle bundle{bundle_info(stmt), stmt.blob(9)};
  return std::optional<Bundle>(std::move(bundle));
}

}  // namespace vps::enroll::store
