// Store: one-time enrollment tokens (stored as hashes, used at most once).
#include <vps/enroll/store/store.hpp>

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

}  // namespace vps::enroll::store
