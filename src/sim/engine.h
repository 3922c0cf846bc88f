// The discrete-event simulation engine: replays market prices, a job trace, device failures and
// demand-response events through a sched::Policy and accounts for every micro-dollar and
// milliwatt-hour (docs/simulate.md).
//
// Time. The clock jumps from event to event; nothing ticks. Events are ordered by
// (time, EventKind, id) so that a run is a pure function of its inputs and seed: price changes
// first (new prices apply from the instant they start), then repairs, failures, demand-response
// boundaries, job completions (freed GPUs are visible to arrivals at the same instant), job
// arrivals, round ends, epochs. Hourly prices are events at each step of each market series used
// by a site (and at each step of the hashprice series).
//
// Decision points. The engine calls Policy::Decide (a full planning round, O(devices))
//   - in event mode (round_length == 0): after every batch of same-time events whose kind is
//     enabled in `decide_on` (arrivals, completions, price changes, failures/repairs, demand
//     response), and every `epoch` seconds (1 h by default), at most once per `min_decision_gap`;
//     with `incremental` (the default) and a policy that has an incremental rule (rigshift,
//     backfill-mine, threshold, except under LAS preemption; mine-only: Policy::DecideIncremental
//     returns a sched::IncrementalPlanner with the round),
//     the full rounds are the epochs, price changes, GPU failures/repairs and demand-response
//     events only, and in between each job arrival and completion (and each ASIC failure or
//     repair, which only changes whether that ASIC mines) is decided at once, at its own instant
//     and without any gap, by the planner in O(the job's gang) (sched/incremental.h). The
//     planner reads the last round's input (kept in the engine, unchanged) and honours its EASY
//     reservation; it is dropped at any price change, GPU failure/repair, demand-response event
//     or delta the engine could not apply exactly (a plan error), after which the next decision
//     point is a full round again; a job blocked with no reservation in force asks for a full
//     round (held to `min_decision_gap`, the planner deciding meanwhile);
//   - in round mode (round_length > 0, Gavel's simulator): only at round boundaries, and only when
//     the set of jobs changed (a job arrived, finished or a device failed) since the last decision
//     or `decide_every_round` is set. Jobs that arrive inside a round wait for the next one. A
//     round lasts round_length seconds, or ends early when all its work ends
//     (`round_ends_when_work_ends`); with nothing running and nothing placeable the clock jumps to
//     the next arrival.
// Both modes are the same code path: one event loop, one controller (control/controller.h: the
// queue, the job table, the plan applier; the engine is its World on virtual time), one
// accountant. Gavel's mode is EngineOptions::GavelRounds() + the fifo_perf policy + a SpeedModel
// with step throughputs.
// Round mode never uses incremental planners.
//
// Work. A running gang advances at SpeedModel::Rate(job, gpu) x gpus work units per second on the
// slowest GPU model it holds (a gang runs at the pace of its slowest member). A job finishes at
// the instant its remaining work runs out (rounded up to the next whole second).
//
// Preemption (by the plan, or when a device of the gang fails) costs, with preemption_costs on,
// the work done since the job's last checkpoint (every Job::checkpoint_interval of progress), and
// the next start of the job spends Job::restore_time without progress. Jobs with
// Preemptibility::kNever are never preempted by a plan (the engine refuses and counts it);
// a failure still stops them and they restart from scratch.
//
// Money and energy are integrated exactly (fixed point) between consecutive events from running
// sums per site (IT power, hashrate per algorithm, GPU-hour price of AI devices) that change only
// when a device changes mode, so an interval costs O(sites + classes), not O(devices).
//
// Thread-safety: Simulate() is reentrant; it reads its inputs and owns all mutable state. The
// policy must be pure (sched/policy.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "control/controller.h"
#include "core/quantity.h"
#include "core/status.h"
#include "core/time.h"
#include "econ/value.h"
#include "fleet/model.h"
#include "market/series.h"
#include "sched/policy.h"
#include "sim/accounting.h"
#include "workload/job.h"
#include "workload/speed_model.h"

