// One full planning round of the default policy (rigshift) for 100,000 devices and 10,000 queued
// jobs (issue 4: target under 100 ms on one core), with baselines in the same run: mine-only
// (no AI), backfill-mine, the same round without a prebuilt FleetIndex, and the index build alone.
//
// The fleet is built programmatically: 4 sites (ERCOT, NYISO, PJM, CAISO), each with 25,000
// devices: 1,250 x1-riser rigs of 8 consumer GPUs (RTX 3090 / 3080 / 3070), 250 NVLink servers of
// 8 H100 SXM, 250 of 8 A100 SXM4 80GB, 500 x16 servers of 4 RTX 4090, 9,000 ASICs (S19 Pro and
// S21) - 64,000 GPUs in all - on grid caps below nameplate so that the envelope binds.
// The state: 5,000 jobs already running (placed by a first rigshift round) and 10,000 queued,
// Philly-like gang sizes (1: 60%, 2: 10%, 4: 15%, 8: 12%, 16 over the network: 3%), memory
// needs 0/16/40/80 GB, NVLink for half of the 8-GPU gangs, 1..12 h of work.
// Run: build-*/bench/plan_round_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "catalog/catalog.h"
#include "core/rng.h"
#include "fleet/model.h"
#include "market/series.h"
#include "sched/fleet_index.h"
#include "sched/incremental.h"
#include "sched/policy.h"
#include "workload/job.h"

