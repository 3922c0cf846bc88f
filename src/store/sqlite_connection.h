// A thin layer over one SQLite connection (the plain C API): opening with the store's pragmas,
// a cache of prepared statements, a statement cursor that resets itself, and the mapping of
// SQLite result codes to Status (a full disk, a read-only file, an I/O error or a busy database
// are kUnavailable naming the path).
//
// Thread-safety: a connection and its statements are used by one thread at a time; SqliteStore
// hands them out under a mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace rigshift::store {

// The Status for SQLite result code `rc` from doing `what` on the database at `path`.
Status SqliteStatus(sqlite3* db, int rc, const std::string& path, std::string_view what);

class SqliteConnection;

// A prepared statement being bound and stepped. Binds are positional in call order. Resets the
// statement (and clears its bindings) when it goes out of scope, so a cached statement never
// holds a read snapshot or a lock after use.
class SqliteStatement {
 public:
  SqliteStatement(SqliteConnection& conn, sqlite3_stmt* stmt) : conn_(&conn), stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept
      : conn_(other.conn_), stmt_(other.stmt_), next_(other.next_), bind_rc_(other.bind_rc_) {
    other.stmt_ = nullptr;
  }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  ~SqliteStatement();

  SqliteStatement& Bind(int64_t v);
  SqliteStatement& Bind(double v);
  SqliteStatement& Bind(std::string_view v);
  SqliteStatement& BindBlob(const void* data, int size);
  SqliteStatement& Bind(const std::optional<int64_t>& v);
  SqliteStatement& BindNull();

  // Makes the statement ready to bind and run again (a loop reusing one statement).
  void Reset();

  // Steps once: true when a row is ready, false when done.
  Result<bool> Step();
  // Steps to the end (an INSERT, UPDATE or DELETE).
  Status Run();

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const;
  std::optional<int64_t> OptInt(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
  }

 private:
  int NextIndex() { return ++next_; }
  SqliteConnection* conn_;
  sqlite3_stmt* stmt_;
  int next_ = 0;
  int bind_rc_ = SQLITE_OK;
};

struct ConnectionOptions {
  bool read_only = false;
  bool writer = false;  // sets WAL and the page cap; readers only read
  int32_t busy_timeout_ms = 5000;
  int64_t max_page_count = 0;
};

class SqliteConnection {
 public:
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                        const ConnectionOptions& options);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // A cached prepared statement for `sql` (prepared on first use).
  Result<SqliteStatement> Prepare(const std::string& sql);
  // Runs one or more statements that return no rows the caller needs (DDL, BEGIN, COMMIT).
  Status Exec(const std::string& sql);
  Status Error(int rc, std::string_view what) const { return SqliteStatus(db_, rc, path_, what); }

  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace rigshift::store
