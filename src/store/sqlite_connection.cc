#include "store/sqlite_connection.h"

#include <utility>

namespace rigshift::store {

Status SqliteStatus(sqlite3* db, int rc, const std::string& path, std::string_view what) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const std::string message =
      "database " + path + ": " + std::string(what) + ": " + (detail ? detail : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Status::Unavailable(message + " (disk or database full)");
    case SQLITE_READONLY:
      return Status::Unavailable(message + " (database is read-only)");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(message + " (database busy; retry later)");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return Status::Unavailable(message);
    case SQLITE_CONSTRAINT:
      switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
          return Status::AlreadyExists(message);
        case SQLITE_CONSTRAINT_FOREIGNKEY:
          return Status::NotFound(message + " (refers to a row that does not exist)");
        case SQLITE_CONSTRAINT_TRIGGER:
          return Status::FailedPrecondition(message);
        default:
          return Status::InvalidArgument(message);
      }
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Internal(message + " (database file is damaged or not a database)");
    default:
      return Status::Internal(message);
  }
}

SqliteStatement::~SqliteStatement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  next_ = 0;
  bind_rc_ = SQLITE_OK;
}

SqliteStatement& SqliteStatement::Bind(int64_t v) {
  const int rc = sqlite3_bind_int64(stmt_, NextIndex(), v);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

SqliteStatement& SqliteStatement::Bind(double v) {
  const int rc = sqlite3_bind_double(stmt_, NextIndex(), v);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

SqliteStatement& SqliteStatement::Bind(std::string_view v) {
  const int rc = sqlite3_bind_text64(stmt_, NextIndex(), v.data(), v.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

SqliteStatement& SqliteStatement::BindBlob(const void* data, int size) {
  const int rc = sqlite3_bind_blob(stmt_, NextIndex(), data, size, SQLITE_TRANSIENT);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

SqliteStatement& SqliteStatement::Bind(const std::optional<int64_t>& v) {
  return v ? Bind(*v) : BindNull();
}

SqliteStatement& SqliteStatement::BindNull() {
  const int rc = sqlite3_bind_null(stmt_, NextIndex());
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Result<bool> SqliteStatement::Step() {
  if (bind_rc_ != SQLITE_OK) return conn_->Error(bind_rc_, "binding a statement parameter");
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return conn_->Error(rc, sqlite3_sql(stmt_));
}

Status SqliteStatement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return Status::Ok();
  }
}

std::string SqliteStatement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 const ConnectionOptions& options) {
  sqlite3* db = nullptr;
  const int flags = (options.read_only ? SQLITE_OPEN_READONLY
                                       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteStatus(db, rc, path, "opening");
    sqlite3_close_v2(db);
    if (s.code() != StatusCode::kUnavailable) s = Status::Unavailable(s.message());
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db, path));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys = ON"));
  if (options.writer && !options.read_only) {
    // WAL lets readers go on while the controller writes; FULL syncs the WAL at every commit so a
    // committed decision survives a power cut, not only a killed process.
    RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode = WAL"));
    RETURN_IF_ERROR(conn->Exec("PRAGMA synchronous = FULL"));
    if (options.max_page_count > 0) {
      RETURN_IF_ERROR(
          conn->Exec("PRAGMA max_page_count = " + std::to_string(options.max_page_count)));
    }
  } else {
    RETURN_IF_ERROR(conn->Exec("PRAGMA query_only = ON"));
  }
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<SqliteStatement> SqliteConnection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "preparing " + sql);
    it = statements_.emplace(sql, stmt).first;
  }
  return SqliteStatement(*this, it->second);
}

Status SqliteConnection::Exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, sql.size() > 60 ? sql.substr(0, 60) + "..." : sql);
  return Status::Ok();
}

}  // namespace rigshift::store
