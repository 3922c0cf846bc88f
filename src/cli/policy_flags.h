// The scheduling flags `simulate` and `serve` share, by the same names and meanings: a policy
// run live is configured exactly as the simulated one it was compared with.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/status.h"
#include "core/time.h"
#include "sched/policy.h"

namespace rigshift::cli {

struct PolicyFlags {
  std::string ordering = "fifo";
  std::string las_thresholds;  // GPU-hours, ascending, comma-separated; empty = the default
  bool las_no_preempt = false;
  double decision_gap_minutes = 15.0;
  bool full_rounds_only = false;
};

// Registers --ordering, --las-thresholds, --las-no-preempt, --decision-gap, --full-rounds-only.
void AddPolicyFlags(CLI::App* cmd, PolicyFlags* flags);

// The policy options the flags ask for (speed model and power model are the caller's). Errors
// name the flag.
Result<sched::PolicyOptions> PolicyOptionsFromFlags(const PolicyFlags& flags);
// --decision-gap in seconds, checked.
Result<Duration> DecisionGapFromFlags(const PolicyFlags& flags);

std::vector<std::string> SplitList(const std::string& s);

}  // namespace rigshift::cli
