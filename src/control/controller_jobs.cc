// Job and device transitions: starts, stops, completions, the queue (controller.h).
#include <algorithm>
#include <cmath>

#include "control/controller.h"

namespace rigshift::control {

using econ::Mode;
using workload::Job;

bool Controller::Placeable(const Job& job) const {
  // Some class can host the whole gang, by the rule sched's Round places with (round.cc,
  // Round::ShapeIdOf): on one node, or across nodes of the class when the job tolerates it, with
  // as many GPUs per node as its interconnect allows (all of a node's, or one per node when the
  // node's NIC only carries one GPU's traffic).
  for (const auto& c : index_.classes()) {
    if (c.kind != catalog::DeviceKind::kGpu || c.gpu == nullptr) continue;
    if (c.gpu->memory_gb < job.min_memory_gb) continue;
    if (speed_.Rate(job, *c.gpu) <= 0) continue;
    workload::NodeLinks links{c.pcie_lanes_per_gpu, c.nvlink, c.nic_gbps};
    if (job.gpus <= c.max_slot_size && workload::InterconnectFits(job, links, job.gpus, false))
      return true;
    if (job.gpus <= 1 || c.slots.size() <= 1) continue;
    const int64_t per_node = workload::SpanGpusPerNode(job, links, c.max_slot_size);
    if (per_node * static_cast<int64_t>(c.slots.size()) >= job.gpus) return true;
  }
  return false;
}

void Controller::SetMode(int32_t d, Mode m) {
  const Mode old = mode_[static_cast<size_t>(d)];
  if (old == m) return;
  mode_[static_cast<size_t>(d)] = m;
  world_->ModeChanged(d, old, m);
}

double Controller::GangRate(const Job& job, const std::vector<int32_t>& devices) const {
  // A gang runs at the pace of its slowest member.
  double rate = -1;
  for (int32_t d : devices) {
    const catalog::GpuModel* gpu = flat_.gpu[static_cast<size_t>(d)];
    double r = gpu ? speed_.Rate(job, *gpu) : 0;
    rate = rate < 0 ? r : std::min(rate, r);
  }
  return std::max(0.0, rate) * static_cast<double>(devices.size());
}

void Controller::StartJob(int32_t j, const std::vector<int32_t>& devices, TimePoint now) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  js.rate = GangRate(*js.job, devices);
  js.phase = JobPhase::kRunning;
  js.devices = devices;
  js.run_start = now;
  js.anchor = now + (js.needs_restore ? js.job->restore_time : 0);
  js.needs_restore = false;
  if (js.first_start < 0) js.first_start = now;
  ++js.starts;
  --queue_live_;
  js.running_pos = static_cast<int32_t>(running_.size());
  running_.push_back(j);
  for (int32_t d : devices) {
    device_job_[static_cast<size_t>(d)] = j;
    ++gpus_busy_;
    SetMode(d, Mode::kAi);
  }
  ++js.generation;
  world_->JobStarted(j, now);
}

void Controller::Enqueue(int32_t j, TimePoint now) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  js.phase = JobPhase::kQueued;
  js.queued_since = now;
  queue_.push_back(j);
  ++queue_live_;
  // Drop stale entries when they are the majority (amortised O(1)).
  if (queue_.size() > 64 && static_cast<int64_t>(queue_.size()) > 2 * queue_live_) {
    std::vector<int32_t> live;
    live.reserve(static_cast<size_t>(queue_live_));
    std::vector<uint8_t> seen(jobs_.size(), 0);
    for (int32_t q : queue_) {
      if (jobs_[static_cast<size_t>(q)].phase == JobPhase::kQueued &&
          !seen[static_cast<size_t>(q)]) {
        seen[static_cast<size_t>(q)] = 1;
        live.push_back(q);
      }
    }
    queue_.swap(live);
    queue_head_ = 0;
  }
}

void Controller::SkipStaleQueueHead() {
  while (queue_head_ < queue_.size() &&
         jobs_[static_cast<size_t>(queue_[queue_head_])].phase != JobPhase::kQueued) {
    ++queue_head_;
  }
}

void Controller::ReleaseRun(JobState& js) {
  for (int32_t d : js.devices) {
    device_job_[static_cast<size_t>(d)] = -1;
    --gpus_busy_;
    if (up_[static_cast<size_t>(d)]) SetMode(d, Mode::kIdle);
  }
  js.devices.clear();
  const int32_t pos = js.running_pos;
  running_[static_cast<size_t>(pos)] = running_.back();
  jobs_[static_cast<size_t>(running_[static_cast<size_t>(pos)])].running_pos = pos;
  running_.pop_back();
  js.running_pos = -1;
}

void Controller::StopRun(int32_t j, TimePoint now, StopCause cause) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  const Job& job = *js.job;
  const double progress_s = static_cast<double>(std::max<TimePoint>(0, now - js.anchor));
  const double done = std::min(js.remaining, progress_s * js.rate);
  double kept = done;
  if (options_.preemption_costs) {
    if (cause == StopCause::kFailure && job.preemptibility == workload::Preemptibility::kNever) {
      kept = -(js.total_work - js.remaining);  // back to the beginning
    } else if (job.preemptibility == workload::Preemptibility::kCheckpoint &&
               job.checkpoint_interval > 0) {
      double ckpt = std::floor(progress_s / static_cast<double>(job.checkpoint_interval)) *
                    static_cast<double>(job.checkpoint_interval);
      kept = std::min(done, ckpt * js.rate);
    }
    js.needs_restore = job.restore_time > 0;
  }
  world_->JobStopped(j, now, cause, done - kept);
  js.remaining = std::min(js.total_work, std::max(0.0, js.remaining - kept));
  js.attained_gpu_seconds +=
      static_cast<double>(now - js.run_start) * static_cast<double>(js.devices.size());
  if (cause != StopCause::kCancelled) ++js.preemptions;
  ++js.generation;
  ReleaseRun(js);
}

void Controller::StopJob(int32_t j, TimePoint now, StopCause cause) {
  StopRun(j, now, cause);
  Enqueue(j, now);
}

void Controller::CompleteRun(int32_t j, TimePoint now) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  world_->JobCompleted(j, now);
  js.attained_gpu_seconds +=
      static_cast<double>(now - js.run_start) * static_cast<double>(js.devices.size());
  js.remaining = 0;
  js.phase = JobPhase::kDone;
  js.completion = now;
  ReleaseRun(js);
}

}  // namespace rigshift::control
