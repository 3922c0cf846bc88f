#include "cli/simulate_flags.h"

#include <cstdlib>

#include "cli/output_paths.h"
#include "core/quantity.h"
#include "core/text.h"

namespace rigshift::cli {

void AddSimulateOptions(CLI::App& cmd, SimulateArgs& args) {
  cmd.add_option("FLEET", args.fleet_path, "Fleet file (YAML, see docs/fleet-format.md)");
  cmd.add_option("--cluster", args.cluster,
                 "Instead of FLEET: a plain GPU cluster, e.g. v100=36,p100=36,k80=36");
  cmd.add_option("--prices", args.prices, "MARKET=PATH: hourly prices (green-dcc CSV); repeatable");
  cmd.add_option("--data-dir", args.data_dir, "Reference data in the ../shared/data layout");
  cmd.add_option("--hashprice", args.hashprice,
                 "Hashprice file(s): derived CSV or blockchain.com JSON");
  cmd.add_option("--gpu-prices", args.gpu_prices, "GPU-hour price table (CSV gpu,usd_per_hour)");
  cmd.add_option(
      "--jobs", args.jobs,
      "philly | alibaba | none | PATH (Philly CSV, Alibaba pod CSV, Gavel .trace); default philly "
      "when the reference data are found, else none");
  cmd.add_option("--throughputs", args.throughputs, "Gavel throughput JSON for .trace jobs");
  cmd.add_option("--from", args.from, "Window start (YYYY-MM-DD); default 2024-01-01");
  cmd.add_option("--to", args.to,
                 "Window end, exclusive (YYYY-MM-DD); default a year after --from");
  cmd.add_option("--policy", args.policies,
                 "Policies, comma-separated (default: all but fifo_perf)");
  cmd.add_option("--ordering", args.ordering, "AI queue order: fifo | las (Tiresias)");
  cmd.add_option("--las-thresholds", args.las_thresholds,
                 "LAS priority levels: attained-service thresholds in GPU-hours, ascending "
                 "(default 1,10: three levels)");
  cmd.add_flag("--las-no-preempt", args.las_no_preempt,
               "LAS only orders the waiting queue; it does not preempt running jobs");
  cmd.add_option("--load", args.load, "Scale the trace's arrival rate (default 1)");
  // Read as text and parsed by CheckSimulateFlags: CLI11 saturates an integer that overflows
  // int64 instead of refusing it.
  cmd.add_option("--seed", args.seed_text,
                 "Random seed (failures, job needs, policies); default 1");
  cmd.add_option("--epoch", args.epoch_hours,
                 "Hours between planning rounds besides events (default 1)");
  cmd.add_option(
      "--decision-gap", args.decision_gap_minutes,
      "Minutes at least between event-triggered full planning rounds (default 15; 0 = every "
      "event); arrivals and completions are decided at once by the policy's incremental "
      "planner where it has one");
  cmd.add_flag("--full-rounds-only", args.full_rounds_only,
               "No incremental decisions: every decision point is a full planning round (at most "
               "every --decision-gap)");
  cmd.add_option(
      "--slo-factor", args.slo_factor,
      "Deadline = arrival + factor x run time on the reference GPU (0: none; default 4)");
  cmd.add_flag("--json", args.json, "Print the full result as JSON");
  cmd.add_option("--html", args.html, "Also write a self-contained HTML report to FILE");
  cmd.add_option("--timeline", args.timeline, "Write every decision and its reason to a CSV file");
  cmd.add_flag("--no-bound", args.no_bound, "Skip the oracle's LP bound");
  cmd.add_option("--bound-bins", args.bound_bins,
                 "Windows over 31 days: the bound's LP groups each day's hours into this many "
                 "price bins per site (a looser, still valid bound; 0 = the hourly LP)")
      ->check(CLI::Range(0, 24));
  cmd.add_flag("--no-failures", args.no_failures, "Devices never fail");
  cmd.add_flag("--perfect-foresight", args.perfect_foresight,
               "Policies see the true future prices (default: forecasts from past prices only)");
  cmd.add_flag("--demand-response", args.demand_response,
               "Price spikes (>= 1000 USD/MWh) become demand-response events with credits");
  cmd.add_flag("--strict", args.strict, "Fleet warnings are errors");
  cmd.add_flag("--hold-edges", args.hold_edges,
               "Hours of the window outside the price or hashprice data take the nearest edge "
               "value (counted in the report) instead of being an error");
  cmd.add_option("--mode", args.mode,
                 "market (default): prices, economics, the window; gavel: Gavel's simulator "
                 "(rounds, economics off, a Gavel trace from 0; docs/gavel-fidelity.md)");
  cmd.add_option("--round-length", args.round_length,
                 "--mode gavel: seconds per round (default 360)");
  cmd.add_option("--replan-gap", args.replan_gap,
                 "--mode gavel: least seconds between replans (Gavel's 1920; 0 = every change)");
}

Status CheckSimulateFlags(SimulateArgs& args) {
  if (!args.fleet_path.empty() && !args.cluster.empty()) {
    return Status::InvalidArgument("give a FLEET file or --cluster, not both (found " +
                                   args.fleet_path + " and --cluster " + args.cluster + ")");
  }
  RETURN_IF_ERROR(CheckDataDir("--data-dir", args.data_dir));
  if (args.data_dir.empty()) {
    if (const char* env = std::getenv("RIGSHIFT_SHARED_DATA"); env != nullptr && *env != '\0') {
      RETURN_IF_ERROR(CheckDataDir("RIGSHIFT_SHARED_DATA", env));
    }
  }
  const Result<int64_t> seed = ParseInt64(args.seed_text);
  if (!seed.ok() || *seed < 0) {
    return Status::OutOfRange("--seed " + args.seed_text +
                              ": expected an integer in 0 .. 9223372036854775807");
  }
  args.seed = *seed;
  if (!(args.load > 0 && args.load <= 1000)) {
    return Status::InvalidArgument("--load: expected a number in (0, 1000]");
  }
  // One minute: shorter rounds to a handful of seconds, and below half a second to 0, which
  // would switch periodic planning off instead of making it frequent.
  if (!(args.epoch_hours * 3600 >= 60 && args.epoch_hours <= 24 * 31)) {
    return Status::InvalidArgument("--epoch: expected hours in [0.0166667 (one minute), 744]");
  }
  // 0 means "every event"; a positive value under a second would round to it.
  if (!(args.decision_gap_minutes == 0 ||
        (args.decision_gap_minutes * 60 >= 1 && args.decision_gap_minutes <= 24 * 60))) {
    return Status::InvalidArgument(
        "--decision-gap: expected 0 (every event) or minutes in [0.0166667 (one second), 1440]");
  }
  if (!(args.slo_factor >= 0 && args.slo_factor <= 1000)) {
    return Status::InvalidArgument(
        "--slo-factor: expected 0 (no deadlines) or a factor up to 1000");
  }
  if (args.round_length < 1 || args.round_length > 7 * kDay) {
    return Status::InvalidArgument("--round-length: expected seconds in 1 .. 604800 (a week)");
  }
  if (args.replan_gap < 0 || args.replan_gap > 7 * kDay) {
    return Status::InvalidArgument("--replan-gap: expected seconds in 0 .. 604800 (a week)");
  }
  std::vector<NamedPath> inputs = {{"FLEET", args.fleet_path},
                                   {"--gpu-prices", args.gpu_prices},
                                   {"--throughputs", args.throughputs}};
  AppendMarketInputs(args.prices, args.hashprice, &inputs);
  if (args.jobs.rfind("gavel:", 0) == 0) {
    inputs.push_back({"--jobs", args.jobs.substr(6)});
  } else if (args.jobs != "auto" && args.jobs != "none" && args.jobs != "philly" &&
             args.jobs != "alibaba") {
    inputs.push_back({"--jobs", args.jobs});
  }
  return CheckOutputPaths(inputs, {{"--html", args.html}, {"--timeline", args.timeline}});
}

}  // namespace rigshift::cli
