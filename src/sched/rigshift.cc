#include "sched/rigshift.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "sched/incremental.h"

namespace rigshift::sched {
namespace internal {

// Gain per GPU-hour (micro-USD) of running `job` on class `cls` for `seconds`, against what the
// devices would earn otherwise.
Money GainPerGpuHour(Round& round, const workload::Job& job, int32_t cls, Duration seconds) {
  return RentalRevenue(1, kHour, round.PriceOn(job, cls)) - round.MeanAiCost(cls, seconds) -
         round.MeanAltMargin(cls, seconds);
}

bool DeadlineAtRisk(const workload::Job& job, TimePoint now, double expected_seconds,
                    Duration delay) {
  return job.deadline.has_value() &&
         static_cast<double>(now) + static_cast<double>(delay) + expected_seconds >
             static_cast<double>(*job.deadline);
}

bool MeetsDeadlineNow(const workload::Job& job, TimePoint now, double expected_seconds) {
  return !job.deadline.has_value() ||
         static_cast<double>(now) + expected_seconds <= static_cast<double>(*job.deadline);
}

namespace {

int64_t PerKw(Money m, Power p) {
  if (p.raw() <= 0) return m.raw() > 0 ? std::numeric_limits<int64_t>::max() / 4 : 0;
  return MulDiv(m.raw(), 1'000'000, p.raw());
}

Duration ClampSeconds(double s) { return static_cast<Duration>(std::min(s, 1e12)); }

// Waiting jobs examined for value preemption per round (bounds the round's cost).
constexpr int kMaxValuePreemptionCandidates = 32;

}  // namespace

void RigshiftAi(Round& round, const std::vector<int64_t>* ai_budget) {
  const PolicyInput& in = round.in();
  const PolicyOptions& opt = round.opt();
  const FleetIndex& ix = round.index();

  // 1. Running jobs.
  round.KeepRunning([&](int32_t r) -> std::optional<uint32_t> {
    const RunningJob& rj = in.running[static_cast<size_t>(r)];
    const workload::Job& job = *rj.job;
    if (job.preemptibility == workload::Preemptibility::kNever) return std::nullopt;
    const int32_t cls = ix.device_class(static_cast<size_t>(rj.devices.front()));
    const Money price_h = RentalRevenue(1, kHour, round.PriceOn(job, cls));
    const double secs = round.ExpectedSeconds(job, rj.remaining_work, cls);
    const int hours_left =
        static_cast<int>(std::min<double>(round.forecast_hours(), std::ceil(secs / kHour)));
    Money gain;
    int stretch = 0;
    for (int h = 0; h < std::max(1, hours_left); ++h) {
      const Money ai_margin = price_h - round.AiCostAtHour(cls, h);
      const Money alt = std::max(Money(), round.MineMarginAtHour(cls, h));
      const Money adv = alt - ai_margin;
      if (adv.raw() <= 0) break;
      gain += adv * static_cast<int64_t>(rj.devices.size());
      ++stretch;
    }
    if (stretch == 0) return std::nullopt;
    Duration lost = job.restore_time;
    if (job.preemptibility == workload::Preemptibility::kCheckpoint)
      lost += std::max<Duration>(0, in.now - rj.last_checkpoint);
    // The customer's deadline is not ours to trade: a job on course to meet it is not paused
    // into missing it (pause + work lost + restore + an hour until a round restarts it).
    if (MeetsDeadlineNow(job, in.now, secs) &&
        DeadlineAtRisk(job, in.now, secs, static_cast<Duration>(stretch + 1) * kHour + lost)) {
      return std::nullopt;
    }
    const Money loss =
        RentalRevenue(static_cast<int64_t>(rj.devices.size()), lost, round.PriceOn(job, cls));
    const double need = opt.preempt_hysteresis * static_cast<double>(loss.raw());
    if (static_cast<double>(gain.raw()) <= need) return std::nullopt;
    return round.plan().AddReason(
        "preempted: job " + std::to_string(job.id) + " earns less than its GPUs " +
        (round.econ(cls).can_mine ? "mining or off" : "off") + " for the next " +
        std::to_string(stretch) + " h at " + PricePerMwh(round.econ(cls).energy) + " (gain " +
        Usd2(gain) + " USD > " + std::to_string(opt.preempt_hysteresis).substr(0, 4) + " x loss " +
        Usd2(loss) + " USD: work since checkpoint + restore)");
  });

  // AI per class after the kept jobs, for the budget.
  std::vector<int64_t> ai_used;
  if (ai_budget != nullptr) {
    ai_used.assign(static_cast<size_t>(round.site_count()), 0);
    for (size_t d = 0; d < round.flat().device_count(); ++d) {
      if (round.plan().mode[d] == econ::Mode::kAi)
        ++ai_used[static_cast<size_t>(round.flat().site[d])];
    }
  }

  // 2. Value density per job (cached per shape and duration in hours when the job has no price
  // of its own).
  std::vector<int64_t> density(in.queue.size(), std::numeric_limits<int64_t>::min());
  std::map<std::pair<int32_t, int64_t>, int64_t> cache;
  for (size_t q = 0; q < in.queue.size(); ++q) {
    const QueuedJob& qj = in.queue[q];
    const workload::Job& job = *qj.job;
    const int32_t shape_id = round.ShapeIdOf(job);
    const Shape& shape = round.ShapeOf(job);
    if (!shape.runs_anywhere) continue;
    // Duration on the reference rate, in hours, is the cache key's second part.
    int64_t hours_key = -1;
    if (job.price.raw() <= 0) {
      const double ref = qj.remaining_work / std::max(1, shape.gpus);
      hours_key = static_cast<int64_t>(std::min(ref / kHour, 1e6));
      auto it = cache.find({shape_id, hours_key});
      if (it != cache.end()) {
        density[q] = it->second;
        continue;
      }
    }
    int64_t best = std::numeric_limits<int64_t>::min();
    for (size_t c = 0; c < shape.fit.size(); ++c) {
      if (!(shape.fit[c].rate > 0)) continue;
      const auto cls = static_cast<int32_t>(c);
      const Duration secs = ClampSeconds(round.ExpectedSeconds(job, qj.remaining_work, cls));
      const ClassEcon& e = round.econ(cls);
      best =
          std::max(best, PerKw(GainPerGpuHour(round, job, cls, secs), e.ai_power + e.host_share));
    }
    density[q] = best;
    if (hours_key >= 0) cache[{shape_id, hours_key}] = best;
  }

  // 3. Starts.
  const Round::ChooseFn choose = [&](int32_t qi, const std::vector<int32_t>& classes) {
    const QueuedJob& qj = in.queue[static_cast<size_t>(qi)];
    const workload::Job& job = *qj.job;
    Round::Choice best;
    Money best_gain;
    int64_t best_kw = 0;
    Money best_rejected = Money::FromRaw(std::numeric_limits<int64_t>::min() / 4);
    int32_t rejected_cls = -1;
    // A job whose deadline waiting another planning hour would miss starts where AI at least pays
    // its own power, even though mining would earn more there (the least mining given up).
    int32_t urgent_cls = -1;
    Money urgent_gain;
    for (int32_t c : classes) {
      const auto site = static_cast<size_t>(ix.classes()[static_cast<size_t>(c)].site);
      if (ai_budget != nullptr && ai_used[site] + job.gpus > (*ai_budget)[site]) continue;
      const Duration secs = ClampSeconds(round.ExpectedSeconds(job, qj.remaining_work, c));
      const Money gain = GainPerGpuHour(round, job, c, secs);
      if (gain.raw() <= 0) {
        if (gain > best_rejected) {
          best_rejected = gain;
          rejected_cls = c;
        }
        const Money ai_margin =
            RentalRevenue(1, kHour, round.PriceOn(job, c)) - round.MeanAiCost(c, secs);
        if (ai_margin.raw() > 0 && MeetsDeadlineNow(job, in.now, static_cast<double>(secs)) &&
            DeadlineAtRisk(job, in.now, static_cast<double>(secs), kHour) &&
            (urgent_cls < 0 || gain > urgent_gain)) {
          urgent_cls = c;
          urgent_gain = gain;
        }
        continue;
      }
      const ClassEcon& e = round.econ(c);
      const int64_t kw = PerKw(gain, e.ai_power + e.host_share);
      if (best.cls < 0 || gain > best_gain || (gain == best_gain && kw > best_kw)) {
        best.cls = c;
        best_gain = gain;
        best_kw = kw;
      }
    }
    if (best.cls >= 0) {
      return best;
    }
    if (urgent_cls >= 0) {
      best.cls = urgent_cls;
      return best;
    }
    if (rejected_cls >= 0) {
      best.wait_reason = round.SharedReason(
          "waits: AI pays less than power + mining forgone on every free class (best: " +
          Usd2(best_rejected) + " USD/GPU-h on " + round.ClassLabel(rejected_cls) + ")");
    } else {
      best.wait_reason = round.SharedReason(
          "waits: the planned AI budget (horizon LP) is used up on the free classes");
    }
    return best;
  };
  const Round::StartReasonFn start_reason = [&](int32_t qi, int32_t cls) {
    const QueuedJob& qj = in.queue[static_cast<size_t>(qi)];
    const workload::Job& job = *qj.job;
    if (!ai_used.empty())
      ai_used[static_cast<size_t>(ix.classes()[static_cast<size_t>(cls)].site)] += job.gpus;
    const Duration secs = ClampSeconds(round.ExpectedSeconds(job, qj.remaining_work, cls));
    char hours[32];
    std::snprintf(hours, sizeof hours, "%.1f", static_cast<double>(secs) / kHour);
    const Money gain = GainPerGpuHour(round, job, cls, secs);
    if (gain.raw() <= 0) {
      return round.plan().AddReason(
          "ai: job " + std::to_string(job.id) + " on " + std::to_string(job.gpus) + " x " +
          round.ClassLabel(cls) + ": its deadline would be missed by waiting; AI pays its power " +
          "but " + Usd2(-gain) + " USD/GPU-h less than mining (price " +
          Usd2(RentalRevenue(1, kHour, round.PriceOn(job, cls))) + ", power " +
          Usd2(round.MeanAiCost(cls, secs)) + ", mining forgone " +
          Usd2(round.MeanAltMargin(cls, secs)) + ", ~" + hours + " h)");
    }
    return round.plan().AddReason(
        "ai: job " + std::to_string(job.id) + " on " + std::to_string(job.gpus) + " x " +
        round.ClassLabel(cls) + ": gains " + Usd2(gain) +
        " USD/GPU-h over mining/off (price " +
        Usd2(RentalRevenue(1, kHour, round.PriceOn(job, cls))) + ", power " +
        Usd2(round.MeanAiCost(cls, secs)) + ", mining forgone " +
        Usd2(round.MeanAltMargin(cls, secs)) + ", ~" + hours + " h)");
  };
  round.ScheduleQueue(round.QueueOrder(&density), choose, start_reason, /*easy=*/true);

  // 3a. Tiresias (LAS only): waiting jobs of a higher LAS priority preempt running ones of a
  // lower priority, where the policy would run them (the same class choice as for starts).
  round.LasPreemptWaiting(choose, start_reason);

  // 3b. Value preemption: a waiting job may displace a running preemptible job of its class when
  // the extra revenue over its run (capped at the window) exceeds hysteresis x the victim's loss.
  if (in.running.empty()) return;
  std::vector<JobWait> waits = std::move(round.plan().waits);
  round.plan().waits.clear();
  int examined = 0;
  for (const JobWait& w : waits) {
    if (w.queue_index < 0 || examined >= kMaxValuePreemptionCandidates) {
      round.plan().waits.push_back(w);
      continue;
    }
    ++examined;
    const QueuedJob& qj = in.queue[static_cast<size_t>(w.queue_index)];
    const workload::Job& job = *qj.job;
    const Shape& shape = round.ShapeOf(job);
    int32_t victim = -1;
    Money best_net;
    Money victim_gain, victim_loss;
    for (int32_t r : round.kept()) {
      const RunningJob& rj = in.running[static_cast<size_t>(r)];
      if (rj.job->preemptibility == workload::Preemptibility::kNever) continue;
      const int32_t cls = ix.device_class(static_cast<size_t>(rj.devices.front()));
      if (!(shape.fit[static_cast<size_t>(cls)].rate > 0)) continue;
      const auto gpus_r = static_cast<int64_t>(rj.devices.size());
      if (gpus_r + round.class_free(cls) < job.gpus) continue;
      // Only a better price per GPU-hour counts: a bigger gang at the same price is not a reason
      // to stop a running job (the victim is delayed, and the extra GPUs have other uses).
      const GpuHourPrice price_q = round.PriceOn(job, cls), price_r = round.PriceOn(*rj.job, cls);
      if (price_q <= price_r) continue;
      const double secs = std::min<double>(round.ExpectedSeconds(job, qj.remaining_work, cls),
                                           static_cast<double>(round.forecast_hours()) * kHour);
      const Money per_hour = RentalRevenue(std::min<int64_t>(job.gpus, gpus_r), kHour,
                                           GpuHourPrice::FromRaw(price_q.raw() - price_r.raw()));
      const Money gain =
          Money::FromRaw(static_cast<int64_t>(static_cast<double>(per_hour.raw()) * secs / kHour));
      Duration lost = rj.job->restore_time;
      if (rj.job->preemptibility == workload::Preemptibility::kCheckpoint)
        lost += std::max<Duration>(0, in.now - rj.last_checkpoint);
      const Money loss = RentalRevenue(gpus_r, lost, round.PriceOn(*rj.job, cls));
      if (static_cast<double>(gain.raw()) <=
          opt.preempt_hysteresis * static_cast<double>(loss.raw()))
        continue;
      const Money net = gain - loss;
      if (victim < 0 || net > best_net) {
        victim = r;
        best_net = net;
        victim_gain = gain;
        victim_loss = loss;
      }
    }
    if (victim < 0) {
      round.plan().waits.push_back(w);
      continue;
    }
    const RunningJob& vj = in.running[static_cast<size_t>(victim)];
    const int32_t cls = ix.device_class(static_cast<size_t>(vj.devices.front()));
    const uint32_t why = round.plan().AddReason(
        "preempted: job " + std::to_string(vj.job->id) + " makes room for job " +
        std::to_string(job.id) + " paying " +
        Usd2(RentalRevenue(1, kHour, round.PriceOn(job, cls))) + " vs " +
        Usd2(RentalRevenue(1, kHour, round.PriceOn(*vj.job, cls))) + " USD/GPU-h (gain " +
        Usd2(victim_gain) + " USD over its run > hysteresis x loss " + Usd2(victim_loss) + " USD)");
    round.PreemptKept(victim, why);
    std::vector<int32_t> devices = round.FindPlacement(job, cls, /*avoid_reserved=*/false);
    if (devices.empty() || !round.CanPowerAi(devices)) {
      round.UndoPreemptKept(victim);
      round.plan().waits.push_back(w);
      continue;
    }
    const uint32_t start_why = round.plan().AddReason(
        "ai: job " + std::to_string(job.id) + " on " + std::to_string(job.gpus) + " x " +
        round.ClassLabel(cls) + " in place of job " + std::to_string(vj.job->id) +
        " (value preemption)");
    round.Start(w.queue_index, std::move(devices), start_why);
  }
}

void RigshiftMining(Round& round) {
  round.FillMining(
      [&](int32_t cls) -> std::optional<uint32_t> {
        const ClassEcon& e = round.econ(cls);
        if (e.can_mine && e.mine_margin_h().raw() > 0) return round.MineReason(cls);
        return std::nullopt;
      },
      [&](int32_t cls) {
        return round.econ(cls).can_mine ? round.UnprofitableReason(cls) : round.NoMiningReason(cls);
      });
}

}  // namespace internal

namespace {

class RigshiftPolicy final : public Policy {
 public:
  explicit RigshiftPolicy(const PolicyOptions& options) : options_(options) {}
  std::string_view name() const override { return "rigshift"; }

  Plan Decide(const PolicyInput& in, Rng& /*rng*/) const override {
    internal::Round round(in, options_);
    internal::RigshiftAi(round, nullptr);
    internal::RigshiftMining(round);
    return round.Finish();
  }

  // The same round, kept for IncrementalPlanner (rigshift's rule: sched/incremental.h). None
  // under LAS with preemption: the event rule cannot preempt, the full round would.
  Plan DecideIncremental(const PolicyInput& in, Rng& /*rng*/,
                         std::unique_ptr<IncrementalPlanner>* planner) const override {
    auto round = std::make_unique<internal::Round>(in, options_);
    internal::RigshiftAi(*round, nullptr);
    internal::RigshiftMining(*round);
    Plan plan = round->Finish();
    if (planner != nullptr) {
      planner->reset();
      if (!round->las_preempts())
        *planner = std::make_unique<IncrementalPlanner>(std::move(round), plan, IncrementalRule{});
    }
    return plan;
  }

 private:
  PolicyOptions options_;
};

}  // namespace

std::unique_ptr<Policy> MakeRigshiftPolicy(const PolicyOptions& options) {
  return std::make_unique<RigshiftPolicy>(options);
}

}  // namespace rigshift::sched
