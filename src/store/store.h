// Store: the durable state of the live control plane (`rigshift serve`). Everything the controller,
// the HTTP API and the daemon must not lose across a crash lives here: tenants and API tokens,
// jobs and their state history, devices, plans and their decisions, the actions sent to backends,
// market points, revenue counters, an append-only event log and a few meta keys.
//
// Contract (every implementation, SQLite now and PostgreSQL later, passes
// store_contract_test.cc):
//   - Writes go through Write(): one callback, one transaction, committed whole or not at all.
//     The controller writes one plan's decisions, actions, job transitions, revenue and events in
//     one Write, so a kill -9 at any moment leaves either all of it or none of it.
//   - Errors are Status values: kUnavailable when the database cannot serve now (disk full,
//     read-only file, I/O error, busy past the timeout; the message names the path), kNotFound,
//     kAlreadyExists (a unique key taken: tenant name, a job's idempotency key with another body),
//     kInvalidArgument, kFailedPrecondition (a state transition that is not allowed).
//   - Reads keep working while writes fail (read-only file, full disk).
//   - Times are int64 epoch seconds handed in by the caller; the store reads no clock.
//   - Money, power and prices are the core's fixed-point integers (core/quantity.h).
//
// Thread-safety: a Store is safe to use from many threads at once (one controller thread plus the
// HTTP server's reader and submitter threads). Writes are serialised (one writer at a time, as
// SQLite and a single controller need anyway); reads run on separate connections and do not wait
// for a write transaction in progress (WAL). A Transaction is valid only inside its Write callback
// and only on the thread that runs it; inside the callback read through the Transaction (it sees
// the transaction's own writes), never through the Store (an in-memory store would deadlock).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/quantity.h"
#include "core/status.h"
#include "core/time.h"
#include "workload/job.h"

