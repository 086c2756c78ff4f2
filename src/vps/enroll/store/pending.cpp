// Store: keys waiting for an operator's decision. Anyone can publish, so these rows are what an
// outsider can make the endpoint keep; routes/publish.cpp caps their number (overall and per
// source) and the hourly pruning removes the ones nobody publishes any more.
#include <vps/enroll/store/store.hpp>

namespace vps::enroll::store {

namespace {

// A pending host's own key has status 'pending'; a different key published for a host that has
// one is 'flagged'. Both wait for an operator, both count.
constexpr std::string_view k_waiting = "status IN ('pending', 'flagged')";

// Pending hosts an operator has already put work into (a bundle pushed, a rebuild queued) are
// not the unattended entries expiry is for.
constexpr std::string_view k_untouched =
    "NOT EXISTS (SELECT 1 FROM bundles b WHERE b.host = hosts.name) AND "
    "NOT EXISTS (SELECT 1 FROM rebuilds r WHERE r.host = hosts.name)";

}  // namespace

Result<std::int64_t> Store::count_pending_keys() {
  auto stmt = VPS_TRY(m_db->prepare("SELECT count(*) FROM enrollments WHERE " + std::string(k_waiting)));
  VPS_TRY(stmt.step());
  return stmt.integer(0);
}

Result<std::int64_t> Store::count_pending_keys_from(std::string_view source) {
  auto stmt = VPS_TRY(m_db->prepare("SELECT count(*) FROM enrollments WHERE source = ?1 AND " + std::string(k_waiting)));
  stmt.bind(1, source);
  VPS_TRY(stmt.step());
  return stmt.integer(0);
}

Result<std::vector<ExpiredKey>> Store::expire_pending(std::int64_t cutoff) {
  const std::string stale_hosts =
      "SELECT name FROM hosts WHERE status = 'pending' AND last_seen_at < ?1 AND " + std::string(k_untouched);
  std::vector<ExpiredKey> expired;
  auto hosts = VPS_TRY(m_db->prepare("SELECT name, fingerprint, last_seen_at FROM hosts WHERE name IN (" + stale_hosts +
                                     ") ORDER BY name"));
  hosts.bind(1, cutoff);
  while (VPS_TRY(hosts.step())) expired.push_back(ExpiredKey{hosts.text(0), hosts.text(1), true, hosts.integer(2)});
  // A pending host goes with every key published for it (flagged ones included): nothing of it
  // remains for an operator to decide on, and whoever still wants the name publishes again.
  auto drop_keys = VPS_TRY(m_db->prepare("DELETE FROM enrollments WHERE host IN (" + stale_hosts + ")"));
  drop_keys.bind(1, cutoff);
  VPS_CHECK(drop_keys.run());
  auto drop_hosts = VPS_TRY(m_db->prepare("DELETE FROM hosts WHERE name IN (" + stale_hosts + ")"));
  drop_hosts.bind(1, cutoff);
  VPS_CHECK(drop_hosts.run());

  auto flagged = VPS_TRY(m_db->prepare(
      "SELECT host, fingerprint, last_seen_at FROM enrollments WHERE status = 'flagged' AND last_seen_at < ?1 "
      "ORDER BY host, id"));
  flagged.bind(1, cutoff);
  while (VPS_TRY(flagged.step())) expired.push_back(ExpiredKey{flagged.text(0), flagged.text(1), false, flagged.integer(2)});
  auto drop_flagged = VPS_TRY(m_db->prepare("DELETE FROM enrollments WHERE status = 'flagged' AND last_seen_at < ?1"));
  drop_flagged.bind(1, cutoff);
  VPS_CHECK(drop_flagged.run());
  return expired;
}

}  // namespace vps::enroll::store
