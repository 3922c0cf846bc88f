// FleetService: what the HTTP API (router.h) asks of the live system. The daemon implements it
// over the store and the controller; tests use an in-memory one (testing/fake_fleet_service.h).
// It speaks in plain view structs with fixed-point quantities (the router turns them into JSON,
// money as USD decimals) and Status/Result errors, never HTTP types.
//
// Errors and their HTTP status (router.cc): kInvalidArgument 400, kUnauthenticated 401,
// kPermissionDenied 403, kNotFound 404, kAlreadyExists and kFailedPrecondition 409,
// kResourceExhausted 429, kUnavailable 503 (a full disk or a read-only database: writes fail with
// it while reads keep working), anything else 500. An kInvalidArgument message that starts with a
// JSON path and ": " ("gpus: more than the largest site holds") is reported with that field.
//
// Authorisation: the router lets only operators reach ListDevices, ListDecisions, PushPrices and
// GetRevenue, and passes the caller to the job calls, which must scope a tenant to its own jobs
// (another tenant's job is kNotFound, so ids do not leak).
//
// Thread-safety: implementations must be safe to call from many threads at once (the HTTP
// server's pool); reads should answer from a cached snapshot, not walk the fleet per request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/quantity.h"
#include "core/status.h"
#include "core/time.h"
#include "workload/job.h"

namespace rigshift::server {

enum class Role : uint8_t { kOperator, kTenant };
const char* RoleName(Role role);

// Who is calling. An operator sees and may do everything; a tenant submits and sees its own jobs.
struct Principal {
  Role role = Role::kTenant;
  std::string tenant;  // the tenant's name; "operator" for operators
};

// One page of a listing and the cursor of the next ("" on the last page).
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next;
};

// Counts keyed by a name (kind "gpu"/"asic", a catalogue model, a mode "ai"/"mine"/"idle"/"off").
using Counts = std::map<std::string, int64_t>;

struct FleetView {
  std::string name;
  std::vector<std::string> sites;  // site ids
  int64_t devices = 0;
  Counts devices_by_kind;
  Counts devices_by_model;
  Counts devices_by_mode;
  int64_t jobs_queued = 0;
  int64_t jobs_running = 0;
  std::string policy;
};

struct SiteView {
  std::string id;
  std::string name;
  std::string market;  // the electricity series the site buys on ("ercot", "fixed", ...)
  Power grid_cap;
  Power facility_power;  // now, IT x PUE
  Power ai_power;        // IT power by what it serves
  Power mining_power;
  Power host_power;
  Power idle_power;
  std::string cooling;  // "air", "hydro", "immersion"
  int64_t pue_milli = 1000;
  EnergyPrice price;  // now, with the tariff's adders
  HashPrice hashprice;
  Counts devices_by_mode;
};

struct DeviceView {
  std::string id;  // fleet::DeviceStableId, e.g. "tx1/hall-a/r#0/n#2/d1"
  std::string site;
  std::string model;
  std::string kind;  // "gpu" or "asic"
  std::string mode;  // "ai", "mine", "idle", "off"
  bool up = true;
  std::optional<workload::JobId> job;
  Power power;
};

struct DeviceFilter {
  std::string site;  // "" = any
  std::string mode;
  std::string kind;
  std::string after;  // cursor: the last id of the previous page
  int32_t limit = 100;
};

enum class JobState : uint8_t { kQueued, kRunning, kCompleted, kCancelled, kFailed };
const char* JobStateName(JobState state);
std::optional<JobState> ParseJobState(std::string_view name);

struct JobView {
  workload::JobId id = 0;
  std::string tenant;
  std::string name;
  JobState state = JobState::kQueued;
  int32_t gpus = 1;
  GpuHourPrice price;
  TimePoint submitted = 0;
  std::optional<TimePoint> started;
  std::optional<TimePoint> ended;
  std::optional<TimePoint> deadline;
  std::vector<std::string> devices;  // stable ids while running
  Money charged;                     // what the tenant owes so far
  std::string command;
};