namespace rigshift::sim {

// Event kinds in tie-break order (lower first at the same time).
enum class EventKind : uint8_t {
  kPriceChange = 0,
  kDeviceRepair = 1,
  kDeviceFailure = 2,
  kDemandResponseStart = 3,
  kDemandResponseEnd = 4,
  kJobCompletion = 5,
  kJobArrival = 6,
  kRoundEnd = 7,
  kEpoch = 8,
  kEnd = 9,
};
const char* EventKindName(EventKind k);

// Device failures: exponential times between failures and to repair, per device, drawn from the
// run's seeded Rng. Defaults (docs/simulate.md): GPU MTBF 87,000 h (Meta's Llama 3 training run:
// 148 faulty-GPU plus 72 HBM interruptions over 54 days on 16,384 H100s), repaired in 24 h (a card
// swap); ASIC MTBF 26,000 h (about a third of units need a repair each year: hashboard, fan, PSU),
// repaired in 72 h (shipping boards to a repair centre is common).
struct FailureModel {
  bool enabled = true;
  double gpu_mtbf_hours = 87000;
  double gpu_mttr_hours = 24;
  double asic_mtbf_hours = 26000;
  double asic_mttr_hours = 72;
};

// A demand-response event: the site's facility power is capped at `cap` from `start` to `end`,
// and the site earns `credit` per MWh of reduction below its draw just before the event (ERCOT's
// ERS and similar programmes pay for curtailment against a baseline).
struct DemandResponseEvent {
  int32_t site = 0;
  TimePoint start = 0;
  TimePoint end = 0;
  Power cap;
  EnergyPrice credit;
  std::string program;
};

// Derives demand-response events from prices: every run of hours whose market price (before
// adders) is at or above `trigger` becomes an event for each site on that market, with the facility
// cap at cap_permille of the grid cap and a credit per curtailed MWh. Off by default.
struct DemandResponseProgram {
  bool enabled = false;
  EnergyPrice trigger = UsdPerMwh(1000);
  int64_t cap_permille = 100;  // of the site's grid cap (a cap of 0 is held at 1 mW)
  EnergyPrice credit = UsdPerMwh(100);
};

// Which event kinds are decision points in event mode (the controller's; sim names kept).
using DecisionTriggers = control::DecisionTriggers;
// One decision as recorded on the timeline (only when a sink is given).
using DecisionRecord = control::DecisionRecord;

// Receives decisions as they are made. Implementations write CSV (sim/report.h) or collect.
class TimelineSink {
 public:
  virtual ~TimelineSink() = default;
  virtual void OnDecision(const DecisionRecord& record) = 0;
};

// The world's half of a run's options; the decision half (seed, decide_on, incremental,
// incremental_waiting, max_queue_view, preemption_costs, economics) is control::ControllerOptions.
struct EngineOptions : control::ControllerOptions {
  TimePoint start = 0;
  TimePoint end = 0;  // exclusive; with run_until_drained the run goes on past it

  // Event mode.
  Duration epoch = kHour;  // 0: no epoch decisions
  // Event-triggered full rounds closer than this to the previous one wait for it (coalescing
  // bursts of events). 15 minutes by default: a full planning round costs O(devices) in sched
  // (about 0.45 ms for 20,000 devices), and a busy trace has an event every few seconds. With an
  // incremental planner (control::ControllerOptions::incremental) arrivals and completions do not
  // wait for it; only events that need a full round (a GPU failure or repair, demand response)
  // and the decision points of policies without a planner do (BENCHMARKS.md shows the trade).
  Duration min_decision_gap = 900;

  // Round mode (Gavel): > 0 switches decision points to rounds of this length. In round mode
  // `min_decision_gap` holds a changed job set back until that long after the last decision
  // (Gavel recomputes its allocation at most every 1920 s; the last plan stands until then).
  Duration round_length = 0;
  bool round_ends_when_work_ends = true;
  bool decide_every_round = false;

  // After `end`, keep going until every arrived job has finished (makespan-style metrics);
  // arrivals after `end` are still cut.
  bool run_until_drained = false;

  econ::PowerModel power;
  FailureModel failures;
  DemandResponseProgram demand_response;
  std::vector<DemandResponseEvent> extra_dr_events;

  // Series step for charts (daily by default; monthly sums are derived in reports).
  Duration series_step = kDay;
  // Keep one record per job (arrival, start, end) in the result.
  bool keep_job_records = false;

  TimelineSink* timeline = nullptr;             // not owned; nullptr: no timeline
  std::function<void(TimePoint now)> progress;  // called at most every simulated day

  // Gavel's simulator: 360 s rounds, decisions when the job set changes, no preemption cost,
  // no economics, no failures, run until the trace drains. Gavel also replans at most every
  // 1920 s: set min_decision_gap = 1920 for that (sim/gavel_mode.h does).
  static EngineOptions GavelRounds(Duration round_length = 360);
};

// Everything a run reads. The jobs need not be sorted (the engine orders them by arrival, id).
struct SimInputs {
  const fleet::Fleet* fleet = nullptr;
  const fleet::FlatFleet* flat = nullptr;
  const market::MarketData* market = nullptr;  // may be null with economics off
  const std::vector<workload::Job>* jobs = nullptr;
  const workload::SpeedModel* speed = nullptr;
  // Prices the policy may see at a decision (sched::PolicyInput::forecast), e.g.
  // MarketForecaster::Callback() (sim/forecaster.h); empty: perfect foresight of `market`.
  std::function<const market::MarketData*(TimePoint)> forecast = nullptr;
};

// Runs one policy over the window. Errors: inputs that cannot be simulated (no devices, an
// empty window, a site whose market series is missing), never a crash.
Result<SimResult> Simulate(const SimInputs& inputs, const sched::Policy& policy,
                           const sched::PolicyOptions& policy_options,
                           const EngineOptions& options);

}  // namespace rigshift::sim
