#include "sched/mine_only.h"

#include "sched/incremental.h"
#include "sched/round.h"

namespace rigshift::sched {
namespace {

class MineOnlyPolicy final : public Policy {
 public:
  explicit MineOnlyPolicy(const PolicyOptions& options) : options_(options) {}
  std::string_view name() const override { return "mine-only"; }

  Plan Decide(const PolicyInput& in, Rng& /*rng*/) const override {
    internal::Round round(in, options_);
    return Run(in, round);
  }

  // Between rounds nothing starts (IncrementalRule::Start::kNone): an arrival changes nothing.
  Plan DecideIncremental(const PolicyInput& in, Rng& /*rng*/,
                         std::unique_ptr<IncrementalPlanner>* planner) const override {
    auto round = std::make_unique<internal::Round>(in, options_);
    Plan plan = Run(in, *round);
    if (planner != nullptr) {
      IncrementalRule rule;
      rule.start = IncrementalRule::Start::kNone;
      *planner = std::make_unique<IncrementalPlanner>(std::move(round), plan, std::move(rule));
    }
    return plan;
  }

 private:
  Plan Run(const PolicyInput& in, internal::Round& round) const {
    const uint32_t no_ai = round.SharedReason("preempted: mine-only runs no AI work");
    round.KeepRunning([&](int32_t) { return std::optional<uint32_t>(no_ai); });
    const uint32_t waits = round.SharedReason("waits: mine-only runs no AI work");
    for (size_t q = 0; q < in.queue.size(); ++q) {
      round.plan().waits.push_back({in.queue[q].job->id, static_cast<int32_t>(q), waits});
    }
    round.FillMining(
        [&](int32_t cls) -> std::optional<uint32_t> {
          const internal::ClassEcon& e = round.econ(cls);
          if (e.can_mine && e.mine_margin_h().raw() > 0) return round.MineReason(cls);
          return std::nullopt;
        },
        [&](int32_t cls) {
          return round.econ(cls).can_mine ? round.UnprofitableReason(cls)
                                          : round.NoMiningReason(cls);
        });
    return round.Finish();
  }

  PolicyOptions options_;
};

}  // namespace

std::unique_ptr<Policy> MakeMineOnlyPolicy(const PolicyOptions& options) {
  return std::make_unique<MineOnlyPolicy>(options);
}

}  // namespace rigshift::sched
