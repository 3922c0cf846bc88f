#include "sched/threshold.h"

#include <cstdio>
#include <limits>

#include "sched/backfill_mine.h"
#include "sched/incremental.h"
#include "sched/round.h"

namespace rigshift::sched {

EnergyPrice BreakEvenPrice(Money revenue_h, Power power, int64_t pue_milli) {
  // price [uUSD/MWh] = revenue [uUSD/h] / (power [mW] x PUE x 1 h / 1e9 [MWh]).
  const int64_t den = rigshift::internal::MulChecked(power.raw(), std::max<int64_t>(pue_milli, 1));
  if (den <= 0) return EnergyPrice::FromRaw(std::numeric_limits<int64_t>::max() / 4);
  return EnergyPrice::FromRaw(MulDiv(revenue_h.raw(), 1'000'000'000'000LL, den));
}

namespace {

class ThresholdPolicy final : public Policy {
 public:
  explicit ThresholdPolicy(const PolicyOptions& options) : options_(options) {}
  std::string_view name() const override { return "threshold"; }

  Plan Decide(const PolicyInput& in, Rng& /*rng*/) const override {
    internal::Round round(in, options_);
    return Run(in, round, nullptr);
  }

  // The same round, kept for IncrementalPlanner: between rounds as backfill-mine (the highest
  // priced free class; miners curtailed for it), and GPUs a job's end frees mine iff their
  // class mined in the round (its price against its threshold: prices change only at a full
  // round). None under LAS with preemption (a full round's job).
  Plan DecideIncremental(const PolicyInput& in, Rng& /*rng*/,
                         std::unique_ptr<IncrementalPlanner>* planner) const override {
    auto round = std::make_unique<internal::Round>(in, options_);
    std::vector<int64_t> mine_reason;
    Plan plan = Run(in, *round, &mine_reason);
    if (planner != nullptr) {
      planner->reset();
      if (!round->las_preempts()) {
        IncrementalRule rule;
        rule.start = IncrementalRule::Start::kHighestPrice;
        rule.label = "backfill";
        rule.mine = [mine_reason = std::move(mine_reason)](internal::Round&,
                                                           int32_t cls) -> std::optional<uint32_t> {
          const int64_t why = mine_reason[static_cast<size_t>(cls)];
          if (why < 0) return std::nullopt;
          return static_cast<uint32_t>(why);
        };
        *planner = std::make_unique<IncrementalPlanner>(std::move(round), plan, std::move(rule));
      }
    }
    return plan;
  }

 private:
  // One round; `mines_with`, when given, receives per class the reason index under which its
  // devices mine (-1: its devices are off).
  Plan Run(const PolicyInput& in, internal::Round& round, std::vector<int64_t>* mines_with) const {
    internal::BackfillAi(round);
    const size_t classes = round.index().classes().size();
    std::vector<int64_t> mine_reason(classes, -1), off_reason(classes, -1);
    std::vector<uint8_t> mines(classes, 0);
    for (size_t c = 0; c < classes; ++c) {
      const auto cls = static_cast<int32_t>(c);
      const internal::ClassEcon& e = round.econ(cls);
      if (!e.can_mine) {
        off_reason[c] = round.NoMiningReason(cls);
        continue;
      }
      const int32_t site = round.index().classes()[c].site;
      const int64_t pue = in.fleet->sites[static_cast<size_t>(site)].pue_milli;
      EnergyPrice threshold;
      std::string what;
      if (options_.curtail_above) {
        threshold = *options_.curtail_above;
        what = "the operator's curtailment price";
      } else {
        const EnergyPrice be =
            BreakEvenPrice(e.mine_revenue_h, e.mine_choice_power + e.host_share, pue);
        threshold = be.Scaled(1000 - options_.threshold_margin_permille, 1000);
        char margin[32];
        std::snprintf(margin, sizeof margin, "%.1f%%",
                      static_cast<double>(options_.threshold_margin_permille) / 10.0);
        what = "break-even " + internal::PricePerMwh(be) + " less " + margin;
      }
      if (e.energy <= threshold) {
        mines[c] = 1;
        mine_reason[c] = round.plan().AddReason(
            "mine " + e.algorithm + ": price " + internal::PricePerMwh(e.energy) +
            " <= threshold " + internal::PricePerMwh(threshold) + " (" + what + ")");
      } else {
        off_reason[c] = round.plan().AddReason(
            "curtailed: price " + internal::PricePerMwh(e.energy) + " > threshold " +
            internal::PricePerMwh(threshold) + " (" + what + "): off");
      }
    }
    round.FillMining(
        [&](int32_t cls) -> std::optional<uint32_t> {
          if (!mines[static_cast<size_t>(cls)]) return std::nullopt;
          return static_cast<uint32_t>(mine_reason[static_cast<size_t>(cls)]);
        },
        [&](int32_t cls) { return static_cast<uint32_t>(off_reason[static_cast<size_t>(cls)]); });
    if (mines_with != nullptr) {
      mines_with->assign(classes, -1);
      for (size_t c = 0; c < classes; ++c) {
        if (mines[c]) (*mines_with)[c] = mine_reason[c];
      }
    }
    return round.Finish();
  }

  PolicyOptions options_;
};

}  // namespace

std::unique_ptr<Policy> MakeThresholdPolicy(const PolicyOptions& options) {
  return std::make_unique<ThresholdPolicy>(options);
}

}  // namespace rigshift::sched
