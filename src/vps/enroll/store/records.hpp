#pragma once
// Plain values stored by the enrollment endpoint. Times are Unix seconds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/protocol/audit_page.hpp>
#include <vps/protocol/host_status.hpp>

namespace vps::enroll::store {

// The statuses and their names are the API's (protocol/host_status.hpp).
using protocol::EnrollmentStatus;
using protocol::HostStatus;
using protocol::parse_enrollment_status;
using protocol::parse_host_status;
using protocol::to_string;

// What a publication tells about a key; shared by hosts and enrollments.
struct KeyFacts {
  std::string ssh_public_key;
  std::string fingerprint;
  std::string age_recipient;
  std::string instance_id;
  std::string hostname;
  std::string boot_id;
};

struct HostRecord {
  std::string name;
  HostStatus status = HostStatus::pending;
  KeyFacts key;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t last_seen_at = 0;
  std::optional<std::string> decided_by;  // operator name, or "token"
  std::optional<std::int64_t> decided_at;
};

struct EnrollmentRecord {
  std::int64_t id = 0;
  std::string host;
  EnrollmentStatus status = EnrollmentStatus::pending;
  KeyFacts key;
  bool via_token = false;
  std::string remote_address;  // the peer that sent the publication
  std::string source;          // what the per-source limits count it under (routes/source_address.hpp)
  std::int64_t published_at = 0;
  std::int64_t last_seen_at = 0;
};

// One page of the host list: hosts named after `after` (all when empty), in name order,
// optionally of one status.
struct HostPage {
  std::optional<HostStatus> status;
  std::string after;
  std::size_t limit = 100;
};

// A pending entry removed because nobody published it again in time (store/pending.cpp): a
// pending host with its key, or a flagged key of a host that stays.
struct ExpiredKey {
  std::string host;
  std::string fingerprint;
  bool whole_host = false;  // the pending host went with it
  std::int64_t last_seen_at = 0;
};

struct TokenRecord {
  std::string hash;  // hex SHA-256 of the token; the token itself is never stored
  std::string host;
  std::string created_by;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
};

// An audit row is exactly what GET /v1/audit exports (protocol/audit_page.hpp): one struct.
using AuditEntry = protocol::AuditRecord;

// A page of the audit trail for export (GET /v1/audit): entries after id `after`, in id order,
// of one target and from `since` on when given.
struct AuditQuery {
  std::int64_t after = 0;
  std::size_t limit = 1000;
  std::optional<std::string> target;
  std::optional<std::int64_t> since;
};

struct BundleInfo {
  std::string host;
  std::string name;
  std::string sha256;  // hex
  std::int64_t size = 0;
  std::string uploaded_by;
  std::int64_t uploaded_at = 0;
  // The operator-signed manifest (protocol/bundle_manifest.hpp) the host verifies; empty for a
  // bundle stored before schema 5, which hosts refuse until it is pushed again.
  std::int64_t sequence = 0;
  std::string manifest;
  std::string signature;  // base64
};

// A key that signs nothing any more (store/lifecycle.cpp): revoked with its host, or replaced
// by a newer key for the same host (approve --replace).
struct RetiredKey {
  std::string host;
  std::string fingerprint;
  std::string ssh_public_key;
  std::string age_recipient;
  std::string kind;  // "revoked" or "replaced"
  std::int64_t retired_at = 0;
  std::string retired_by;  // operator name
  std::string reason;
};

// The latest secrets report of a host (protocol/secrets_report.hpp), as it was received.
struct StoredSecretsReport {
  std::string report;  // canonical JSON (serialize_secrets_report)
  std::int64_t received_at = 0;
};

struct Bundle {
  BundleInfo info;
  Bytes ciphertext;
};

}  // namespace vps::enroll::store
