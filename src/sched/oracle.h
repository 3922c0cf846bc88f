// The oracle: what ANY schedule could have earned over a window with perfect foresight of prices
// and job arrivals, as (1) an upper bound by linear programming on a relaxation, and (2) the exact
// optimum of the hourly-slotted integer model on small instances (so the bound's looseness is
// known). Both are solved with GLPK. Simulation reports state each policy's margin as a fraction
// of the bound.
//
// Data (BuildOracleModel): the fleet's device classes (FleetIndex: site, model, node shape, host
// power, devices per node), per hour t of the window and class c:
//   mining margin per device-hour  Mm[c,t] = BestMining revenue at t - energy of the profile's
//                                             draw x PUE x (price + adder) at t,
//   AI energy per device-hour       Ea[c,t] = econ AI draw x PUE x price at t,
//   host energy per node-hour       Eh[c,t],
// the site's IT cap per hour (grid cap / PUE, and cooling), and per job j: arrival, gang size
// g_j, work W_j (SpeedModel::WorkUnits), rate R[j,c] (SpeedModel::Rate, 0 where memory or the
// interconnect rules out class c) and price p[j,c] (JobGpuHourPrice).
//
// The exact model (SolveExact, a MIP): integers m[c,t] (devices mining), n[c,t] (nodes on),
// binaries x[j,c,t] (job j runs its whole gang on class c through hour t, only for hours that
// start at or after its arrival), with
//   m[c,t] + sum_j g_j x[j,c,t] <= N_c,   dpn_c n[c,t] >= m[c,t] + sum_j g_j x[j,c,t],
//   sum_c x[j,c,t] <= 1,   sum_{c,t} 3600 R[j,c] g_j x[j,c,t] <= W_j,
//   per site and hour: sum_c (Pm_c m + Pa_c sum_j g_j x + Ph_c n) <= IT cap,
// maximising sum m Mm + sum x g_j (p[j,c] - Ea[c,t]) - sum n Eh. It is the optimum over
// schedules on the hourly grid (whole hours, whole gangs, free preemption at hour boundaries,
// node packing within a class not checked). The test enumerates the same model by brute force.
//
// The bound (SolveBound, an LP): jobs with identical per-class (rate, price) rows form groups;
// continuous a[g,c,t] (GPUs of group g on class c in hour t), m[c,t], n[c,t], with
//   m + sum_g a[g,c,t] <= N_c,   dpn_c n >= m + sum_g a,   envelope as above,
//   sum_c a[g,c,t] <= GPUs of g's jobs that arrived before the END of hour t,
//   sum_{t'<=t} sum_c 3600 R[g,c] a[g,c,t'] <= work of g's jobs arrived before the end of hour t.
// Why it over-estimates every feasible schedule S (the simulator's included, at any time grain):
// let m, a, n be S's device-seconds per hour / 3600 in each mode (a split by the group of the job
// the GPU serves) and n the node-on time. Prices hold for the hour, so S's margin is exactly the
// LP objective at that point (revenue is paid per GPU-hour that advances a job; preemption losses,
// restore time and idle draw only lower S's margin and are not in the objective). Each constraint
// holds for S: a device is in at most one mode at a time (capacity); a node is on whenever one of
// its devices is (host rows); the instantaneous envelope implies the hour-mean one; at any instant
// the GPUs serving g's jobs are at most the GPUs of those that have arrived, and they arrived by
// the hour's end; and the work S does for g up to the end of hour t is sum 3600 R a (every job of g
// advances at R[g,c] per GPU on c) and cannot exceed the work that has arrived. Hence S is a
// feasible LP point and margin(S) <= LP optimum. The MIP's points are schedules too, so LP >= MIP.
// Not in either model: demand charges (only lower margins; the bound stays valid), demand-response
// credits (the simulator must compare margins without them, or add them to both sides), device
// failures (the bound assumes all devices up: still an over-estimate).
//
// Aggregated bound (long windows). A year of hours makes an LP of (2 + groups) x classes x 8,760
// columns that GLPK's simplex does not finish in ten minutes on a 17,000-GPU farm. SolveBound then
// solves a relaxation of the hourly LP above, so it is still an upper bound on every schedule:
//   - the window is cut into blocks of B hours; the concurrency rows of a group are summed over a
//     block and its cumulative work rows are kept only at block ends (a subset and sums of the
//     hourly rows: every hourly-feasible point satisfies them);
//   - per site, the hours of a block are grouped into price bins (hours with close energy prices,
//     by an optimal 1-D segmentation of the sorted prices); per class and bin the variables are
//     device-hours (M, A per group, node-hours), bounded by devices x hours of the bin; the
//     capacity, host and envelope rows are the sums of the hourly rows over the bin;
//   - each aggregated variable takes the BEST hourly coefficient of its bin: mining margin max over
//     the bin, AI and host energy min over the bin. For the hourly optimum x, aggregating x over the
//     bins gives a feasible point whose objective is >= the hourly objective term by term.
// Mining and hosts may instead keep a column per (class, hour) inside the bin's rows
// (hourly_mining, the default): the bin's capacity, host and envelope rows are still sums over its hours, so the same
// argument holds, and mining, the bulk of a farm's margin, carries no price-bin slack.
// So hourly LP <= aggregated LP. The slack it adds is the price spread inside a bin times the
// device-hours there; BENCHMARKS.md measures it against the hourly LP on a quarter.
//
// Size: the LP has about (2 + groups) x classes x hours columns. Measured (bench/oracle_bench.cc,
// the two-site NYISO example, 4 classes, 1 job group, dual simplex, this 2-core machine under
// load): a week 1.7k columns 0.1 s, a month 7.2k columns ~1 s, a quarter 21.6k columns 7 s, a year
// 87.6k columns see docs/scheduler.md. Solve it once per run, not per round.
// Thread-safety: pure functions (GLPK's problem objects are local to each call; GLPK's terminal
// output is switched off process-wide).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "econ/value.h"
#include "fleet/model.h"
#include "market/series.h"
#include "workload/job.h"

