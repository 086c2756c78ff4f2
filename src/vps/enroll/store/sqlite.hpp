#pragma once
// A thin owner around sqlite3 handles: Database (connection) and Statement (prepared
// statement, reset for reuse). Errors carry SQLite's message and map to Errc::io; a busy
// database (another writer past the busy timeout) maps to Errc::retry.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace vps::enroll::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : m_db(other.m_db), m_stmt(other.m_stmt) { other.m_stmt = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_blob(int index, ByteView blob);
  Statement& bind_null(int index);
  Statement& bind_optional(int index, const std::optional<std::string>& text);

  // true: a row is available; false: done.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Status run();

  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::int64_t integer(int column) const;
  Bytes blob(int column) const;
  int column_count() const;

 private:
  Status check(int rc, std::string_view what);
  sqlite3* m_db;
  sqlite3_stmt* m_stmt;
  bool m_bound_error = false;
};

class Database {
 public:
  // Opens (creating) the file; ":memory:" for tests. Enables WAL (file databases), foreign
  // keys and the busy timeout.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& path,
                                                std::chrono::milliseconds busy_timeout);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  std::int64_t changes() const;

  Result<std::int64_t> user_version();
  Status set_user_version(std::int64_t version);

 private:
  explicit Database(sqlite3* db) : m_db(db) {}
  sqlite3* m_db;
};

// BEGIN IMMEDIATE on construction (a writer from the start: no lock upgrade deadlocks),
// ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : m_db(other.m_db) { other.m_db = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Database* db) : m_db(db) {}
  Database* m_db;
};

}  // namespace vps::enroll::store
