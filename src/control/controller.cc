// Construction, registration and the events the World reports (controller.h).
#include "control/controller.h"

#include <algorithm>

#include "core/status.h"

namespace rigshift::control {

using econ::Mode;

const char* JobPhaseName(JobPhase phase) {
  switch (phase) {
    case JobPhase::kFuture:
      return "future";
    case JobPhase::kQueued:
      return "queued";
    case JobPhase::kRunning:
      return "running";
    case JobPhase::kDone:
      return "done";
    case JobPhase::kUnplaceable:
      return "unplaceable";
    case JobPhase::kCancelled:
      return "cancelled";
  }
  return "?";
}

const char* StopCauseName(StopCause cause) {
  switch (cause) {
    case StopCause::kPreempted:
      return "preempted";
    case StopCause::kFailure:
      return "failure";
    case StopCause::kCancelled:
      return "cancelled";
  }
  return "?";
}

Controller::Controller(const fleet::Fleet& fleet, const fleet::FlatFleet& flat,
                       const workload::SpeedModel& speed, const sched::Policy& policy,
                       const ControllerOptions& options, World* world)
    : fleet_(fleet),
      flat_(flat),
      speed_(speed),
      policy_(policy),
      options_(options),
      world_(world),
      rng_(options.seed),
      index_(sched::FleetIndex::Build(flat)) {
  RS_CHECK(world_ != nullptr);
  const size_t n = flat_.device_count();
  mode_.assign(n, Mode::kOff);
  up_.assign(n, 1);
  device_job_.assign(n, -1);
  site_cap_.assign(fleet_.sites.size(), Power());
  for (size_t d = 0; d < n; ++d) gpus_total_ += flat_.kind[d] == catalog::DeviceKind::kGpu ? 1 : 0;
}

void Controller::SetMarket(const market::MarketData* now, const market::MarketData* forecast) {
  market_ = now;
  forecast_ = forecast;
}

Result<int32_t> Controller::AddJob(const workload::Job& job) {
  const auto j = static_cast<int32_t>(jobs_.size());
  if (!job_index_.emplace(job.id, j).second) {
    return Status::InvalidArgument("duplicate job id " + std::to_string(job.id));
  }
  JobState& js = jobs_.emplace_back();
  js.job = &job;
  js.total_work = workload::SpeedModel::WorkUnits(job);
  js.remaining = js.total_work;
  return j;
}

std::optional<int32_t> Controller::FindJob(workload::JobId id) const {
  auto it = job_index_.find(id);
  if (it == job_index_.end()) return std::nullopt;
  return it->second;
}

bool Controller::Arrive(int32_t j, TimePoint now) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  if (js.phase != JobPhase::kFuture) return false;
  if (!Placeable(*js.job)) {
    js.phase = JobPhase::kUnplaceable;
    return false;
  }
  Enqueue(j, now);
  const bool can_start = !options_.decide_on.arrival_needs_free_gpu || free_gpus() > 0;
  if (planner_ != nullptr && options_.decide_on.arrival) {
    return can_start && !IncrementalArrival(now, j);
  }
  return options_.decide_on.arrival && can_start;
}

bool Controller::Complete(int32_t j, TimePoint now) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  if (js.phase != JobPhase::kRunning) return false;
  const bool incremental = planner_ != nullptr && options_.decide_on.completion;
  if (incremental) ended_devices_ = js.devices;
  CompleteRun(j, now);
  // Decided now by the planner; a full round only when its delta did not apply.
  if (incremental) return !IncrementalEnd(now, ended_devices_, "completion");
  return options_.decide_on.completion;
}

void Controller::Requeue(int32_t j, TimePoint now, std::string_view reason) {
  if (jobs_[static_cast<size_t>(j)].phase != JobPhase::kRunning) return;
  planner_.reset();
  StopJob(j, now, StopCause::kFailure);
  Record(now, "reconcile", "job " + std::to_string(jobs_[static_cast<size_t>(j)].job->id),
         "requeue", reason);
}

bool Controller::Cancel(int32_t j, TimePoint now) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  switch (js.phase) {
    case JobPhase::kFuture:
      js.phase = JobPhase::kCancelled;
      return false;
    case JobPhase::kQueued:
      // Its queue entry goes stale (skipped by the next view).
      js.phase = JobPhase::kCancelled;
      --queue_live_;
      return false;
    case JobPhase::kRunning: {
      const bool incremental = planner_ != nullptr && options_.decide_on.completion;
      if (incremental) ended_devices_ = js.devices;
      StopRun(j, now, StopCause::kCancelled);
      js.phase = JobPhase::kCancelled;
      // Its GPUs are free as if it had ended.
      if (incremental) return !IncrementalEnd(now, ended_devices_, "cancel");
      return options_.decide_on.completion;
    }
    case JobPhase::kDone:
    case JobPhase::kUnplaceable:
    case JobPhase::kCancelled:
      return false;
  }
  return false;
}

bool Controller::DeviceDown(int32_t d, TimePoint now, std::string_view reason) {
  const auto du = static_cast<size_t>(d);
  if (!up_[du]) return false;
  const bool asic = flat_.kind[du] == catalog::DeviceKind::kAsic;
  // A GPU's health changes what is free for AI: a full round. An ASIC only mines or not.
  const bool incremental = planner_ != nullptr && options_.decide_on.failure && asic;
  if (!incremental) planner_.reset();
  if (device_job_[du] >= 0) StopJob(device_job_[du], now, StopCause::kFailure);
  SetMode(d, Mode::kOff);
  up_[du] = 0;
  if (!asic) ++gpus_down_;
  Record(now, "failure", "device " + std::to_string(d), "down", reason);
  if (incremental) return !ApplyDelta(planner_->OnAsicHealth(d), now, "failure");
  return options_.decide_on.failure;
}