namespace rigshift::workload {
class SpeedModel;
}

namespace rigshift::sched {

struct OracleInput {
  const fleet::Fleet* fleet = nullptr;
  const fleet::FlatFleet* flat = nullptr;
  const market::MarketData* market = nullptr;
  TimePoint start = 0;  // the window: [start, start + hours h)
  int hours = 24;
  std::span<const workload::Job> jobs;  // every job of the window, with arrival and work
  econ::PowerModel power;
  const workload::SpeedModel* speed = nullptr;  // nullptr: rate 1 wherever memory fits
};

// The model's numbers, in USD and watts (doubles: solver input only).
struct OracleClass {
  int32_t site = 0;
  int32_t devices = 0;
  int32_t nodes = 0;
  int32_t devices_per_node = 1;  // devices of this class per node
  bool can_mine = false;
  bool gpu = false;
  double mine_power_w = 0, ai_power_w = 0, host_power_w = 0;
  std::vector<double> mine_margin;  // per hour, per device-hour (device energy only)
  std::vector<double> ai_cost;      // per hour, per device-hour
  std::vector<double> host_cost;    // per hour, per node-hour
  std::string label;
};

struct OracleJob {
  workload::JobId id = 0;
  int first_hour_exact = 0;  // first hour index starting at or after arrival (MIP)
  int first_hour_bound = 0;  // hour index containing the arrival (LP)
  int32_t gpus = 1;
  double work = 0;
  std::vector<double> rate;   // per class, work units per second per GPU (0 = cannot run)
  std::vector<double> price;  // per class, USD per GPU-hour
};

struct OracleModel {
  int hours = 0;
  int sites = 0;
  std::vector<OracleClass> classes;
  std::vector<OracleJob> jobs;
  std::vector<std::vector<double>> site_it_cap_w;  // [site][hour]
  // Energy price at the meter (market + adder), USD/MWh: orders a block's hours into price bins.
  std::vector<std::vector<double>> site_energy_usd_mwh;  // [site][hour]
};

struct OracleResult {
  double margin_usd = 0;
  double ai_revenue_usd = 0;
  double mining_margin_usd = 0;  // mining revenue - mining device energy
  double ai_energy_usd = 0;
  double host_energy_usd = 0;
  double ai_gpu_hours = 0;
  double mining_device_hours = 0;
  int rows = 0;
  int columns = 0;
  std::string method;  // "lp (simplex)", "lp (interior point)" or "mip"
};

struct OracleLimits {
  int max_binaries = 5000;      // SolveExact refuses larger instances (kOutOfRange)
  // Time aggregation of the bound (see "Aggregated bound" above): windows longer than
  // `aggregate_above_hours` are solved on blocks of `block_hours` with the hours of each block
  // grouped, per site, into at most `bins_per_block` price bins. Shorter windows are solved hour
  // by hour (block 1, bin 1), which is exactly the hourly LP.
  int aggregate_above_hours = 24 * 31;
  int block_hours = 24;
  int bins_per_block = 8;
  // Aggregated bound: mining and hosts keep one column per (class, hour) with that hour's margin
  // or cost inside the bin rows (tighter; more columns) instead of one per (class, bin) at the
  // bin's best.
  bool hourly_mining = true;
  int time_limit_ms = 600'000;  // per simplex / MIP solve (the interior point has no time limit)
  // SolveBound uses GLPK's interior-point method above this many columns, the (dual) simplex
  // below. Off by default: on a year of hours GLPK's interior point stops with "numerical
  // instability" (code 17) even on the scaled model, while the dual simplex solves it.
  int interior_above_columns = std::numeric_limits<int>::max();
};

OracleModel BuildOracleModel(const OracleInput& in);
Result<OracleResult> SolveBound(const OracleModel& model, const OracleLimits& limits = {});
Result<OracleResult> SolveExact(const OracleModel& model, const OracleLimits& limits = {});

// Convenience: BuildOracleModel + SolveBound / SolveExact.
Result<OracleResult> OracleBound(const OracleInput& in, const OracleLimits& limits = {});
Result<OracleResult> OracleExact(const OracleInput& in, const OracleLimits& limits = {});

}  // namespace rigshift::sched
