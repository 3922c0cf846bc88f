// Accounting of a simulation run: money, energy, utilisation, job metrics and time series.
//
// The Accountant receives the engine's state changes (a device changed mode, a job started or
// ended, prices changed) and integrates money and energy exactly (fixed point) over each interval
// between events from running sums per site, so that an interval costs O(sites + device classes).
// Definitions (docs/simulate.md):
//   - AI revenue: for every GPU in AI mode, the GPU-hour price of its class
//     (econ::DefaultGpuHourPrice over the market's table), or the job's own price when it has
//     one, pro rata per second, for productive seconds only: when a run stops (preemption,
//     failure), completes, or is still running at the end of accounting, the revenue of the
//     restore seconds it spent and of the work it threw away (lost work units / gang rate, in
//     seconds of that gang) is taken back at the gang's price. The refund is booked at the
//     instant it happens (the series bucket holding the run's last second), so a bucket can
//     carry a refund for seconds billed in an earlier one; totals equal price x productive
//     GPU-seconds exactly, as the oracle bound (sched/oracle.h) assumes;
//   - mining revenue: hashrate x hashprice (SHA-256 or the GPU algorithm's series) pro rata;
//   - energy cost: IT power x PUE x (market price + adder), per site;
//   - demand-response credits: reduction below the pre-event draw x credit per MWh, per event;
//   - curtailed energy: the mining power of devices that are up but off (they could have mined);
//   - utilisation per device class: device-seconds in each mode / device-seconds in the window;
//   - JCT = completion - arrival; queueing delay = first start - arrival; SLO miss = completion
//     after the job's deadline (or a job with a deadline still unfinished at the end).
// Thread-safety: a value owned by one run.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/quantity.h"
#include "core/time.h"
#include "econ/value.h"

namespace rigshift::sim {

inline constexpr int kModeCount = 4;  // econ::Mode values: off, idle, mine, ai

// Money and energy of an interval or a run.
struct MoneyTotals {
  Money ai_revenue;
  Money mining_revenue;
  Money dr_credits;
  Money energy_cost;
  Energy energy;            // facility energy (IT x PUE)
  Energy curtailed_energy;  // mining power of devices kept off while up
  Money net_margin() const { return ai_revenue + mining_revenue + dr_credits - energy_cost; }
  MoneyTotals& operator+=(const MoneyTotals& o);
};

// Time spent per mode by one device class (catalogue model name).
struct ClassUsage {
  std::string device_class;  // catalogue model name
  std::string kind;          // "gpu" or "asic"
  int64_t devices = 0;
  std::array<int64_t, kModeCount> mode_seconds{};  // device-seconds per econ::Mode
  int64_t down_seconds = 0;                        // device-seconds failed
  // Share of the window's device-seconds in AI mode (GPUs) or mining (ASICs).
  double Utilisation(Duration window) const;
  double ModeShare(econ::Mode m, Duration window) const;
};

// One step of the chart series (daily by default).
struct SeriesPoint {
  TimePoint start = 0;
  MoneyTotals totals;
  std::array<int64_t, kModeCount> mode_device_seconds{};  // fleet-wide
  Energy facility_energy;
  Power peak_facility_power;
  int64_t queue_job_seconds = 0;  // integral of the queue length (jobs x seconds)
  int64_t jobs_finished = 0;
};

// Per-job outcome (only kept when EngineOptions::keep_job_records is set).
struct JobRecord {
  int64_t id = 0;
  TimePoint arrival = 0;
  TimePoint first_start = -1;  // -1: never started
  TimePoint completion = -1;   // -1: not finished
  int32_t preemptions = 0;
};

struct JobMetrics {
  int64_t arrived = 0;
  int64_t finished = 0;
  int64_t unfinished = 0;     // arrived but not done at the end
  int64_t never_started = 0;  // arrived, never started
  int64_t unplaceable = 0;    // no device in the fleet could ever run it
  double avg_jct_s = 0;
  double p50_jct_s = 0;
  double p99_jct_s = 0;
  double avg_queue_delay_s = 0;
  double p99_queue_delay_s = 0;
  int64_t preemptions = 0;
  int64_t preemptions_refused = 0;  // plan asked to preempt a non-preemptible job
  double lost_work_gpu_hours = 0;   // work thrown away by preemptions, in work units / 3600
  int64_t slo_misses = 0;
  TimePoint last_completion = 0;  // for makespan
};

struct RunStats {
  int64_t events = 0;
  int64_t decisions = 0;              // full planning rounds (Policy::Decide)
  int64_t incremental_decisions = 0;  // arrivals and completions decided by an IncrementalPlanner
  int64_t device_failures = 0;
  int64_t dr_events = 0;
  int64_t plan_errors = 0;  // plan items the engine had to ignore (infeasible placement, ...)
};

// The result of one policy over one window.
struct SimResult {
  std::string policy;
  TimePoint start = 0;
  TimePoint end = 0;  // end of accounting (the window end, or the drain end)
  MoneyTotals totals;
  std::vector<ClassUsage> classes;  // sorted by kind, then name
  JobMetrics jobs;
  RunStats stats;
  std::vector<SeriesPoint> series;
  std::vector<JobRecord> job_records;  // by job id, when kept
  Duration makespan() const {
    return jobs.last_completion > start ? jobs.last_completion - start : 0;
  }
  // Mean over GPUs of AI (busy) time / (end - start): Gavel's utilisation.
  double GpuUtilisation() const;
};

}  // namespace rigshift::sim
