#pragma once
// Schema versions of the enrollment database. PRAGMA user_version holds the version applied;
// migrations run in order, each inside its own transaction together with the version bump, so
// a crash leaves the database at a whole version. Migrations are append-only: never edit one
// that has shipped, add the next.

#include <span>
#include <string_view>

#include <vps/enroll/store/sqlite.hpp>

namespace vps::enroll::store {

struct Migration {
  int version;           // 1, 2, ...: the user_version after it ran
  std::string_view sql;  // one or more statements
};

std::span<const Migration> migrations();
int latest_schema_version();

// Brings db to latest_schema_version(). A database from a newer release (user_version above
// what we know) is refused with Errc::config rather than used half-understood.
Status migrate(Database& db);

// For tests: applies migrations up to `version` only.
Status migrate_to(Database& db, int version);

}  // namespace vps::enroll::store