namespace rigshift::store {

// ---------------------------------------------------------------- tenants and tokens

struct TenantRecord {
  int64_t id = 0;
  std::string name;
  TimePoint created_at = 0;
};

enum class TokenRole : uint8_t { kOperator, kTenant };
const char* TokenRoleName(TokenRole r);  // "operator", "tenant"
Result<TokenRole> ParseTokenRole(const std::string& text);

// A token as listed: never its secret (only a SHA-256 of it is stored).
struct TokenRecord {
  int64_t id = 0;
  TokenRole role = TokenRole::kTenant;
  std::string tenant;  // empty for an operator token not tied to a tenant
  std::string label;
  TimePoint created_at = 0;
  std::optional<TimePoint> revoked_at;
};

// What CreateToken hands back once: the secret is not retrievable afterwards.
struct IssuedToken {
  int64_t id = 0;
  std::string secret;  // "rs_" + 40 lowercase hex characters (160 random bits)
};

// Who a presented secret belongs to.
struct Principal {
  TokenRole role = TokenRole::kTenant;
  std::string tenant;
  int64_t token_id = 0;
};

// ---------------------------------------------------------------- jobs

enum class JobState : uint8_t { kQueued, kRunning, kDone, kCancelled, kFailed, kUnplaceable };
const char* JobStateName(JobState s);  // "queued", "running", ...
Result<JobState> ParseJobState(const std::string& text);
// Whether a job may go from `from` to `to`. Done, cancelled and failed are final; unplaceable
// may go back to queued (the fleet changed); running may go back to queued (preempted).
bool JobTransitionAllowed(JobState from, JobState to);

// What a customer submits. The store assigns the job id and sets spec.id and spec.arrival
// (= submitted_at); the idempotency key is unique per tenant.
struct JobSubmission {
  std::string tenant;
  std::string idempotency_key;
  workload::Job spec;
  std::string command;  // what a backend runs; empty when the backend knows from the spec
};

// What a controller needs to resume a job after a restart.
struct JobProgress {
  std::vector<std::string> devices;  // stable device ids it runs on (empty unless running)
  int32_t preemptions = 0;
  double remaining_work = 0;        // in the spec's unit: reference GPU-seconds, or steps
  double attained_gpu_seconds = 0;  // GPU-seconds served so far (LAS queues order by it)
  std::optional<TimePoint> run_start;        // start of the current run
  std::optional<TimePoint> last_checkpoint;  // the anchor a preemption rolls back to
};

struct JobRecord {
  int64_t id = 0;
  std::string tenant;
  std::string idempotency_key;
  workload::Job spec;
  std::string command;
  JobState state = JobState::kQueued;
  TimePoint submitted_at = 0;
  TimePoint updated_at = 0;
  JobProgress progress;
  bool cancel_requested = false;
};

struct SubmitResult {
  JobRecord job;
  bool created = false;  // false: the same key and body were submitted before; this is that job
};

struct JobStateChange {
  int64_t job_id = 0;
  TimePoint at = 0;
  std::optional<JobState> from;  // none for the submission itself
  JobState to = JobState::kQueued;
  std::string reason;
};

// ---------------------------------------------------------------- devices

// A device as the fleet file names it (fleet::DeviceStableId) with what it is.
struct DeviceInventory {
  std::string id;     // "site/hall/rack#i/node#j/dK"
  std::string site;   // the fleet file's site id (the first part of `id`)
  std::string kind;   // "gpu" | "asic"
  std::string model;  // catalogue name
};

struct DeviceRecord {
  DeviceInventory inventory;
  std::string desired_mode = "off";       // what the controller asked for (econ::ModeName)
  std::string observed_mode = "unknown";  // what a backend last reported
  bool up = false;
  std::optional<TimePoint> last_seen;
  bool retired = false;  // no longer in the fleet file; kept for history
  TimePoint updated_at = 0;
};

// ---------------------------------------------------------------- plans and decisions

struct PlanRecord {
  int64_t id = 0;  // assigned by the store
  TimePoint at = 0;
  std::string policy;
  std::string trigger;  // "epoch", "arrival", "completion", "price", ...
};

// One line of a plan a person can read: "rack r3 off: mining pays less than power".
// A decision names one device (device_first alone) or an inclusive range of stable ids in byte
// order (device_first..device_last), and optionally the job it concerns.
struct DecisionRecord {
  int64_t id = 0;  // assigned by the store
  int64_t plan_id = 0;
  TimePoint at = 0;
  std::string trigger;
  std::string subject;  // what it is about: "device", "job", "site"
  std::string action;   // "ai", "mine", "idle", "off", "start", "preempt", "wait", ...
  std::string reason;
  std::string site;
  std::string device_first;
  std::string device_last;  // empty when the decision names one device or none
  std::optional<int64_t> job_id;
};

// ---------------------------------------------------------------- actions

enum class ActionKind : uint8_t { kStartJob, kStopJob, kSetMode, kSetPower };
const char* ActionKindName(ActionKind k);  // "start_job", "stop_job", "set_mode", "set_power"
Result<ActionKind> ParseActionKind(const std::string& text);

// pending -> sent -> acknowledged -> confirmed | drifted | failed. A sent action may be sent
// again (a retry counts an attempt) or confirmed without an acknowledgement that got lost;
// confirmed, drifted and failed are final.
enum class ActionState : uint8_t { kPending, kSent, kAcknowledged, kConfirmed, kDrifted, kFailed };
const char* ActionStateName(ActionState s);
Result<ActionState> ParseActionState(const std::string& text);
bool ActionTransitionAllowed(ActionState from, ActionState to);

// What the controller asks a backend to do. The idempotency key (e.g. "plan-42/set_mode/DEV")
// makes a retried insert after a crash find the action it already wrote.
struct ActionRequest {
  std::string idempotency_key;
  std::optional<int64_t> plan_id;
  ActionKind kind = ActionKind::kSetMode;
  std::string target;        // a stable device id, a job id, a site
  std::string payload_json;  // what the backend needs; "{}" when nothing
};

struct ActionRecord {
  int64_t id = 0;
  ActionRequest request;
  ActionState state = ActionState::kPending;
  TimePoint created_at = 0;
  std::optional<TimePoint> sent_at;
  std::optional<TimePoint> acknowledged_at;
  std::optional<TimePoint> finished_at;  // confirmed, drifted or failed
  int32_t attempts = 0;                  // times sent
  std::string last_error;
  TimePoint updated_at = 0;
};

// ---------------------------------------------------------------- market, revenue, events, meta

struct MarketPoint {
  std::string market;  // a site's market node, or a market name ("ercot-hb-west", "hashprice")
  TimePoint at = 0;
  std::optional<EnergyPrice> energy_price;
  std::optional<HashPrice> hashprice;
  std::string source;  // where it came from ("ercot-api", "file:prices.csv")
};

// The accounting counters kept per site.
enum class RevenueKind : uint8_t { kAi, kMining, kEnergy, kDemandResponse };
const char* RevenueKindName(RevenueKind k);  // "ai", "mining", "energy", "dr"

struct RevenueCounter {
  std::string site;
  RevenueKind kind = RevenueKind::kAi;
  Money amount;  // signed sum of what was added; energy is a cost the caller adds as positive
};

struct EventRecord {
  int64_t seq = 0;  // assigned by the store, strictly increasing
  TimePoint at = 0;
  std::string kind;
  std::string payload_json;
};

// ---------------------------------------------------------------- queries

// Keyset pagination: rows with id > after_id, ascending, at most `limit` (1..kMaxPageSize).
inline constexpr int32_t kMaxPageSize = 1000;

struct PageRequest {
  int64_t after_id = 0;  // the previous page's next_after_id; 0 for the first page
  int32_t limit = 100;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<int64_t> next_after_id;  // set when more rows may follow
};

struct JobFilter {
  std::optional<std::string> tenant;
  std::optional<JobState> state;
  std::optional<TimePoint> submitted_from;  // inclusive
  std::optional<TimePoint> submitted_to;    // exclusive
  PageRequest page;
};

struct DecisionFilter {
  std::optional<int64_t> plan_id;
  std::optional<std::string> device;  // matches a decision naming it or a range holding it
  std::optional<std::string> site;
  std::optional<int64_t> job_id;
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // exclusive
  PageRequest page;
};

// ---------------------------------------------------------------- writing

// The writes of one transaction. Reads here see the transaction's own writes.
class Transaction {
 public:
  virtual ~Transaction() = default;