namespace rigshift::sched {
namespace {

fleet::DeviceGroup Gpu(const char* name, int count) {
  fleet::DeviceGroup g;
  g.model = name;
  g.count = count;
  g.kind = catalog::DeviceKind::kGpu;
  g.gpu = catalog::Catalog::Builtin().FindGpu(name);
  RS_CHECK(g.gpu != nullptr);
  return g;
}

fleet::DeviceGroup Asic(const char* name) {
  fleet::DeviceGroup g;
  g.model = name;
  g.count = 1;
  g.kind = catalog::DeviceKind::kAsic;
  g.asic = catalog::Catalog::Builtin().FindAsic(name);
  RS_CHECK(g.asic != nullptr);
  return g;
}

fleet::NodeGroup Node(const char* id, int count, int lanes, bool nvlink, double nic, double host_w,
                      fleet::DeviceGroup dev) {
  fleet::NodeGroup n;
  n.id = id;
  n.count = count;
  n.pcie_lanes_per_gpu = lanes;
  n.nvlink = nvlink;
  n.nic_gbps = nic;
  n.host_power = Watts(host_w);
  n.cpu_cores = 8;
  n.ram_gb = 64;
  n.devices.push_back(std::move(dev));
  return n;
}

fleet::RackGroup Rack(const char* id, int count, fleet::NodeGroup node) {
  fleet::RackGroup r;
  r.id = id;
  r.count = count;
  r.nodes.push_back(std::move(node));
  return r;
}

struct World {
  fleet::Fleet fleet;
  fleet::FlatFleet flat;
  std::unique_ptr<FleetIndex> index;
  market::MarketData market;
  std::vector<workload::Job> jobs;  // running first, then queued
  std::vector<QueuedJob> queue;
  std::vector<std::vector<int32_t>> running_devices;
  std::vector<RunningJob> running;
  std::vector<econ::Mode> current;
  TimePoint now = 0;
};

World& TheWorld() {
  static World* w = [] {
    auto* world = new World;
    World& x = *world;
    const char* markets[] = {"ercot", "nyiso", "pjm", "caiso"};
    x.now = ParseTimestamp("2023-07-15T12:00:00Z").value();
    for (int s = 0; s < 4; ++s) {
      fleet::Site site;
      site.id = std::string("site-") + markets[s];
      site.grid_cap = Megawatts(30.0);
      site.pue_milli = 1150;
      site.tariff.market = markets[s];
      fleet::Hall hall;
      hall.id = "hall";
      hall.racks.push_back(
          Rack("rig3090", 50, Node("rig", 10, 1, false, 1, 200, Gpu("RTX 3090", 8))));
      hall.racks.push_back(
          Rack("rig3080", 50, Node("rig", 10, 1, false, 1, 180, Gpu("RTX 3080", 8))));
      hall.racks.push_back(
          Rack("rig3070", 25, Node("rig", 10, 1, false, 1, 150, Gpu("RTX 3070", 8))));
      hall.racks.push_back(
          Rack("h100", 63, Node("hgx", 4, 16, true, 400, 1500, Gpu("H100 SXM", 8))));
      hall.racks.push_back(
          Rack("a100", 63, Node("hgx", 4, 16, true, 200, 1200, Gpu("A100 SXM4 80GB", 8))));
      hall.racks.push_back(
          Rack("ws4090", 125, Node("ws", 4, 16, false, 25, 300, Gpu("RTX 4090", 4))));
      hall.racks.push_back(Rack("s19", 225, Node("m", 20, 16, false, 0, 0, Asic("S19 Pro"))));
      hall.racks.push_back(Rack("s21", 225, Node("m", 20, 16, false, 0, 0, Asic("S21"))));
      site.halls.push_back(std::move(hall));
      x.fleet.sites.push_back(std::move(site));
    }
    x.flat = fleet::Flatten(x.fleet);
    x.index = std::make_unique<FleetIndex>(FleetIndex::Build(x.flat));

    // Markets: hourly prices around the day, hashprice, GPU mining, GPU-hour prices.
    const TimePoint day = StartOfDay(x.now);
    for (int s = 0; s < 4; ++s) {
      market::PriceSeries ps;
      ps.name = markets[s];
      ps.start = day;
      for (int h = 0; h < 72; ++h)
        ps.values.push_back(
            UsdPerMwh(25.0 + 10.0 * s + (h % 24 >= 16 && h % 24 <= 20 ? 120.0 : 0.0)));
      x.market.electricity[markets[s]] = ps;
    }
    x.market.hashprice.start = day;
    x.market.hashprice.step = kDay;
    x.market.hashprice.values.assign(3, UsdPerThsDay(0.07));
    market::HashPriceSeries eth;
    eth.start = day;
    eth.step = kDay;
    eth.values.assign(3, UsdPerThsDay(6000.0));
    x.market.gpu_mining["Ethash"] = eth;

    // Jobs.
    Rng rng(42);
    const int kRunning = 5000, kQueued = 10000;
    x.jobs.reserve(kRunning + kQueued);
    for (int i = 0; i < kRunning + kQueued; ++i) {
      workload::Job j;
      j.id = i + 1;
      const double u = rng.Uniform();
      j.gpus = u < 0.60 ? 1 : u < 0.70 ? 2 : u < 0.85 ? 4 : u < 0.97 ? 8 : 16;
      const double m = rng.Uniform();
      j.min_memory_gb = m < 0.5 ? 0 : m < 0.8 ? 16 : m < 0.95 ? 40 : 80;
      if (j.gpus == 8 && rng.Bernoulli(0.5)) j.interconnect = workload::Interconnect::kNvlink;
      if (j.gpus == 16) {
        j.interconnect = workload::Interconnect::kNetwork;
        j.network_gbps = 100;
      }
      j.work_gpu_seconds = static_cast<double>(rng.UniformInt(1, 12)) * kHour * j.gpus;
      j.arrival = x.now - rng.UniformInt(0, 48) * kHour;
      x.jobs.push_back(j);
    }
    // A first round places the first 5,000 as running.
    std::vector<QueuedJob> first;
    for (int i = 0; i < kRunning; ++i) {
      QueuedJob q;
      q.job = &x.jobs[static_cast<size_t>(i)];
      q.remaining_work = q.job->work_gpu_seconds;
      q.queued_since = q.job->arrival;
      first.push_back(q);
    }
    PolicyInput in;
    in.fleet = &x.fleet;
    in.flat = &x.flat;
    in.index = x.index.get();
    in.market = &x.market;
    in.now = x.now;
    in.queue = first;
    auto policy = MakePolicy("rigshift", PolicyOptions{});
    Rng r(1);
    Plan plan = (*policy)->Decide(in, r);
    x.current = plan.mode;
    x.running_devices.reserve(plan.starts.size());
    for (const JobStart& s : plan.starts) x.running_devices.push_back(s.devices);
    for (size_t k = 0; k < plan.starts.size(); ++k) {
      RunningJob rj;
      rj.job = first[static_cast<size_t>(plan.starts[k].queue_index)].job;
      rj.devices = x.running_devices[k];
      rj.start = x.now - kHour;
      rj.last_checkpoint = x.now - 10 * kMinute;
      rj.remaining_work = rj.job->work_gpu_seconds * 0.5;
      x.running.push_back(rj);
    }
    for (int i = kRunning; i < kRunning + kQueued; ++i) {
      QueuedJob q;
      q.job = &x.jobs[static_cast<size_t>(i)];
      q.remaining_work = q.job->work_gpu_seconds;
      q.queued_since = q.job->arrival;
      x.queue.push_back(q);
    }
    return world;
  }();
  return *w;
}

PolicyInput InputOf(World& x, bool with_index) {
  PolicyInput in;
  in.fleet = &x.fleet;
  in.flat = &x.flat;
  in.index = with_index ? x.index.get() : nullptr;
  in.current_mode = x.current;
  in.market = &x.market;
  in.now = x.now;
  in.queue = x.queue;
  in.running = x.running;
  return in;
}

void RunPolicy(benchmark::State& state, const char* name, bool with_index) {
  World& x = TheWorld();
  auto policy = MakePolicy(name, PolicyOptions{});
  RS_CHECK(policy.ok());
  const PolicyInput in = InputOf(x, with_index);
  Rng rng(7);
  size_t starts = 0, ai = 0;
  for (auto _ : state) {
    Plan plan = (*policy)->Decide(in, rng);
    starts = plan.starts.size();
    benchmark::DoNotOptimize(plan.mode.data());
    ai = 0;
    for (econ::Mode m : plan.mode) ai += m == econ::Mode::kAi;
  }
  state.counters["devices"] = static_cast<double>(x.flat.device_count());
  state.counters["queued"] = static_cast<double>(x.queue.size());
  state.counters["running"] = static_cast<double>(x.running.size());
  state.counters["starts"] = static_cast<double>(starts);
  state.counters["ai_gpus"] = static_cast<double>(ai);
}

void BM_RigshiftRound(benchmark::State& state) { RunPolicy(state, "rigshift", true); }
void BM_RigshiftRoundBuildingIndex(benchmark::State& state) { RunPolicy(state, "rigshift", false); }
void BM_BackfillMineRound(benchmark::State& state) { RunPolicy(state, "backfill-mine", true); }
void BM_MineOnlyRound(benchmark::State& state) { RunPolicy(state, "mine-only", true); }

// One job arrives (placed by IncrementalPlanner: a 2-GPU job, 16 GB) and then ends (its GPUs go
// back to mining, with the head of the queue tried first): two events per iteration.
void BM_IncrementalArrivalThenEnd(benchmark::State& state) {
  World& x = TheWorld();
  const PolicyOptions options;
  const PolicyInput in = InputOf(x, true);
  auto policy = MakePolicy("rigshift", options);
  Rng rng(7);
  const Plan plan = (*policy)->Decide(in, rng);
  IncrementalPlanner planner(in, options, plan);
  workload::Job job;
  job.id = 999999;
  job.gpus = 2;
  job.min_memory_gb = 16;
  job.work_gpu_seconds = 4.0 * kHour * 2;
  const QueuedJob q{&job, job.work_gpu_seconds, 0, x.now, 0};
  // The head of the waiting queue: jobs the round left waiting (none fit, typically).
  std::vector<QueuedJob> head;
  for (const JobWait& w : plan.waits) {
    if (w.queue_index >= 0 && head.size() < 8)
      head.push_back(x.queue[static_cast<size_t>(w.queue_index)]);
  }
  size_t started = 0;
  for (auto _ : state) {
    auto arrival = planner.OnArrival(q);
    started += arrival.starts.size();
    if (!arrival.starts.empty()) {
      auto end = planner.OnEnd(arrival.starts[0].devices, head);
      // Jobs of the head that started now run: the caller takes them out of its queue.
      for (const JobStart& s : end.starts) {
        head.erase(std::remove_if(head.begin(), head.end(),
                                  [&](const QueuedJob& h) { return h.job->id == s.job; }),
                   head.end());
      }
      benchmark::DoNotOptimize(end.modes.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2);
  state.counters["arrivals_started"] = static_cast<double>(started);
}

void BM_FleetIndexBuild(benchmark::State& state) {
  World& x = TheWorld();
  for (auto _ : state) {
    FleetIndex ix = FleetIndex::Build(x.flat);
    benchmark::DoNotOptimize(ix.classes().data());
  }
}

BENCHMARK(BM_RigshiftRound)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RigshiftRoundBuildingIndex)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BackfillMineRound)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MineOnlyRound)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FleetIndexBuild)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IncrementalArrivalThenEnd)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rigshift::sched

BENCHMARK_MAIN();
