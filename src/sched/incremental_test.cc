// IncrementalPlanner: one arrival or one end between full rounds decides as rigshift would.
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

struct Fixture {
  fleet::Fleet fleet;
  fleet::FlatFleet flat;
  market::MarketData market;
  PolicyInput in;
  PolicyOptions options;
  Fixture() {
    auto loaded = fleet::LoadFleetText(kFleet, "inc.yaml", catalog::Catalog::Builtin());
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

}  // namespace
}  // namespace rigshift::sched
