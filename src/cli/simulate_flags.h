// The flags of `rigshift simulate` and their checks, apart from the run, so that the flag parser
// can be fuzzed (tests/fuzz/simulate_flags_fuzz.cc) without building the simulator.
// Thread-safety: plain values; CheckSimulateFlags reads the environment and stats paths.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace rigshift::cli {

struct SimulateArgs {
  std::string fleet_path;
  std::string cluster;
  std::vector<std::string> prices;  // MARKET=PATH
  std::string data_dir;
  std::vector<std::string> hashprice;
  std::string gpu_prices;
  std::string jobs = "auto";  // philly when the reference data are found, else none
  std::string throughputs;
  std::string from, to;
  std::string policies;
  std::string ordering = "fifo";
  std::string las_thresholds;  // GPU-hours, ascending, comma-separated; empty = the default
  bool las_no_preempt = false;
  double load = 1.0;
  std::string seed_text = "1";  // --seed as given: "-1" and overflow are refused, not wrapped
  int64_t seed = 1;             // set by CheckSimulateFlags
  bool json = false;
  std::string html;
  std::string timeline;
  bool no_bound = false;
  int bound_bins = 8;
  bool no_failures = false;
  bool full_rounds_only = false;
  bool demand_response = false;
  bool perfect_foresight = false;
  double epoch_hours = 1.0;
  double decision_gap_minutes = 15.0;
  double slo_factor = 4.0;
  bool strict = false;
  bool hold_edges = false;
  // --mode gavel (issue 5): Gavel's simulator semantics through the same engine.
  std::string mode = "market";
  int64_t round_length = 360;
  int64_t replan_gap = 1920;
};

// Declares every simulate flag on `cmd`, bound to `args`.
void AddSimulateOptions(CLI::App& cmd, SimulateArgs& args);

// Flags whose values would overflow, round to a different meaning, wrap or conflict; each error
// names the flag and the accepted range (docs/input-limits.md). Also refuses outputs that are an
// input or each other, and a data directory that does not exist. Sets `seed` from `seed_text`.
Status CheckSimulateFlags(SimulateArgs& args);

}  // namespace rigshift::cli
