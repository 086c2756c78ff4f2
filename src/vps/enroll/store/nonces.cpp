// Store: the nonce replay cache of signed requests.
#include <vps/enroll/store/store.hpp>

namespace vps::enroll::store {

Result<bool> Store::remember_nonce(std::string_view nonce, std::int64_t expires_at, std::int64_t now) {
  auto purge = VPS_TRY(m_db->prepare("DELETE FROM nonces WHERE expires_at < ?1"));
  purge.bind(1, now);
  VPS_CHECK(purge.run());
  auto insert = VPS_TRY(m_db->prepare("INSERT OR IGNORE INTO nonces (nonce, expires_at) VALUES (?1, ?2)"));
  insert.bind(1, nonce).bind(2, expires_at);
  VPS_CHECK(insert.run());
  return m_db->changes() == 1;
}

}  // namespace vps::enroll::store