bool Controller::DeviceUp(int32_t d, TimePoint now) {
  const auto du = static_cast<size_t>(d);
  if (up_[du]) return false;
  const bool asic = flat_.kind[du] == catalog::DeviceKind::kAsic;
  const bool incremental = planner_ != nullptr && asic && options_.decide_on.failure;
  if (!incremental) planner_.reset();
  up_[du] = 1;
  if (!asic) --gpus_down_;
  if (incremental) return !ApplyDelta(planner_->OnAsicHealth(d), now, "repair");
  return options_.decide_on.failure;
}

void Controller::SetSiteCapOverride(int32_t site, Power cap) {
  planner_.reset();  // the planner's envelope is the old cap
  site_cap_[static_cast<size_t>(site)] = cap;
}

void Controller::Record(TimePoint now, std::string_view trigger, std::string subject,
                        std::string action, std::string_view reason) {
  if (!recording_) return;
  DecisionRecord r;
  r.time = now;
  r.policy = std::string(policy_.name());
  r.trigger = std::string(trigger);
  r.subject = std::move(subject);
  r.action = std::move(action);
  r.reason = std::string(reason);
  world_->Decision(r);
}

double Controller::RemainingAt(int32_t j, TimePoint t) const {
  const JobState& js = jobs_[static_cast<size_t>(j)];
  if (js.phase != JobPhase::kRunning) return js.remaining;
  double p = static_cast<double>(std::max<TimePoint>(0, t - js.anchor));
  return std::max(0.0, js.remaining - p * js.rate);
}

// Restoring.

Status Controller::RestoreDevice(int32_t d, Mode mode, bool up) {
  if (d < 0 || static_cast<size_t>(d) >= mode_.size())
    return Status::InvalidArgument("restore: no device " + std::to_string(d));
  const auto du = static_cast<size_t>(d);
  if (device_job_[du] >= 0)
    return Status::FailedPrecondition("restore: device " + std::to_string(d) + " runs a job");
  const bool gpu = flat_.kind[du] == catalog::DeviceKind::kGpu;
  if (gpu && up_[du] && !up) ++gpus_down_;
  if (gpu && !up_[du] && up) --gpus_down_;
  up_[du] = up ? 1 : 0;
  mode_[du] = up ? mode : Mode::kOff;
  return Status::Ok();
}

Status Controller::CheckRestorable(int32_t j) const {
  if (j < 0 || static_cast<size_t>(j) >= jobs_.size())
    return Status::InvalidArgument("restore: no job index " + std::to_string(j));
  if (jobs_[static_cast<size_t>(j)].phase != JobPhase::kFuture) {
    return Status::FailedPrecondition(
        "restore: job " + std::to_string(jobs_[static_cast<size_t>(j)].job->id) + " is already " +
        JobPhaseName(jobs_[static_cast<size_t>(j)].phase));
  }
  return Status::Ok();
}

Status Controller::RestoreQueued(int32_t j, const RestoredWait& wait) {
  RETURN_IF_ERROR(CheckRestorable(j));
  Enqueue(j, wait.queued_since);
  JobState& js = jobs_[static_cast<size_t>(j)];
  js.remaining = std::clamp(wait.remaining, 0.0, js.total_work);
  js.attained_gpu_seconds = wait.attained_gpu_seconds;
  js.preemptions = wait.preemptions;
  js.first_start = wait.first_start;
  js.starts = wait.first_start >= 0 ? 1 : 0;
  js.needs_restore = wait.needs_restore;
  return Status::Ok();
}

Status Controller::RestoreRunning(int32_t j, const RestoredRun& run) {
  RETURN_IF_ERROR(CheckRestorable(j));
  JobState& js = jobs_[static_cast<size_t>(j)];
  if (static_cast<int32_t>(run.devices.size()) != js.job->gpus) {
    return Status::InvalidArgument("restore: job " + std::to_string(js.job->id) + " needs " +
                                   std::to_string(js.job->gpus) + " GPUs, given " +
                                   std::to_string(run.devices.size()));
  }
  for (auto d = run.devices.begin(); d != run.devices.end(); ++d) {
    const auto du = static_cast<size_t>(*d);
    if (*d < 0 || du >= mode_.size() || !up_[du] || device_job_[du] >= 0 ||
        flat_.gpu[du] == nullptr || std::find(run.devices.begin(), d, *d) != d) {
      return Status::InvalidArgument("restore: job " + std::to_string(js.job->id) +
                                     " cannot run on device " + std::to_string(*d));
    }
  }
  js.phase = JobPhase::kRunning;
  js.devices = run.devices;
  js.rate = GangRate(*js.job, run.devices);
  js.run_start = run.run_start;
  js.anchor = std::max(run.anchor, run.run_start);
  js.remaining = std::clamp(run.remaining, 0.0, js.total_work);
  js.attained_gpu_seconds = run.attained_gpu_seconds;
  js.preemptions = run.preemptions;
  js.first_start = run.first_start >= 0 ? run.first_start : run.run_start;
  js.starts = 1;
  ++js.generation;
  js.running_pos = static_cast<int32_t>(running_.size());
  running_.push_back(j);
  for (int32_t d : run.devices) {
    device_job_[static_cast<size_t>(d)] = j;
    mode_[static_cast<size_t>(d)] = Mode::kAi;
    ++gpus_busy_;
  }
  return Status::Ok();
}

}  // namespace rigshift::control
