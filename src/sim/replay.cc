#include "sim/replay.h"

#include <algorithm>
#include <cmath>

namespace rigshift::sim {

Result<std::vector<workload::Job>> ReplayIntoWindow(const std::vector<workload::Job>& trace,
                                                    const ReplayOptions& options) {
  if (!(options.load > 0) || !std::isfinite(options.load)) {
    return Status::InvalidArgument("load: expected a positive number (found " +
                                   std::to_string(options.load) + ")");
  }
  if (options.end <= options.start) {
    return Status::InvalidArgument("the simulated window is empty (--to must be after --from)");
  }
  std::vector<workload::Job> out;
  if (trace.empty()) return out;
  std::vector<const workload::Job*> sorted;
  sorted.reserve(trace.size());
  for (const auto& j : trace) sorted.push_back(&j);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const workload::Job* a, const workload::Job* b) {
                     return a->arrival != b->arrival ? a->arrival < b->arrival : a->id < b->id;
                   });
  TimePoint first = sorted.front()->arrival;
  Duration span = sorted.back()->arrival - first;
  Duration gap = sorted.size() > 1 ? span / static_cast<Duration>(sorted.size() - 1) : kHour;
  Duration period = span + std::max<Duration>(gap, 1);
  const int64_t n = static_cast<int64_t>(sorted.size());
  // Every job at one instant is a batch with no arrival rate to repeat: it arrives once.
  const bool batch = n > 1 && span == 0;
  const Duration window_length = options.end - options.start;
  if (options.repeat && !batch) {
    // Refuse before allocating: copies x jobs, with the load's compression of arrival times.
    const double copies = std::ceil(static_cast<double>(window_length) * options.load /
                                    static_cast<double>(period));
    const double total = copies * static_cast<double>(n);
    if (total > static_cast<double>(kMaxReplayedJobs)) {
      return Status::OutOfRange(
          "replaying the trace (" + std::to_string(n) + " jobs whose arrivals span " +
          std::to_string(span) + " s) over the window at load " + std::to_string(options.load) +
          " would create about " + std::to_string(static_cast<int64_t>(std::min(total, 9e18))) +
          " jobs, over the limit of " + std::to_string(kMaxReplayedJobs) +
          "; shorten the window, lower --load, or give a trace that spans longer");
    }
  }
  workload::JobId max_id = 0;
  for (const auto* j : sorted) max_id = std::max(max_id, j->id);
  const int64_t id_stride = max_id + 1;
  const Duration window = window_length;
  for (int64_t copy = 0;; ++copy) {
    bool any = false;
    for (int64_t i = 0; i < n; ++i) {
      const workload::Job& src = *sorted[static_cast<size_t>(i)];
      double rel = static_cast<double>(copy * period + (src.arrival - first)) / options.load;
      if (rel >= static_cast<double>(window)) break;
      any = true;
      workload::Job j = src;
      j.arrival = options.start + static_cast<TimePoint>(std::floor(rel));
      j.id = copy * id_stride + src.id;
      if (copy > 0) j.name += "#" + std::to_string(copy);
      if (j.deadline) *j.deadline += j.arrival - src.arrival;
      out.push_back(std::move(j));
    }
    if (!any || !options.repeat || batch) break;
  }
  std::stable_sort(out.begin(), out.end(), [](const workload::Job& a, const workload::Job& b) {
    return a.arrival != b.arrival ? a.arrival < b.arrival : a.id < b.id;
  });
  return out;
}

namespace {

uint64_t Mix(uint64_t x) {  // SplitMix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

void AssignJobNeeds(std::vector<workload::Job>& jobs, const NeedsOptions& options) {
  for (auto& j : jobs) {
    if (j.min_memory_gb <= 0) {
      uint64_t h = Mix(options.seed ^ Mix(static_cast<uint64_t>(j.id))) % 100;
      j.min_memory_gb = h < 50 ? 6 : h < 80 ? 11 : h < 95 ? 16 : 24;
    }
    if (j.interconnect == workload::Interconnect::kNone && j.gpus > 1) {
      if (j.gpus <= 8) {
        j.interconnect = workload::Interconnect::kPcie;
      } else {
        j.interconnect = workload::Interconnect::kNetwork;
        if (j.network_gbps <= 0) j.network_gbps = options.network_gbps;
      }
    }
    if (!j.deadline && options.slo_factor > 0 && j.gpus > 0) {
      double run = j.work_gpu_seconds / static_cast<double>(j.gpus);
      // Capped before the conversion so that no factor x run time leaves int64 seconds; the CLI
      // refuses factors and run times that would reach the cap.
      const double slo_seconds = std::min(std::ceil(options.slo_factor * run), kMaxSloSeconds);
      Duration allowed = std::max<Duration>(options.slo_min, static_cast<Duration>(slo_seconds));
      j.deadline = j.arrival + allowed;
    }
  }
}

}  // namespace rigshift::sim
