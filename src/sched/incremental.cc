#include "sched/incremental.h"

#include <algorithm>
#include <limits>

#include "sched/rigshift.h"
#include "sched/round.h"

namespace rigshift::sched {

IncrementalPlanner::IncrementalPlanner(const PolicyInput& in, const PolicyOptions& options,
                                       const Plan& plan)
    : round_(std::make_unique<internal::Round>(in, options)), now_(in.now) {
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

IncrementalPlanner::IncrementalPlanner(std::unique_ptr<internal::Round> round, const Plan& plan,
                                       IncrementalRule rule)
    : round_(std::move(round)), rule_(std::move(rule)) {
  RS_CHECK(round_ != nullptr && plan.mode.size() == round_->flat().device_count());
  now_ = round_->in().now;
  // Round::Finish moved its plan out; everything else (free GPUs, envelope, hosts on, reason
  // caches) is the state that plan describes.
  round_->plan() = plan;
  starts_seen_ = plan.starts.size();
  round_->set_change_log(&changed_);
}

IncrementalPlanner::~IncrementalPlanner() = default;

Plan Policy::DecideIncremental(const PolicyInput& in, Rng& rng,
                               std::unique_ptr<IncrementalPlanner>* planner) const {
  if (planner != nullptr) planner->reset();
  return Decide(in, rng);
}

const std::vector<std::string>& IncrementalPlanner::reasons() const {
  return round_->plan().reasons;
}

econ::Mode IncrementalPlanner::mode(size_t device) const { return round_->plan().mode[device]; }

bool IncrementalPlanner::TryStart(const QueuedJob& q) {
  switch (rule_.start) {
    case IncrementalRule::Start::kNone:
      return false;
    case IncrementalRule::Start::kBestGain:
      return TryStartBestGain(q);
    case IncrementalRule::Start::kHighestPrice:
      return TryStartHighestPrice(q);
  }
  return false;
}

std::vector<int32_t> IncrementalPlanner::FreeClasses(const workload::Job& job) {
  internal::Round& r = *round_;
  const internal::Shape& shape = r.ShapeOf(job);
  std::vector<int32_t> classes;
  if (!shape.runs_anywhere) return classes;
  for (size_t c = 0; c < shape.fit.size(); ++c) {
    if (!(shape.fit[c].rate > 0) || r.class_free(static_cast<int32_t>(c)) < shape.gpus) continue;
    classes.push_back(static_cast<int32_t>(c));
  }
  return classes;
}

bool IncrementalPlanner::TryStartHighestPrice(const QueuedJob& q) {
  internal::Round& r = *round_;
  const workload::Job& job = *q.job;
  std::vector<int32_t> candidates = FreeClasses(job);
  // Highest price first; ties: lower class id (stable).
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](int32_t a, int32_t b) { return r.PriceOn(job, a) > r.PriceOn(job, b); });
  // AI comes before mining in these policies' rounds: miners are curtailed for a gang whatever
  // their margin.
  const Money any_gain = Money::FromRaw(std::numeric_limits<int64_t>::max() / 4);
  for (int32_t c : candidates) {
    std::vector<int32_t> devices = r.FindPlacement(job, c, AvoidReserved(q, c));
    if (devices.empty() || !(r.CanPowerAi(devices) || r.MakeRoomForAi(devices, any_gain))) continue;
    const uint32_t why = r.plan().AddReason(
        "ai: job " + std::to_string(job.id) + " starts (" + JobOrderName(r.opt().order) +
        " order, " + rule_.label + ") on " + std::to_string(job.gpus) + " x " + r.ClassLabel(c) +
        " at " + internal::Usd2(RentalRevenue(1, kHour, r.PriceOn(job, c))) + " USD/GPU-h");
    r.StartExternal(job, std::move(devices), why);
    if (&job == r.reserved_job()) reservation_used_ = true;
    return true;
  }
  blocked_ = true;
  return false;
}

bool IncrementalPlanner::AvoidReserved(const QueuedJob& q, int32_t cls) {
  internal::Round& r = *round_;
  // EASY, as in the full round: while the job the round reserved GPUs for has not started, any
  // other job that would still run at the reservation's start time stays off the reserved slots.
  if (reservation_used_ || !r.has_reservation() || q.job == r.reserved_job()) return false;
  const double secs = r.ExpectedSeconds(*q.job, q.remaining_work, cls);
  return static_cast<double>(now_) + secs > static_cast<double>(r.shadow());
}

