#include "sched/incremental.h"

#include <algorithm>
#include <limits>

#include "sched/rigshift.h"
#include "sched/round.h"

namespace rigshift::sched {

IncrementalPlanner::IncrementalPlanner(const PolicyInput& in, const PolicyOptions& options,
                                       const Plan& plan)
    : round_(std::make_unique<internal::Round>(in, options)) {
  internal::Round& r = *round_;
  RS_CHECK(plan.mode.size() == r.flat().device_count());
  const uint32_t adopted = r.SharedReason("as planned by the last full round");
  // AI first (it is what the envelope was planned around), then the rest.
  for (size_t d = 0; d < plan.mode.size(); ++d) {
    if (plan.mode[d] == econ::Mode::kAi)
      r.SetMode(static_cast<int32_t>(d), econ::Mode::kAi, adopted);
  }
  for (size_t d = 0; d < plan.mode.size(); ++d) {
    const econ::Mode m = plan.mode[d];
    if (m != econ::Mode::kAi && m != econ::Mode::kOff)
      r.SetMode(static_cast<int32_t>(d), m, adopted);
  }
  r.set_change_log(&changed_);
}

IncrementalPlanner::~IncrementalPlanner() = default;

const std::vector<std::string>& IncrementalPlanner::reasons() const {
  return round_->plan().reasons;
}

econ::Mode IncrementalPlanner::mode(size_t device) const { return round_->plan().mode[device]; }

bool IncrementalPlanner::TryStart(const QueuedJob& q) {
  internal::Round& r = *round_;
  const workload::Job& job = *q.job;
  const internal::Shape& shape = r.ShapeOf(job);
  if (!shape.runs_anywhere) return false;
  std::vector<int32_t> candidates;
  for (size_t c = 0; c < shape.fit.size(); ++c) {
    if (!(shape.fit[c].rate > 0) || r.class_free(static_cast<int32_t>(c)) < shape.gpus) continue;
    candidates.push_back(static_cast<int32_t>(c));
  }
  while (!candidates.empty()) {
    int32_t best = -1;
    Money best_gain;
    for (int32_t c : candidates) {
      const double secs = std::min(r.ExpectedSeconds(job, q.remaining_work, c), 1e12);
      const Money gain = internal::GainPerGpuHour(r, job, c, static_cast<Duration>(secs));
      if (gain.raw() > 0 && (best < 0 || gain > best_gain)) {
        best = c;
        best_gain = gain;
      }
    }
    if (best < 0) return false;
    std::vector<int32_t> devices = r.FindPlacement(job, best, /*avoid_reserved=*/false);
    // What the gang earns per hour over its devices' current use (mining where they mine).
    Money gain_h = best_gain * static_cast<int64_t>(devices.size());
    if (!devices.empty() && (r.CanPowerAi(devices) || r.MakeRoomForAi(devices, gain_h))) {
      const uint32_t why =
          r.plan().AddReason("ai: job " + std::to_string(job.id) + " starts on " +
                             std::to_string(job.gpus) + " x " + r.ClassLabel(best) + ": gains " +
                             internal::Usd2(best_gain) + " USD/GPU-h over mining/off (event)");
      r.StartExternal(job, std::move(devices), why);
      return true;
    }
    candidates.erase(std::find(candidates.begin(), candidates.end(), best));
  }
  return false;
}

IncrementalPlanner::Delta IncrementalPlanner::Collect(std::vector<int32_t>& changed) {
  internal::Round& r = *round_;
  Delta delta;
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  for (int32_t d : changed) {
    delta.modes.emplace_back(d, r.plan().mode[static_cast<size_t>(d)]);
    delta.mode_reasons.push_back(r.plan().device_reason[static_cast<size_t>(d)]);
  }
  changed.clear();
  auto& starts = r.plan().starts;
  for (size_t i = starts_seen_; i < starts.size(); ++i) delta.starts.push_back(starts[i]);
  starts_seen_ = starts.size();
  return delta;
}

IncrementalPlanner::Delta IncrementalPlanner::OnArrival(const QueuedJob& job) {
  const bool started = TryStart(job);
  Delta delta = Collect(changed_);
  if (!started) delta.waiting.push_back(job.job->id);
  return delta;
}

IncrementalPlanner::Delta IncrementalPlanner::OnEnd(std::span<const int32_t> devices,
                                                    std::span<const QueuedJob> waiting) {
  internal::Round& r = *round_;
  const uint32_t ended = r.SharedReason("job ended: off");
  for (int32_t d : devices) r.SetMode(d, econ::Mode::kOff, ended);
  std::vector<workload::JobId> still_waiting;
  for (const QueuedJob& q : waiting) {
    if (!TryStart(q)) still_waiting.push_back(q.job->id);
  }
  for (int32_t d : devices) {
    if (r.plan().mode[static_cast<size_t>(d)] != econ::Mode::kOff || !r.device_up(d)) continue;
    const int32_t cls = r.index().device_class(static_cast<size_t>(d));
    const internal::ClassEcon& e = r.econ(cls);
    if (e.can_mine && e.mine_margin_h().raw() > 0 && r.CanSet(d, econ::Mode::kMine)) {
      r.SetMode(d, econ::Mode::kMine, r.MineReason(cls));
    }
  }
  Delta delta = Collect(changed_);
  delta.waiting = std::move(still_waiting);
  return delta;
}

}  // namespace rigshift::sched
