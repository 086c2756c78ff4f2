#pragma once
// The audit trail as the REST API exports it, defined once for the endpoint (routes/audit.cpp)
// and the operator CLI (`vps-enroll audit`, JSON lines for a SIEM):
//
//   operator -> endpoint  GET /v1/audit?after=ID&limit=N&host=NAME&since=UNIX
//   endpoint -> operator  {"entries": [{"id", "at", "actor", "action", "target", "detail"}...],
//                          "next": ID | null}
//
// Entries come in id order (the order they were written; the trail is append-only), a page at a
// time: `next` is the `after` of the following page, null at the end. Keyset paging: every page
// costs the same however deep it is, and entries written meanwhile are not skipped.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <vps/base/result.hpp>

namespace vps::protocol {

inline constexpr std::int64_t k_max_audit_page = 1000;  // also the default page

struct AuditRecord {
  std::int64_t id = 0;
  std::int64_t at = 0;  // Unix seconds
  std::string actor;    // "operator:alice", "host:web1", "token", "endpoint"
  std::string action;   // "approve", "publish", "rebuild-report", ...
  std::string target;   // a host name, usually
  std::string detail;
};

struct AuditPage {
  std::vector<AuditRecord> entries;
  std::optional<std::int64_t> next;
};

nlohmann::json to_json(const AuditRecord& record);
nlohmann::json to_json(const AuditPage& page);
// Errc::malformed naming the field that is missing or of another type.
Result<AuditRecord> parse_audit_record(const nlohmann::json& value);
Result<AuditPage> parse_audit_page(const nlohmann::json& value);

}  // namespace vps::protocol