struct JobFilter {
  std::string tenant;  // "" = any (operators only; the router sets a tenant's own name)
  std::optional<JobState> state;
  std::optional<workload::JobId> after_id;
  int32_t limit = 100;
};

// What a customer asks for (POST /v1/jobs), validated by ParseJobSpec (job_spec.h).
struct JobSpec {
  std::string name;
  int32_t gpus = 1;
  double min_memory_gb = 0;
  workload::Interconnect interconnect = workload::Interconnect::kNone;
  double network_gbps = 0;
  std::string reference_gpu;
  double work_gpu_seconds = 0;  // duration_hours x 3600 x gpus when given as a duration
  GpuHourPrice price;
  std::optional<TimePoint> deadline;
  workload::Preemptibility preemptible = workload::Preemptibility::kCheckpoint;
  Duration checkpoint_interval = 30 * kMinute;
  Duration restore_time = 2 * kMinute;
  int32_t priority = 0;
  std::string command;  // what the local backend runs; empty for simulated work

  // Idempotent submission compares specs.
  friend bool operator==(const JobSpec&, const JobSpec&) = default;
};

struct DecisionView {
  int64_t id = 0;
  TimePoint time = 0;
  std::string device;
  std::string site;
  std::string mode;
  std::optional<workload::JobId> job;
  std::string reason;
  int64_t plan_id = 0;
};

struct DecisionFilter {
  std::string device;
  std::string site;
  std::optional<workload::JobId> job;
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // exclusive
  std::optional<int64_t> after;   // cursor: the last id of the previous page
  int32_t limit = 100;
};

struct SitePriceView {
  std::string site;
  std::string source;  // market series or "pushed"
  TimePoint time = 0;
  EnergyPrice price;
};

struct MarketView {
  std::vector<SitePriceView> sites;
  HashPrice hashprice;
  TimePoint hashprice_time = 0;
};

// An electricity price a caller pushes for a site from `time` on (POST /v1/market/prices).
struct PricePoint {
  std::string site;
  TimePoint time = 0;
  EnergyPrice price;
};

struct RevenueView {
  std::string site;
  std::string mode;   // "ai", "mine"
  Money revenue;      // earned so far
  Money energy_cost;  // power bought for that mode so far
};

struct PolicyView {
  std::string name;
  std::map<std::string, std::string> options;
};

class FleetService {
 public:
  virtual ~FleetService() = default;

  // kUnauthenticated for an unknown token.
  virtual Result<Principal> Authenticate(std::string_view bearer_token) = 0;
  // Whether the daemon serves (store open, controller running): /readyz.
  virtual bool Ready() = 0;

  virtual FleetView GetFleet() = 0;
  virtual std::vector<SiteView> ListSites() = 0;
  virtual Page<DeviceView> ListDevices(const DeviceFilter& filter) = 0;
  virtual Result<DeviceView> GetDevice(std::string_view id) = 0;

  // Queues a job. A repeated idempotency key with the same spec returns the job it created; with
  // another spec it is kAlreadyExists. An empty key is no key.
  virtual Result<JobView> SubmitJob(const Principal& who, const JobSpec& spec,
                                    const std::string& idempotency_key) = 0;
  virtual Page<JobView> ListJobs(const Principal& who, const JobFilter& filter) = 0;
  virtual Result<JobView> GetJob(const Principal& who, workload::JobId id) = 0;
  // Cancels a queued or running job; kFailedPrecondition when it has already ended.
  virtual Result<JobView> CancelJob(const Principal& who, workload::JobId id) = 0;

  virtual Page<DecisionView> ListDecisions(const DecisionFilter& filter) = 0;
  virtual MarketView GetMarket() = 0;
  virtual Status PushPrices(const std::vector<PricePoint>& prices) = 0;
  virtual std::vector<RevenueView> GetRevenue() = 0;
  virtual PolicyView GetPolicy() = 0;
};

}  // namespace rigshift::server
