// IncrementalPlanner: one arrival or one end between full rounds decides as rigshift would;
// Policy::DecideIncremental hands back a planner that continues from the round it ran.
#include "sched/incremental.h"

#include "catalog/catalog.h"
#include "fleet/loader.h"
#include "gtest/gtest.h"

namespace rigshift::sched {
namespace {

// One NVLink node of 8 H100 and two x1-riser rigs of 6 RTX 3090, at 40 USD/MWh; 3090s mine.
constexpr const char* kFleet = R"(version: 1
name: inc
sites:
  - id: dc
    grid_cap_mw: 1
    pue: 1.1
    cooling: {kind: air}
    tariff: {market: ercot}
    halls:
      - id: h
        racks:
          - id: r
            nodes:
              - {id: hgx, riser: x16, nvlink: true, host_power_w: 1000, cpu_cores: 64, ram_gb: 1024, devices: [{model: H100 SXM, count: 8}]}
              - {id: rig, count: 2, riser: x1, host_power_w: 200, cpu_cores: 2, ram_gb: 4, devices: [{model: RTX 3090, count: 6}]}
)";

// The same with two S19 Pro miners (devices 20 and 21) at hashprice 0.06 USD/TH/day: they mine
// at 40 USD/MWh (break-even 76.9).
const std::string kFleetWithAsics =
    std::string(kFleet) + "              - {id: m, count: 2, devices: [{model: S19 Pro}]}\n";

struct Fixture {
  fleet::Fleet fleet;
  fleet::FlatFleet flat;
  market::MarketData market;
  PolicyInput in;
  PolicyOptions options;
  explicit Fixture(const std::string& fleet_text = kFleet) {
    auto loaded = fleet::LoadFleetText(fleet_text, "inc.yaml", catalog::Catalog::Builtin());
    RS_CHECK(loaded.ok());
    fleet = loaded->fleet;
    flat = fleet::Flatten(fleet);
    const TimePoint start = ParseTimestamp("2023-07-01T00:00:00Z").value();
    market::PriceSeries ps;
    ps.start = start;
    ps.values = {UsdPerMwh(40)};
    market.electricity["ercot"] = ps;
    market::HashPriceSeries eth;
    eth.start = start;
    eth.step = kDay;
    eth.values = {UsdPerThsDay(10526.3)};
    market.gpu_mining["Ethash"] = eth;
    market.hashprice.start = start;
    market.hashprice.step = kDay;
    market.hashprice.values = {UsdPerThsDay(0.06)};
    market.gpu_prices.by_model["H100 SXM5 80GB"] = UsdPerGpuHour(2.5);
    market.gpu_prices.by_model["GeForce RTX 3090"] = UsdPerGpuHour(0.3);
    in.fleet = &fleet;
    in.flat = &flat;
    in.market = &market;
    in.now = start;
  }
};

workload::Job MakeJob(int64_t id, int gpus, double mem, double price = 0) {
  workload::Job j;
  j.id = id;
  j.gpus = gpus;
  j.min_memory_gb = mem;
  j.work_gpu_seconds = 4.0 * kHour * gpus;
  if (price > 0) j.price = UsdPerGpuHour(price);
  return j;
}

TEST(IncrementalPlanner, ArrivalTakesMiningGpusAndEndGivesThemBack) {
  Fixture f;
  auto policy = MakePolicy("rigshift", f.options);
  Rng rng(1);
  const Plan plan = (*policy)->Decide(f.in, rng);
  int mining = 0;
  for (auto m : plan.mode) mining += m == econ::Mode::kMine;
  ASSERT_EQ(mining, 12);  // every 3090 mines; the H100s have no mining profile
  IncrementalPlanner inc(f.in, f.options, plan);

  const workload::Job job = MakeJob(1, 4, 16);  // fits a 3090 rig or the H100s: H100s pay more
  QueuedJob q{&job, job.work_gpu_seconds, 0, f.in.now, 0};
  auto d = inc.OnArrival(q);
  ASSERT_EQ(d.starts.size(), 1u);
  EXPECT_EQ(d.starts[0].devices.size(), 4u);
  for (int32_t dev : d.starts[0].devices)
    EXPECT_EQ(f.flat.gpu[static_cast<size_t>(dev)]->name, "H100 SXM5 80GB");
  EXPECT_EQ(d.modes.size(), 4u);

  const workload::Job small =
      MakeJob(2, 6, 16);  // 6 GPUs, one node of 3090s (4 H100 left: too few)
  QueuedJob q2{&small, small.work_gpu_seconds, 0, f.in.now, 0};
  auto d2 = inc.OnArrival(q2);
  ASSERT_EQ(d2.starts.size(), 1u);
  for (int32_t dev : d2.starts[0].devices) {
    EXPECT_EQ(f.flat.gpu[static_cast<size_t>(dev)]->name, "GeForce RTX 3090");
    EXPECT_EQ(inc.mode(static_cast<size_t>(dev)), econ::Mode::kAi);
  }
  // It preempted mining on those six cards: each changed from mine to ai.
  EXPECT_EQ(d2.modes.size(), 6u);

  // A job paying less than the mining it would displace waits.
  const workload::Job cheap = MakeJob(3, 1, 0, 0.01);
  QueuedJob q3{&cheap, cheap.work_gpu_seconds, 0, f.in.now, 0};
  auto d3 = inc.OnArrival(q3);
  EXPECT_TRUE(d3.starts.empty());
  ASSERT_EQ(d3.waiting.size(), 1u);

  // Job 2 ends: its 3090s mine again.
  auto d4 = inc.OnEnd(d2.starts[0].devices, {});
  ASSERT_EQ(d4.modes.size(), 6u);
  for (const auto& [dev, mode] : d4.modes) EXPECT_EQ(mode, econ::Mode::kMine) << dev;

  // Job 1 ends with job 4 waiting (8 x NVLink): it takes the whole H100 node.
  const workload::Job big = MakeJob(4, 8, 40);
  std::vector<QueuedJob> waiting = {QueuedJob{&big, big.work_gpu_seconds, 0, f.in.now, 0}};
  auto d5 = inc.OnEnd(d.starts[0].devices, waiting);
  ASSERT_EQ(d5.starts.size(), 1u);
  EXPECT_EQ(d5.starts[0].job, 4);
  EXPECT_EQ(d5.starts[0].devices.size(), 8u);
}

TEST(IncrementalPlanner, ArrivalDecidesLikeAFullRound) {
  // The same job placed by a full round with it in the queue and by an event after an empty round.
  Fixture f;
  auto policy = MakePolicy("rigshift", f.options);
  const workload::Job job = MakeJob(1, 2, 16);
  std::vector<QueuedJob> queue = {QueuedJob{&job, job.work_gpu_seconds, 0, f.in.now, 0}};
  PolicyInput with = f.in;
  with.queue = queue;
  Rng rng(1);
  const Plan full = (*policy)->Decide(with, rng);
  const Plan empty = (*policy)->Decide(f.in, rng);
  IncrementalPlanner inc(f.in, f.options, empty);
  auto d = inc.OnArrival(queue[0]);
  ASSERT_EQ(full.starts.size(), 1u);
  ASSERT_EQ(d.starts.size(), 1u);
  EXPECT_EQ(d.starts[0].devices, full.starts[0].devices);
}

// rigshift's DecideIncremental returns Decide's plan and a planner that continues from the very
// round it ran (no rebuild): its decisions equal those of a planner rebuilt from the plan.
TEST(IncrementalPlanner, DecideIncrementalContinuesFromTheRound) {
  Fixture f;
  auto policy = MakePolicy("rigshift", f.options);
  const workload::Job running_job = MakeJob(9, 2, 16);
  std::vector<QueuedJob> queue = {
      QueuedJob{&running_job, running_job.work_gpu_seconds, 0, f.in.now, 0}};
  PolicyInput in = f.in;
  in.queue = queue;
  Rng rng(1);
  const Plan plan = (*policy)->Decide(in, rng);
  std::unique_ptr<IncrementalPlanner> adopted;
  const Plan plan2 = (*policy)->DecideIncremental(in, rng, &adopted);
  ASSERT_NE(adopted, nullptr);
  EXPECT_EQ(plan2.mode, plan.mode);
  ASSERT_EQ(plan2.starts.size(), 1u);
  EXPECT_EQ(plan2.starts[0].devices, plan.starts[0].devices);
  IncrementalPlanner rebuilt(in, f.options, plan);

  const workload::Job a = MakeJob(1, 4, 16), b = MakeJob(2, 6, 16), c = MakeJob(3, 8, 16);
  for (const workload::Job* job : {&a, &b, &c}) {
    QueuedJob q{job, job->work_gpu_seconds, 0, f.in.now, 0};
    auto x = adopted->OnArrival(q);
    auto y = rebuilt.OnArrival(q);
    ASSERT_EQ(x.starts.size(), y.starts.size()) << job->id;
    for (size_t i = 0; i < x.starts.size(); ++i)
      EXPECT_EQ(x.starts[i].devices, y.starts[i].devices);
    EXPECT_EQ(x.modes, y.modes) << job->id;
    EXPECT_EQ(x.waiting, y.waiting) << job->id;
  }
  // The round's own start ends: both give its GPUs back the same way.
  auto x = adopted->OnEnd(plan.starts[0].devices, {});
  auto y = rebuilt.OnEnd(plan.starts[0].devices, {});
  EXPECT_EQ(x.modes, y.modes);
  EXPECT_FALSE(x.modes.empty());
}

// mine-only: between rounds nothing starts; a policy without an incremental rule (horizon)
// returns none.
TEST(IncrementalPlanner, MineOnlyStartsNothingAndOtherPoliciesHaveNoPlanner) {
  Fixture f;
  Rng rng(1);
  auto mine_only = MakePolicy("mine-only", f.options);
  std::unique_ptr<IncrementalPlanner> planner;
  const Plan plan = (*mine_only)->DecideIncremental(f.in, rng, &planner);
  EXPECT_EQ(plan.mode, (*mine_only)->Decide(f.in, rng).mode);
  ASSERT_NE(planner, nullptr);
  const workload::Job job = MakeJob(1, 1, 16, 100.0);  // pays far more than mining: still waits
  auto d = planner->OnArrival(QueuedJob{&job, job.work_gpu_seconds, 0, f.in.now, 0});
  EXPECT_TRUE(d.starts.empty());
  EXPECT_TRUE(d.modes.empty());
  ASSERT_EQ(d.waiting.size(), 1u);

  auto horizon = MakePolicy("horizon", f.options);
  ASSERT_TRUE(horizon.ok());
  const Plan hp = (*horizon)->DecideIncremental(f.in, rng, &planner);
  EXPECT_EQ(planner, nullptr);
  EXPECT_EQ(hp.mode, (*horizon)->Decide(f.in, rng).mode);
}

// An ASIC that fails goes off; repaired, it mines again (its margin is positive): what the full
// round would decide for it. A GPU's health is not an incremental event.
TEST(IncrementalPlanner, AsicFailureAndRepair) {
  Fixture f(kFleetWithAsics);
  std::vector<uint8_t> up(f.flat.device_count(), 1);
  f.in.device_up = up;
  auto policy = MakePolicy("rigshift", f.options);
  Rng rng(1);
  std::unique_ptr<IncrementalPlanner> planner;
  const Plan plan = (*policy)->DecideIncremental(f.in, rng, &planner);
  ASSERT_NE(planner, nullptr);
  ASSERT_EQ(f.flat.device_count(), 22u);
  ASSERT_EQ(f.flat.kind[20], catalog::DeviceKind::kAsic);
  ASSERT_EQ(plan.mode[20], econ::Mode::kMine);
  up[20] = 0;
  auto down = planner->OnAsicHealth(20);
  ASSERT_EQ(down.modes.size(), 1u);
  EXPECT_EQ(down.modes[0], std::make_pair(int32_t{20}, econ::Mode::kOff));
  up[20] = 1;
  auto repaired = planner->OnAsicHealth(20);
  ASSERT_EQ(repaired.modes.size(), 1u);
  EXPECT_EQ(repaired.modes[0], std::make_pair(int32_t{20}, econ::Mode::kMine));
  EXPECT_EQ(planner->mode(21), econ::Mode::kMine);
  EXPECT_DEATH(planner->OnAsicHealth(0), "");
}

// backfill-mine between rounds: the highest-priced free class, no gain check (a job paying less
// than the mining it displaces still starts, unlike rigshift); its end gives the GPUs back to
// mining, which backfill-mine does whatever the margin.
TEST(IncrementalPlanner, BackfillMineStartsOnTheHighestPricedClass) {
  Fixture f;
  Rng rng(1);
  auto policy = MakePolicy("backfill-mine", f.options);
  std::unique_ptr<IncrementalPlanner> planner;
  (*policy)->DecideIncremental(f.in, rng, &planner);
  ASSERT_NE(planner, nullptr);
  const workload::Job job = MakeJob(1, 2, 16);
  auto d = planner->OnArrival(QueuedJob{&job, job.work_gpu_seconds, 0, f.in.now, 0});
  ASSERT_EQ(d.starts.size(), 1u);
  for (int32_t dev : d.starts[0].devices)
    EXPECT_EQ(f.flat.gpu[static_cast<size_t>(dev)]->name, "H100 SXM5 80GB");
  // 6 H100 left; an 8-GPU job needing 40 GB (H100 only) cannot start: blocked, and the round
  // made no reservation (its queue was empty), so a full round is wanted.
  const workload::Job big = MakeJob(3, 8, 40);
  auto blocked = planner->OnArrival(QueuedJob{&big, big.work_gpu_seconds, 0, f.in.now, 0});
  EXPECT_TRUE(blocked.starts.empty());
  EXPECT_TRUE(blocked.wants_full_round);
  // On a 3090 rig (x1 risers: only a 1-GPU job) a cheap job displaces mining.
  const workload::Job cheap = MakeJob(2, 1, 16, 0.01);
  std::vector<QueuedJob> fill;
  std::vector<workload::Job> h100_fill;
  for (int i = 0; i < 6; ++i) h100_fill.push_back(MakeJob(10 + i, 1, 16));
  for (const auto& j : h100_fill) {
    auto x = planner->OnArrival(QueuedJob{&j, j.work_gpu_seconds, 0, f.in.now, 0});
    ASSERT_EQ(x.starts.size(), 1u);
    EXPECT_FALSE(x.wants_full_round);
  }
  auto c = planner->OnArrival(QueuedJob{&cheap, cheap.work_gpu_seconds, 0, f.in.now, 0});
  ASSERT_EQ(c.starts.size(), 1u);
  const auto dev = static_cast<size_t>(c.starts[0].devices[0]);
  EXPECT_EQ(f.flat.gpu[dev]->name, "GeForce RTX 3090");
  auto e = planner->OnEnd(c.starts[0].devices, {});
  ASSERT_EQ(e.modes.size(), 1u);
  EXPECT_EQ(e.modes[0].second, econ::Mode::kMine);
}

// threshold between rounds: AI as backfill-mine; GPUs freed by a job mine iff their class mined
// in the round (40 USD/MWh is under the 3090's break-even), with the round's reason.
TEST(IncrementalPlanner, ThresholdFreedGpusFollowTheRoundsCurtailment) {
  Fixture f;
  Rng rng(1);
  auto policy = MakePolicy("threshold", f.options);
  std::unique_ptr<IncrementalPlanner> planner;
  const Plan plan = (*policy)->DecideIncremental(f.in, rng, &planner);
  ASSERT_NE(planner, nullptr);
  EXPECT_EQ(plan.mode, (*policy)->Decide(f.in, rng).mode);
  const workload::Job cheap = MakeJob(1, 1, 16, 0.01);  // 16 GB: an H100 (highest price) first
  auto d = planner->OnArrival(QueuedJob{&cheap, cheap.work_gpu_seconds, 0, f.in.now, 0});
  ASSERT_EQ(d.starts.size(), 1u);
  // Free a mining 3090 as if a job had ended there: it mines again under the round's reason.
  int32_t rig_gpu = -1;
  for (size_t dev = 0; dev < f.flat.device_count(); ++dev) {
    if (plan.mode[dev] == econ::Mode::kMine) {
      rig_gpu = static_cast<int32_t>(dev);
      break;
    }
  }
  ASSERT_GE(rig_gpu, 0);
  auto e = planner->OnEnd(std::vector<int32_t>{rig_gpu}, {});
  EXPECT_EQ(planner->mode(static_cast<size_t>(rig_gpu)), econ::Mode::kMine);
  ASSERT_EQ(e.modes.size(), 1u);
  EXPECT_EQ(e.modes[0], std::make_pair(rig_gpu, econ::Mode::kMine));
  EXPECT_EQ(e.mode_reasons[0], plan.device_reason[static_cast<size_t>(rig_gpu)]);
  EXPECT_NE(planner->reasons()[e.mode_reasons[0]].find("threshold"), std::string::npos);
}

}  // namespace
}  // namespace rigshift::sched
