#include "cli/policy_flags.h"

#include <cstdlib>

#include "core/text.h"

namespace rigshift::cli {

void AddPolicyFlags(CLI::App* cmd, PolicyFlags* f) {
  cmd->add_option("--ordering", f->ordering, "AI queue order: fifo | las (Tiresias)");
  cmd->add_option("--las-thresholds", f->las_thresholds,
                  "LAS priority levels: attained-service thresholds in GPU-hours, ascending "
                  "(default 1,10: three levels)");
  cmd->add_flag("--las-no-preempt", f->las_no_preempt,
                "LAS only orders the waiting queue; it does not preempt running jobs");
  cmd->add_option("--decision-gap", f->decision_gap_minutes,
                  "Minutes at least between event-triggered full planning rounds (default 15; 0 = every "
                  "event); arrivals and completions are decided at once by the policy's incremental "
                  "planner where it has one");
  cmd->add_flag("--full-rounds-only", f->full_rounds_only,
                "No incremental decisions: every decision point is a full planning round (at most "
                "every --decision-gap)");
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  for (const auto& p : Split(s, ',')) {
    std::string t(Trim(p));
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

Result<sched::PolicyOptions> PolicyOptionsFromFlags(const PolicyFlags& f) {
  sched::PolicyOptions popts;
  auto order = sched::ParseJobOrder(f.ordering);
  if (!order.ok()) return order.status().WithPrefix("--ordering");
  popts.order = *order;
  if (!f.las_thresholds.empty()) {
    popts.las.thresholds_gpu_seconds.clear();
    for (const auto& t : SplitList(f.las_thresholds)) {
      char* endp = nullptr;
      const double h = std::strtod(t.c_str(), &endp);
      if (endp == t.c_str() || *endp != '\0' || !(h > 0) || h > 1e7 ||
          (!popts.las.thresholds_gpu_seconds.empty() &&
           h * 3600 <= popts.las.thresholds_gpu_seconds.back())) {
        return Status::InvalidArgument("--las-thresholds '" + f.las_thresholds +
                                       "': expected ascending positive GPU-hours, e.g. 1,10 (at '" +
                                       t + "')");
      }
      popts.las.thresholds_gpu_seconds.push_back(h * 3600);
    }
  }
  popts.las.preempt = !f.las_no_preempt;
  return popts;
}

Result<Duration> DecisionGapFromFlags(const PolicyFlags& f) {
  if (!(f.decision_gap_minutes >= 0 && f.decision_gap_minutes <= 24 * 60)) {
    return Status::InvalidArgument("--decision-gap: expected minutes in [0, 1440]");
  }
  return static_cast<Duration>(f.decision_gap_minutes * 60);
}

}  // namespace rigshift::cli