  virtual Result<int64_t> InsertPlan(const PlanRecord& plan) = 0;
  virtual Result<int64_t> InsertDecision(const DecisionRecord& decision) = 0;

  // Inserts the action, or returns the one already stored under the same key (same request
  // required: another kind, target or payload under a used key is kAlreadyExists).
  virtual Result<ActionRecord> InsertAction(const ActionRequest& request, TimePoint now) = 0;
  // Moves an action on; `error` is kept as last_error when not empty. kFailedPrecondition when
  // the transition is not allowed (ActionTransitionAllowed).
  virtual Status TransitionAction(int64_t action_id, ActionState to, TimePoint now,
                                  const std::string& error) = 0;

  // Moves a job to `to` and records the change in its history; kFailedPrecondition when not
  // allowed (JobTransitionAllowed).
  virtual Status TransitionJob(int64_t job_id, JobState to, TimePoint now,
                               const std::string& reason) = 0;
  virtual Status SaveJobProgress(int64_t job_id, const JobProgress& progress, TimePoint now) = 0;
  virtual Result<JobRecord> GetJob(int64_t job_id) = 0;

  virtual Status SetDesiredMode(const std::string& device_id, const std::string& mode,
                                TimePoint now) = 0;
  // A backend's report: the mode it sees, whether the device answers; sets last_seen = now.
  virtual Status ReportObserved(const std::string& device_id, const std::string& mode, bool up,
                                TimePoint now) = 0;

  virtual Status UpsertMarketPoint(const MarketPoint& point) = 0;
  virtual Status AddRevenue(const std::string& site, RevenueKind kind, Money amount) = 0;
  virtual Result<int64_t> AppendEvent(TimePoint at, const std::string& kind,
                                      const std::string& payload_json) = 0;
  virtual Status SetMeta(const std::string& key, const std::string& value) = 0;
};

// ---------------------------------------------------------------- the store

class Store {
 public:
  virtual ~Store() = default;

  // Runs `body` in one transaction: commits when it returns ok, rolls everything back otherwise
  // (and returns its Status). A failed commit (disk full) also leaves nothing.
  virtual Status Write(const std::function<Status(Transaction&)>& body) = 0;

