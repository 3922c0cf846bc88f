// The SQLite schema, as migrations. Never edit a migration once released: append a new one.
#include "store/sqlite_store.h"

namespace rigshift::store {

namespace {

// Migration 1: the first schema. Times are epoch seconds, money micro-USD, prices as
// core/quantity.h. Enumerations are stored by name and checked, so a row is readable by hand.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE tenants (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  secret_sha256 BLOB NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('operator', 'tenant')),
  tenant TEXT REFERENCES tenants(name),
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  CHECK (role = 'operator' OR tenant IS NOT NULL)
);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL REFERENCES tenants(name),
  idempotency_key TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  command TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN
    ('queued', 'running', 'done', 'cancelled', 'failed', 'unplaceable')),
  submitted_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  devices_json TEXT NOT NULL DEFAULT '[]',
  preemptions INTEGER NOT NULL DEFAULT 0,
  remaining_work REAL NOT NULL,
  attained_gpu_seconds REAL NOT NULL DEFAULT 0,
  run_start INTEGER,
  last_checkpoint INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tenant, idempotency_key)
);
CREATE INDEX jobs_by_state ON jobs(state, id);
CREATE INDEX jobs_by_tenant ON jobs(tenant, id);
CREATE INDEX jobs_by_submitted ON jobs(submitted_at, id);
CREATE TABLE job_state_history (
  seq INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id),
  at INTEGER NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX job_state_history_by_job ON job_state_history(job_id, seq);
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  kind TEXT NOT NULL,
  model TEXT NOT NULL,
  desired_mode TEXT NOT NULL DEFAULT 'off',
  observed_mode TEXT NOT NULL DEFAULT 'unknown',
  up INTEGER NOT NULL DEFAULT 0,
  last_seen INTEGER,
  retired INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE TABLE plans (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  policy TEXT NOT NULL,
  trigger_kind TEXT NOT NULL
);
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  at INTEGER NOT NULL,
  trigger_kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  site TEXT NOT NULL,
  device_first TEXT NOT NULL,
  device_last TEXT NOT NULL,
  job_id INTEGER
);
CREATE INDEX decisions_by_plan ON decisions(plan_id, id);
CREATE INDEX decisions_by_site ON decisions(site, id);
CREATE INDEX decisions_by_job ON decisions(job_id, id) WHERE job_id IS NOT NULL;
CREATE INDEX decisions_by_device ON decisions(device_first);
CREATE INDEX decisions_by_time ON decisions(at, id);
CREATE TABLE actions (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  plan_id INTEGER REFERENCES plans(id),
  kind TEXT NOT NULL CHECK (kind IN ('start_job', 'stop_job', 'set_mode', 'set_power')),
  target TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN
    ('pending', 'sent', 'acknowledged', 'confirmed', 'drifted', 'failed')),
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  acknowledged_at INTEGER,
  finished_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
CREATE INDEX actions_open ON actions(id) WHERE state IN ('pending', 'sent', 'acknowledged');
CREATE TABLE market_points (
  market TEXT NOT NULL,
  at INTEGER NOT NULL,
  energy_price_uusd_per_mwh INTEGER,
  hashprice_uusd_per_ths_day INTEGER,
  source TEXT NOT NULL,
  PRIMARY KEY (market, at)
) WITHOUT ROWID;
CREATE TABLE revenue (
  site TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('ai', 'mining', 'energy', 'dr')),
  amount_uusd INTEGER NOT NULL,
  PRIMARY KEY (site, kind)
) WITHOUT ROWID;
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql";

}  // namespace

const std::vector<SqliteMigration>& SqliteMigrations() {
  static const std::vector<SqliteMigration> kMigrations = {{1, kSchemaV1}};
  return kMigrations;
}

}  // namespace rigshift::store
