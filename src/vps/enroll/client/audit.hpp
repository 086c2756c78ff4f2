#pragma once
// The operator's export of the endpoint's audit trail (vps-enroll audit): walks GET /v1/audit a
// page at a time (protocol/audit_page.hpp) and hands each entry on as it arrives, so a trail of
// any length is exported in bounded memory (JSON lines for a SIEM).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/net/api/signed_client.hpp>
#include <vps/protocol/audit_page.hpp>

namespace vps::enroll::client {

struct AuditFilter {
  std::optional<std::string> host;   // entries about this host only
  std::optional<std::int64_t> since; // Unix seconds: entries written then or later
  std::int64_t after = 0;            // entries after this id (resume an export)
  std::size_t limit = 100000;        // entries at most, in all
};

struct AuditWalk {
  std::size_t entries = 0;
  std::int64_t last_id = 0;  // where a further export would resume (--after); 0 for none
  bool complete = false;     // false when `limit` stopped it before the end
};

// Errc::usage for an invalid host name; Errc::malformed when a page does not move forward.
Result<AuditWalk> walk_audit(net::api::SignedClient& client, const AuditFilter& filter,
                             const std::function<void(const protocol::AuditRecord&)>& each);

// --since: a duration back from now ("24h", "7d": base/duration's grammar) or a UTC time
// ("2026-12-01", "2026-12-01T08:00:00Z"). Errc::usage otherwise.
Result<std::int64_t> parse_since(const std::string& text, std::int64_t now);

}  // namespace vps::enroll::client
