// The SQLite implementation of Store (store.h), the embedded default: one database file in WAL
// mode with synchronous=FULL and foreign keys on.
//
// Connections: one writer connection behind a mutex (SQLite has one writer at a time anyway) and a
// pool of reader connections; a read takes a free reader, so readers never queue behind a write
// transaction (WAL gives each a snapshot). An in-memory database (":memory:") is private to one
// connection, so there its reads take the writer's mutex.
//
// Schema migrations: `schema_version` holds one row per applied migration. Opening applies, in one
// transaction, every migration newer than the database; a database newer than the binary is
// refused. Add a migration by appending to SqliteMigrations() (never edit an applied one).
//
// Thread-safety: as Store.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace rigshift::store {

struct SqliteMigration {
  int version = 0;  // 1, 2, 3, ... in order
  std::string sql;  // statements run inside the migration's transaction
};

// The migrations this binary knows, oldest first. Migration 1 is the whole first schema.
const std::vector<SqliteMigration>& SqliteMigrations();

// OpenSqliteStore with a given migration list (tests open a database at an older or a newer
// schema this way).
Result<std::unique_ptr<Store>> OpenSqliteStoreWithMigrations(
    const std::string& path, const OpenOptions& options,
    const std::vector<SqliteMigration>& migrations);

}  // namespace rigshift::store