bool IncrementalPlanner::TryStartBestGain(const QueuedJob& q) {
  internal::Round& r = *round_;
  const workload::Job& job = *q.job;
  std::vector<int32_t> candidates = FreeClasses(job);
  while (!candidates.empty()) {
    int32_t best = -1;
    Money best_gain;
    int32_t urgent = -1;  // the full round's deadline rule (rigshift.cc): see RigshiftAi
    Money urgent_gain;
    for (int32_t c : candidates) {
      const double secs = std::min(r.ExpectedSeconds(job, q.remaining_work, c), 1e12);
      const Money gain = internal::GainPerGpuHour(r, job, c, static_cast<Duration>(secs));
      if (gain.raw() > 0 && (best < 0 || gain > best_gain)) {
        best = c;
        best_gain = gain;
      } else if (gain.raw() <= 0 && internal::MeetsDeadlineNow(job, now_, secs) &&
                 internal::DeadlineAtRisk(job, now_, secs, kHour) &&
                 (RentalRevenue(1, kHour, r.PriceOn(job, c)) -
                  r.MeanAiCost(c, static_cast<Duration>(secs)))
                         .raw() > 0 &&
                 (urgent < 0 || gain > urgent_gain)) {
        urgent = c;
        urgent_gain = gain;
      }
    }
    if (best < 0 && urgent >= 0) {
      best = urgent;
      best_gain = Money();  // no gain over mining: curtail nobody for it
    }
    if (best < 0) return false;
    std::vector<int32_t> devices = r.FindPlacement(job, best, AvoidReserved(q, best));
    // What the gang earns per hour over its devices' current use (mining where they mine).
    Money gain_h = best_gain * static_cast<int64_t>(devices.size());
    if (!devices.empty() && (r.CanPowerAi(devices) || r.MakeRoomForAi(devices, gain_h))) {
      const uint32_t why = r.plan().AddReason(
          "ai: job " + std::to_string(job.id) + " starts on " + std::to_string(job.gpus) + " x " +
          r.ClassLabel(best) +
          (urgent == best && best_gain.IsZero()
               ? std::string(": its deadline would be missed by waiting (event)")
               : ": gains " + internal::Usd2(best_gain) + " USD/GPU-h over mining/off (event)"));
      r.StartExternal(job, std::move(devices), why);
      if (&job == r.reserved_job()) reservation_used_ = true;
      return true;
    }
    candidates.erase(std::find(candidates.begin(), candidates.end(), best));
  }
  blocked_ = true;  // it pays somewhere but no placement is free: EASY would reserve for it
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
  // A job is blocked and no reservation protects the queue any more (none was made, or its job
  // has started): only a full round can make the next one.
  delta.wants_full_round = blocked_ && (!r.has_reservation() || reservation_used_);
  blocked_ = false;
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
  if (rule_.start != IncrementalRule::Start::kNone) {
    // The policy's order as far as it is known without a full round: priority, then the LAS
    // level, then the caller's order.
    std::vector<int32_t> order(waiting.size());
    std::vector<int32_t> level(waiting.size(), 0);
    for (size_t i = 0; i < waiting.size(); ++i) {
      order[i] = static_cast<int32_t>(i);
      if (r.opt().order == JobOrder::kLas)
        level[i] = internal::LasLevel(waiting[i], r.opt().las, r.in().now);
    }
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      const auto ua = static_cast<size_t>(a), ub = static_cast<size_t>(b);
      if (waiting[ua].job->priority != waiting[ub].job->priority)
        return waiting[ua].job->priority > waiting[ub].job->priority;
      return level[ua] < level[ub];
    });
    for (int32_t i : order) {
      const QueuedJob& q = waiting[static_cast<size_t>(i)];
      if (!TryStart(q)) still_waiting.push_back(q.job->id);
    }
  } else {
    for (const QueuedJob& q : waiting) still_waiting.push_back(q.job->id);
  }
  for (int32_t d : devices) {
    if (r.plan().mode[static_cast<size_t>(d)] != econ::Mode::kOff || !r.device_up(d)) continue;
    const std::optional<uint32_t> mine = MineRule(r.index().device_class(static_cast<size_t>(d)));
    if (mine && r.CanSet(d, econ::Mode::kMine)) r.SetMode(d, econ::Mode::kMine, *mine);
  }
  Delta delta = Collect(changed_);
  delta.waiting = std::move(still_waiting);
  return delta;
}

std::optional<uint32_t> IncrementalPlanner::MineRule(int32_t cls) {
  internal::Round& r = *round_;
  if (rule_.mine) return rule_.mine(r, cls);
  const internal::ClassEcon& e = r.econ(cls);
  if (e.can_mine && e.mine_margin_h().raw() > 0) return r.MineReason(cls);
  return std::nullopt;
}

IncrementalPlanner::Delta IncrementalPlanner::OnAsicHealth(int32_t device) {
  internal::Round& r = *round_;
  const auto d = static_cast<size_t>(device);
  RS_CHECK(d < r.flat().device_count() && r.flat().kind[d] != catalog::DeviceKind::kGpu);
  if (!r.device_up(device)) {
    r.SetMode(device, econ::Mode::kOff, r.SharedReason("device down: off"));
  } else if (r.plan().mode[d] == econ::Mode::kOff) {
    const std::optional<uint32_t> mine = MineRule(r.index().device_class(d));
    if (mine && r.CanSet(device, econ::Mode::kMine)) {
      r.SetMode(device, econ::Mode::kMine, *mine);
    }
  }
  return Collect(changed_);
}

}  // namespace rigshift::sched
