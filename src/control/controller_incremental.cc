// Decisions between full rounds, by the policy's IncrementalPlanner (controller.h).
#include "control/controller.h"
#include "control/mode_runs.h"

namespace rigshift::control {

using econ::Mode;

bool Controller::IncrementalEnd(TimePoint now, const std::vector<int32_t>& devices,
                                const char* trigger) {
  // The head of the queue, in the controller's order (arrival or re-queue time); the planner
  // orders it as the policy does (priority, LAS level).
  waiting_view_.clear();
  const int64_t stamp = -(++waiting_stamp_);  // never a decision number (those are positive)
  SkipStaleQueueHead();
  for (size_t k = queue_head_;
       k < queue_.size() &&
       waiting_view_.size() < static_cast<size_t>(options_.incremental_waiting);
       ++k) {
    JobState& js = jobs_[static_cast<size_t>(queue_[k])];
    if (js.phase != JobPhase::kQueued || js.queue_seen == stamp) continue;
    js.queue_seen = stamp;
    waiting_view_.push_back(QueuedView(js));
  }
  planner_->set_now(now);
  const sched::IncrementalPlanner::Delta delta = planner_->OnEnd(devices, waiting_view_);
  return ApplyDelta(delta, now, trigger) && !delta.wants_full_round;
}

bool Controller::IncrementalArrival(TimePoint now, int32_t j) {
  planner_->set_now(now);
  const sched::IncrementalPlanner::Delta delta =
      planner_->OnArrival(QueuedView(jobs_[static_cast<size_t>(j)]));
  return ApplyDelta(delta, now, "arrival") && !delta.wants_full_round;
}

bool Controller::ApplyDelta(const sched::IncrementalPlanner::Delta& delta, TimePoint now,
                            const char* trigger) {
  ++stats_.incremental_decisions;
  const std::vector<std::string>& reasons = planner_->reasons();
  const int64_t errors_before = stats_.plan_errors;
  const size_t n = flat_.device_count();
  for (const auto& s : delta.starts) {
    const int32_t j = CheckStart(s);
    if (j < 0) {
      ++stats_.plan_errors;
      continue;
    }
    ApplyStart(s, j, now, trigger,
               s.reason < reasons.size() ? std::string_view(reasons[s.reason]) : "");
  }
  ModeRuns runs(reasons, [&](std::string subject, std::string action, std::string_view reason) {
    Record(now, trigger, std::move(subject), std::move(action), reason);
  });
  for (size_t i = 0; i < delta.modes.size(); ++i) {
    const auto d = static_cast<size_t>(delta.modes[i].first);
    if (d >= n) {
      ++stats_.plan_errors;
      continue;
    }
    const Mode have = mode_[d];
    if (!ApplyMode(d, delta.modes[i].second)) continue;
    if (recording_) {
      runs.Add(d, have, mode_[d], i < delta.mode_reasons.size() ? delta.mode_reasons[i] : 0);
    }
  }
  runs.Flush();
  if (stats_.plan_errors == errors_before) return true;
  planner_.reset();
  return false;
}

}  // namespace rigshift::control
