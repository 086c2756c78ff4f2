#include <vps/enroll/store/sqlite.hpp>

#include <sqlite3.h>

namespace vps::enroll::store {

namespace {

tl::unexpected<Error> sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const Errc code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? Errc::retry : Errc::io;
  std::string message = "database: " + std::string(what) + ": ";
  message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return fail(code, std::move(message));
}

}  // namespace

Statement::~Statement() {
  if (m_stmt) sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
    m_bound_error = true;
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK) m_bound_error = true;
  return *this;
}

Statement& Statement::bind_blob(int index, ByteView blob) {
  // A zero-length blob must still be a blob, not NULL: pass a valid pointer.
  static const std::uint8_t empty = 0;
  const void* data = blob.empty() ? &empty : blob.data();
  if (sqlite3_bind_blob64(m_stmt, index, data, blob.size(), SQLITE_TRANSIENT) != SQLITE_OK) m_bound_error = true;
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK) m_bound_error = true;
  return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Status Statement::check(int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return {};
  return sqlite_error(m_db, rc, what);
}

Result<bool> Statement::step() {
  if (m_bound_error) return fail(Errc::internal, "database: binding a parameter failed");
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_errmsg is only meaningful before reset.
  auto error = sqlite_error(m_db, rc, sqlite3_sql(m_stmt) ? "statement failed" : "step");
  sqlite3_reset(m_stmt);
  return error;
}

Status Statement::run() {
  while (VPS_TRY(step())) {
  }
  return {};
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(m_stmt, column);
  const int n = sqlite3_column_bytes(m_stmt, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (sqlite3_column_type(m_stmt, column) == SQLITE_NULL) return std::nullopt;
  return text(column);
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(m_stmt, column); }

Bytes Statement::blob(int column) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt, column));
  const int n = sqlite3_column_bytes(m_stmt, column);
  return p ? Bytes(p, p + n) : Bytes();
}

int Statement::column_count() const { return sqlite3_column_count(m_stmt); }

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& path,
                                                 std::chrono::milliseconds busy_timeout) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<Database> db(new Database(raw));
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, "opening '" + path.string() + "'");
  sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
  sqlite3_extended_result_codes(raw, 0);
  VPS_CHECK(db->exec("PRAGMA foreign_keys = ON"));
  if (path != ":memory:") {
    // WAL: readers never block the writer; synchronous=NORMAL is durable across crashes of
    // the process (only power loss may drop the last transactions, never corrupt).
    VPS_CHECK(db->exec("PRAGMA journal_mode = WAL"));
    VPS_CHECK(db->exec("PRAGMA synchronous = NORMAL"));
  }
  return db;
}

Database::~Database() {
  if (m_db) sqlite3_close_v2(m_db);
}

Status Database::exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string detail = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  const Errc code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? Errc::retry : Errc::io;
  return fail(code, "database: " + detail);
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(m_db, rc, "preparing a statement");
  return Statement(m_db, stmt);
}

std::int64_t Database::changes() const { return sqlite3_changes64(m_db); }

Result<std::int64_t> Database::user_version() {
  auto stmt = VPS_TRY(prepare("PRAGMA user_version"));
  if (!VPS_TRY(stmt.step())) return fail(Errc::io, "database: no user_version");
  return stmt.integer(0);
}

Status Database::set_user_version(std::int64_t version) {
  return exec("PRAGMA user_version = " + std::to_string(version));
}

Result<Transaction> Transaction::begin(Database& db) {
  VPS_CHECK(db.exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (m_db) (void)m_db->exec("ROLLBACK");
}

Status Transaction::commit() {
  if (!m_db) return fail(Errc::internal, "database: transaction already finished");
  Database* db = m_db;
  m_db = nullptr;
  auto status = db->exec("COMMIT");
  if (!status) (void)db->exec("ROLLBACK");
  return status;
}

}  // namespace vps::enroll::store
