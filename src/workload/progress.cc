#include "workload/progress.h"

#include <algorithm>
#include <cmath>

namespace rigshift::workload {

double GangRate(const Job& job, std::span<const catalog::GpuModel* const> gpus,
                const SpeedModel& speed) {
  double rate = -1;
  for (const catalog::GpuModel* gpu : gpus) {
    const double r = gpu ? speed.Rate(job, *gpu) : 0;
    rate = rate < 0 ? r : std::min(rate, r);
  }
  return std::max(0.0, rate) * static_cast<double>(gpus.size());
}

StopOutcome StopRun(const Job& job, double total, double remaining, double rate,
                    double progress_s, bool failure, bool preemption_costs) {
  StopOutcome out;
  out.done = std::min(remaining, progress_s * rate);
  out.kept = out.done;
  if (preemption_costs) {
    if (failure && job.preemptibility == Preemptibility::kNever) {
      out.kept = -(total - remaining);  // back to the beginning
    } else if (job.preemptibility == Preemptibility::kCheckpoint && job.checkpoint_interval > 0) {
      const double ckpt = std::floor(progress_s / static_cast<double>(job.checkpoint_interval)) *
                          static_cast<double>(job.checkpoint_interval);
      out.kept = std::min(out.done, ckpt * rate);
    }
  }
  out.remaining = std::min(total, std::max(0.0, remaining - out.kept));
  return out;
}

}  // namespace rigshift::workload