  // --- tenants and tokens
  virtual Result<TenantRecord> CreateTenant(const std::string& name, TimePoint now) = 0;
  virtual Result<TenantRecord> GetTenant(const std::string& name) = 0;
  virtual Result<std::vector<TenantRecord>> ListTenants() = 0;
  // A tenant token needs an existing tenant (kNotFound otherwise); an operator token may name one.
  virtual Result<IssuedToken> CreateToken(TokenRole role, const std::string& tenant,
                                          const std::string& label, TimePoint now) = 0;
  virtual Result<std::vector<TokenRecord>> ListTokens() = 0;
  virtual Status RevokeToken(int64_t token_id, TimePoint now) = 0;
  // kUnauthenticated for an unknown or revoked secret.
  virtual Result<Principal> Authenticate(const std::string& secret) = 0;

  // --- jobs
  // Idempotent on (tenant, idempotency_key): the same body again returns the stored job with
  // created = false; another body is kAlreadyExists. The tenant must exist (kNotFound).
  virtual Result<SubmitResult> SubmitJob(const JobSubmission& submission, TimePoint now) = 0;
  virtual Result<JobRecord> GetJob(int64_t job_id) = 0;
  virtual Result<Page<JobRecord>> ListJobs(const JobFilter& filter) = 0;
  // Sets cancel_requested (the controller stops the job and moves it to cancelled); a job already
  // final is kFailedPrecondition.
  virtual Status RequestCancel(int64_t job_id, TimePoint now) = 0;
  // Oldest first.
  virtual Result<std::vector<JobStateChange>> JobHistory(int64_t job_id) = 0;

  // --- devices
  // Makes the stored devices those of the fleet file: new ones inserted, known ones updated,
  // those no longer listed marked retired (never deleted), re-listed ones un-retired.
  virtual Status SyncDevices(const std::vector<DeviceInventory>& devices, TimePoint now) = 0;
  virtual Result<DeviceRecord> GetDevice(const std::string& device_id) = 0;
  virtual Result<std::vector<DeviceRecord>> ListDevices(bool include_retired) = 0;

  // --- plans, decisions, actions
  virtual Result<PlanRecord> GetPlan(int64_t plan_id) = 0;
  virtual Result<Page<DecisionRecord>> ListDecisions(const DecisionFilter& filter) = 0;
  virtual Result<ActionRecord> GetAction(int64_t action_id) = 0;
  // Actions not yet final (pending, sent, acknowledged), oldest first: what a restarted
  // controller must resend or confirm.
  virtual Result<std::vector<ActionRecord>> PendingActions() = 0;

  // --- market, revenue, events, meta
  virtual Result<std::optional<MarketPoint>> LatestMarketPoint(const std::string& market) = 0;
  // Points with from <= at < to, oldest first.
  virtual Result<std::vector<MarketPoint>> MarketPoints(const std::string& market, TimePoint from,
                                                        TimePoint to) = 0;
  virtual Result<std::vector<RevenueCounter>> Revenue() = 0;
  // Events after page.after_id (a seq), oldest first.
  virtual Result<Page<EventRecord>> ListEvents(const PageRequest& page) = 0;
  virtual Result<std::optional<std::string>> GetMeta(const std::string& key) = 0;

  // --- health
  // ok, or kInternal naming what the database's own check found.
  virtual Status IntegrityCheck() = 0;
  virtual int SchemaVersion() const = 0;
};

struct OpenOptions {
  // Opens for reading only: every write is kUnavailable; the schema is not migrated.
  bool read_only = false;
  // How long a write waits for another process's write lock before kUnavailable.
  int32_t busy_timeout_ms = 5000;
  // Reader connections (a file database only; ":memory:" reads share the writer connection).
  int32_t read_connections = 4;
  // Caps the database at this many pages (0: no cap); a write past it fails as a full disk does.
  int64_t max_page_count = 0;
};

// Opens (creating when absent) the SQLite database at `path` (":memory:" for a private in-memory
// database) and brings its schema to the newest version this binary knows. A database with a
// newer schema is refused (kFailedPrecondition).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const OpenOptions& options);

}  // namespace rigshift::store
