// Full planning rounds: the policy's input, and applying its plan (controller.h).
#include <algorithm>

#include "control/controller.h"
#include "control/mode_runs.h"

namespace rigshift::control {

using econ::Mode;

void Controller::Decide(TimePoint now, const char* trigger) {
  // The planner reads the buffers rebuilt below: drop it first.
  planner_.reset();
  ++stats_.decisions;
  BuildQueueView();
  BuildRunningView(now);
  BuildInput(now);
  plan_ = options_.incremental ? policy_.DecideIncremental(pin_, rng_, &planner_)
                               : policy_.Decide(pin_, rng_);
  has_plan_ = true;
  ApplyPlan(plan_, now, trigger);
}

void Controller::BuildQueueView() {
  std::vector<sched::QueuedJob>& queue = queue_view_;
  queue.clear();
  const size_t view = static_cast<size_t>(std::max<int64_t>(1, options_.max_queue_view));
  queue.reserve(std::min(view, static_cast<size_t>(queue_live_)));
  // Skip (and drop) stale entries at the front; collect up to `view` live ones.
  SkipStaleQueueHead();
  if (queue_head_ > 1024 && queue_head_ * 2 > queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
    queue_head_ = 0;
  }
  for (size_t k = queue_head_; k < queue_.size() && queue.size() < view; ++k) {
    JobState& js = jobs_[static_cast<size_t>(queue_[k])];
    if (js.phase != JobPhase::kQueued) continue;
    if (js.queue_seen == stats_.decisions) continue;  // a duplicate entry (re-queued)
    js.queue_seen = stats_.decisions;
    queue.push_back(QueuedView(js));
  }
}

void Controller::BuildRunningView(TimePoint now) {
  std::vector<sched::RunningJob>& running = running_view_;
  running.clear();
  running.reserve(running_.size());
  for (int32_t r : running_) {
    const JobState& js = jobs_[static_cast<size_t>(r)];
    sched::RunningJob rj;
    rj.job = js.job;
    rj.devices = std::span<const int32_t>(js.devices);
    rj.start = js.run_start;
    TimePoint progress = std::max<TimePoint>(0, now - js.anchor);
    Duration ck = js.job->checkpoint_interval > 0 ? js.job->checkpoint_interval : progress + 1;
    if (progress == 0)
      rj.last_checkpoint = js.run_start;
    else
      rj.last_checkpoint = js.anchor + (progress / ck) * ck;
    rj.remaining_work = RemainingAt(r, now);
    rj.attained_gpu_seconds = js.attained_gpu_seconds + static_cast<double>(now - js.run_start) *
                                                            static_cast<double>(js.devices.size());
    running.push_back(rj);
  }
}

void Controller::BuildInput(TimePoint now) {
  caps_.assign(site_cap_.begin(), site_cap_.end());
  const bool any_cap = std::any_of(caps_.begin(), caps_.end(), [](Power p) { return !p.IsZero(); });
  pin_ = sched::PolicyInput{};
  pin_.fleet = &fleet_;
  pin_.flat = &flat_;
  pin_.index = &index_;
  pin_.device_up = std::span<const uint8_t>(up_);
  pin_.current_mode = std::span<const Mode>(mode_);
  pin_.market = market_;
  pin_.forecast = forecast_;
  pin_.now = now;
  pin_.queue = std::span<const sched::QueuedJob>(queue_view_);
  pin_.running = std::span<const sched::RunningJob>(running_view_);
  if (any_cap) pin_.site_cap_override = std::span<const Power>(caps_);
}

void Controller::ApplyPlan(const sched::Plan& plan, TimePoint now, const char* trigger) {
  const int64_t errors_before = stats_.plan_errors;
  if (plan.mode.size() != flat_.device_count()) {
    ++stats_.plan_errors;
    planner_.reset();
    return;
  }
  // 1. Preemptions.
  ApplyPreemptions(plan, now, trigger);
  // 2. Starts.
  for (const auto& s : plan.starts) {
    const int32_t j = CheckStart(s);
    if (j < 0) {
      ++stats_.plan_errors;
      continue;
    }
    ApplyStart(s, j, now, trigger, s.reason < plan.reasons.size() ? plan.Reason(s.reason) : "");
  }
  // 3. Modes.
  ApplyPlanModes(plan, now, trigger);
  // A plan the controller could not follow exactly leaves the planner's state wrong: next time,
  // a full round.
  if (stats_.plan_errors != errors_before) planner_.reset();
}

void Controller::ApplyPreemptions(const sched::Plan& plan, TimePoint now, const char* trigger) {
  for (const auto& p : plan.preemptions) {
    auto it = job_index_.find(p.job);
    if (it == job_index_.end() ||
        jobs_[static_cast<size_t>(it->second)].phase != JobPhase::kRunning) {
      ++stats_.plan_errors;
      continue;
    }
    const JobState& js = jobs_[static_cast<size_t>(it->second)];
    if (js.job->preemptibility == workload::Preemptibility::kNever) {
      ++stats_.preemptions_refused;
      // The plan counted these GPUs free: its planner would place work on them.
      planner_.reset();
      continue;
    }
    StopJob(it->second, now, StopCause::kPreempted);
    Record(now, trigger, "job " + std::to_string(p.job), "preempt",
           p.reason < plan.reasons.size() ? plan.Reason(p.reason) : "");
  }
}

void Controller::ApplyPlanModes(const sched::Plan& plan, TimePoint now, const char* trigger) {
  if (std::equal(plan.mode.begin(), plan.mode.end(), mode_.begin())) return;
  // Timeline rows group contiguous devices with the same change and reason.
  ModeRuns runs(plan.reasons,
                [&](std::string subject, std::string action, std::string_view reason) {
                  Record(now, trigger, std::move(subject), std::move(action), reason);
                });
  const size_t n = flat_.device_count();
  for (size_t d = 0; d < n; ++d) {
    if (plan.mode[d] == mode_[d]) continue;  // the common case: one compare per device
    const Mode have = mode_[d];
    if (!ApplyMode(d, plan.mode[d])) continue;
    if (recording_) {
      runs.Add(d, have, mode_[d], d < plan.device_reason.size() ? plan.device_reason[d] : 0);
    }
  }
  runs.Flush();
}

int32_t Controller::CheckStart(const sched::JobStart& s) const {
  auto it = job_index_.find(s.job);
  if (it == job_index_.end()) return -1;
  const JobState& js = jobs_[static_cast<size_t>(it->second)];
  if (js.phase != JobPhase::kQueued || static_cast<int32_t>(s.devices.size()) != js.job->gpus)
    return -1;
  const size_t n = flat_.device_count();
  for (auto d = s.devices.begin(); d != s.devices.end(); ++d) {
    const auto du = static_cast<size_t>(*d);
    if (*d < 0 || du >= n || !up_[du] || device_job_[du] >= 0 || flat_.gpu[du] == nullptr ||
        speed_.Rate(*js.job, *flat_.gpu[du]) <= 0 || std::find(s.devices.begin(), d, *d) != d) {
      return -1;
    }
  }
  return it->second;
}

void Controller::ApplyStart(const sched::JobStart& s, int32_t j, TimePoint now, const char* trigger,
                            std::string_view reason) {
  StartJob(j, s.devices, now);
  if (recording_) {
    std::string where = std::to_string(s.devices.size()) + " x " +
                        flat_.gpu[static_cast<size_t>(s.devices.front())]->name + " from device " +
                        std::to_string(s.devices.front());
    Record(now, trigger, "job " + std::to_string(s.job), "start on " + where, reason);
  }
}

bool Controller::ApplyMode(size_t d, Mode want) {
  const Mode have = mode_[d];
  if (want == have) return false;
  if (!up_[d]) return false;
  if (device_job_[d] >= 0) {
    if (want != Mode::kAi) ++stats_.plan_errors;
    return false;
  }
  if (want == Mode::kAi) {
    ++stats_.plan_errors;
    want = Mode::kIdle;
  }
  if (!options_.economics && want == Mode::kMine) want = Mode::kIdle;
  if (want == have) return false;
  SetMode(static_cast<int32_t>(d), want);
  return true;
}

}  // namespace rigshift::control
