#include <vps/enroll/client/audit.hpp>

#include <algorithm>

#include <vps/base/clock.hpp>
#include <vps/base/duration.hpp>
#include <vps/enroll/client/operator_options.hpp>

namespace vps::enroll::client {

Result<AuditWalk> walk_audit(net::api::SignedClient& client, const AuditFilter& filter,
                             const std::function<void(const protocol::AuditRecord&)>& each) {
  if (filter.host) VPS_CHECK(host_path(*filter.host));
  AuditWalk walk;
  std::int64_t after = filter.after;
  // Each page ends the walk or moves `after` forward past at least one entry: at most
  // limit / page + 1 requests.
  while (walk.entries < filter.limit) {
    const auto want = std::min<std::size_t>(static_cast<std::size_t>(protocol::k_max_audit_page), filter.limit - walk.entries);
    std::string target = "/v1/audit?limit=" + std::to_string(want) + "&after=" + std::to_string(after);
    if (filter.host) target += "&host=" + *filter.host;
    if (filter.since) target += "&since=" + std::to_string(*filter.since);
    const auto answer = VPS_TRY(client.call_json("GET", target));
    const auto page = VPS_TRY(protocol::parse_audit_page(answer));
    if (page.entries.size() > want) return fail(Errc::malformed, "audit: the endpoint sent a longer page than asked for");
    for (const auto& entry : page.entries) {
      if (entry.id <= after) return fail(Errc::malformed, "audit: the endpoint's entries do not move forward");
      each(entry);
      after = entry.id;
      ++walk.entries;
    }
    walk.last_id = after;
    if (!page.next) {
      walk.complete = true;
      return walk;
    }
    if (*page.next != after || page.entries.empty())
      return fail(Errc::malformed, "audit: the endpoint's page after #" + std::to_string(after) + " does not move on");
  }
  return walk;
}

Result<std::int64_t> parse_since(const std::string& text, std::int64_t now) {
  if (auto at = clock::parse_utc(text)) return *at;
  auto ago = parse_duration(text);
  if (!ago) {
    return fail(Errc::usage, "--since '" + text +
                                 "': give a duration back from now (30m, 24h, 7d) or a UTC time (2026-12-01 or "
                                 "2026-12-01T08:00:00Z)");
  }
  return now - std::chrono::duration_cast<std::chrono::seconds>(*ago).count();
}

}  // namespace vps::enroll::client
