#include "sched/backfill_mine.h"

#include "sched/incremental.h"

namespace rigshift::sched {
namespace internal {

void BackfillAi(Round& round) {
  const PolicyInput& in = round.in();
  round.KeepRunning([](int32_t) { return std::optional<uint32_t>(); });
  const Round::ChooseFn choose = [&](int32_t qi, const std::vector<int32_t>& classes) {
    const workload::Job& job = *in.queue[static_cast<size_t>(qi)].job;
    Round::Choice best;
    GpuHourPrice best_price;
    for (int32_t c : classes) {
      const GpuHourPrice p = round.PriceOn(job, c);
      if (best.cls < 0 || p > best_price) {
        best.cls = c;
        best_price = p;
      }
    }
    return best;
  };
  const Round::StartReasonFn start_reason = [&](int32_t qi, int32_t cls) {
    const workload::Job& job = *in.queue[static_cast<size_t>(qi)].job;
    return round.SharedReason(
        "ai: job " + std::to_string(job.id) + " starts (" + JobOrderName(round.opt().order) +
        " order, backfill) on " + std::to_string(job.gpus) + " x " + round.ClassLabel(cls) +
        " at " + Usd2(RentalRevenue(1, kHour, round.PriceOn(job, cls))) + " USD/GPU-h");
  };
  round.ScheduleQueue(round.QueueOrder(), choose, start_reason, /*easy=*/true);
  // Tiresias: waiting jobs of a higher LAS priority preempt running ones of a lower (LAS only).
  round.LasPreemptWaiting(choose, start_reason);
}

}  // namespace internal

namespace {

class BackfillMinePolicy final : public Policy {
 public:
  explicit BackfillMinePolicy(const PolicyOptions& options) : options_(options) {}
  std::string_view name() const override { return "backfill-mine"; }

  Plan Decide(const PolicyInput& in, Rng& /*rng*/) const override {
    internal::Round round(in, options_);
    return Run(round);
  }

  // The same round, kept for IncrementalPlanner: between rounds a job starts on the free class
  // with the highest GPU-hour price (miners curtailed for it: AI comes first), and GPUs its end
  // frees mine (sched/incremental.h). None under LAS with preemption (a full round's job).
  Plan DecideIncremental(const PolicyInput& in, Rng& /*rng*/,
                         std::unique_ptr<IncrementalPlanner>* planner) const override {
    auto round = std::make_unique<internal::Round>(in, options_);
    Plan plan = Run(*round);
    if (planner != nullptr) {
      planner->reset();
      if (!round->las_preempts()) {
        IncrementalRule rule;
        rule.start = IncrementalRule::Start::kHighestPrice;
        rule.label = "backfill";
        rule.mine = [](internal::Round& r, int32_t cls) -> std::optional<uint32_t> {
          const internal::ClassEcon& e = r.econ(cls);
          if (!e.can_mine) return std::nullopt;
          return r.SharedReason("mine " + e.algorithm +
                                ": backfill-mine mines every GPU without AI work (" +
                                internal::Usd2(e.mine_margin_h()) + " USD/h margin at " +
                                internal::PricePerMwh(e.energy) + ", not checked)");
        };
        *planner = std::make_unique<IncrementalPlanner>(std::move(round), plan, std::move(rule));
      }
    }
    return plan;
  }

 private:
  Plan Run(internal::Round& round) const {
    internal::BackfillAi(round);
    std::vector<int64_t> reason(round.index().classes().size(), -1);
    round.FillMining(
        [&](int32_t cls) -> std::optional<uint32_t> {
          const internal::ClassEcon& e = round.econ(cls);
          if (!e.can_mine) return std::nullopt;
          if (reason[static_cast<size_t>(cls)] < 0) {
            reason[static_cast<size_t>(cls)] = round.plan().AddReason(
                "mine " + e.algorithm + ": backfill-mine mines every GPU without AI work (" +
                internal::Usd2(e.mine_margin_h()) + " USD/h margin at " +
                internal::PricePerMwh(e.energy) + ", not checked)");
          }
          return static_cast<uint32_t>(reason[static_cast<size_t>(cls)]);
        },
        [&](int32_t cls) { return round.NoMiningReason(cls); });
    return round.Finish();
  }

  PolicyOptions options_;
};

}  // namespace

std::unique_ptr<Policy> MakeBackfillMinePolicy(const PolicyOptions& options) {
  return std::make_unique<BackfillMinePolicy>(options);
}

}  // namespace rigshift::sched
