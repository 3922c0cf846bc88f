// One simulated year over a 20,000-device fleet (issue 4, item 5): hourly ERCOT 2022 prices from
// ../shared/data, the 82,247-job Philly trace replayed over the year (about 3.3 copies, ~270k
// arrivals), device failures on. The fleet is built in code: one ERCOT site with
//   13,000 Antminer S19 XP (one per controller node),
//    5,000 RTX 3090 on 8-GPU x1-riser mining rigs (625 rigs),
//    2,000 A100 SXM4 80GB in 8-GPU NVLink servers (250 servers).
// Each policy runs the whole year once (wall time, one core); `mine-only` is the baseline in the
// same run. By default (EngineOptions::incremental) full planning rounds run on price changes,
// epochs, failures/repairs and demand response, and arrivals and completions are decided at once
// by the policy's IncrementalPlanner; the `*_full_rounds` rows turn that off (every decision
// point a full round, at most every 15 min: the engine before the planner was wired in), and
// `rigshift_hourly_full_rounds` plans only at the hourly epochs.
// (`--benchmark_filter=BM_SimYear/rigshift/` runs one row.)
// Counters: simulated events, events per second, full planning rounds, incremental decisions,
// jobs finished, mean and p99 queueing delay (minutes), mean JCT (hours), net margin (M$).
//
//   build-*/bench/sim_year_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "fleet/model.h"
#include "market/market_data.h"
#include "sched/policy.h"
#include "sim/engine.h"
#include "sim/replay.h"
#include "workload/philly_trace.h"
#include "workload/speed_model.h"

namespace rigshift {
namespace {

std::string SharedData() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  return env && *env ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
}

fleet::NodeGroup Node(const std::string& id, int count, const char* model, int per_node, int lanes,
                      bool nvlink, double host_w, double nic) {
  const auto& cat = catalog::Catalog::Builtin();
  fleet::NodeGroup n;
  n.id = id;
  n.count = count;
  n.pcie_lanes_per_gpu = lanes;
  n.nvlink = nvlink;
  n.host_power = Watts(host_w);
  n.nic_gbps = nic;
  fleet::DeviceGroup d;
  d.model = model;
  d.count = per_node;
  if (const auto* g = cat.FindGpu(model)) {
    d.kind = catalog::DeviceKind::kGpu;
    d.gpu = g;
  } else {
    d.kind = catalog::DeviceKind::kAsic;
    d.asic = cat.FindAsic(model);
  }
  n.devices.push_back(d);
  return n;
}

fleet::Fleet BuildFleet() {
  fleet::Fleet f;
  f.name = "bench-20k";
  fleet::Site s;
  s.id = "ercot-site";
  s.grid_cap = Megawatts(60);
  s.pue_milli = 1100;
  s.tariff.market = "ercot";
  s.tariff.adder = UsdPerMwh(7.5);
  fleet::Hall h;
  h.id = "hall";
  fleet::RackGroup asics;
  asics.id = "asic";
  asics.count = 100;
  asics.nodes.push_back(Node("s19xp", 130, "Antminer S19 XP", 1, 16, false, 0, 1));
  fleet::RackGroup rigs;
  rigs.id = "rigs";
  rigs.count = 125;
  rigs.nodes.push_back(Node("rig", 5, "RTX 3090", 8, 1, false, 150, 1));
  fleet::RackGroup dgx;
  dgx.id = "dgx";
  dgx.count = 125;
  dgx.nodes.push_back(Node("a100", 2, "A100 SXM4 80GB", 8, 16, true, 1500, 200));
  h.racks = {asics, rigs, dgx};
  s.halls.push_back(h);
  f.sites.push_back(s);
  return f;
}

struct World {
  fleet::Fleet fleet;
  fleet::FlatFleet flat;
  market::MarketData market;
  std::vector<workload::Job> jobs;
  std::unique_ptr<workload::SpeedModel> speed;
  bool ok = false;
  std::string error;
};

const World& GetWorld() {
  static World* w = [] {
    auto* world = new World;
    const std::string data = SharedData();
    world->fleet = BuildFleet();
    world->flat = fleet::Flatten(world->fleet);
    market::MarketDataOptions mo;
    mo.data_dir = data;
    mo.markets = {"ercot"};
    mo.from_year = 2022;
    mo.to_year = 2022;
    auto md = market::LoadMarketData(mo);
    if (!md.ok()) {
      world->error = md.status().ToString();
      return world;
    }
    world->market = std::move(*md);
    auto trace = workload::LoadPhillyTrace(data + "/traces/sia_sosp23/traces/philly.csv");
    if (!trace.ok()) {
      world->error = trace.status().ToString();
      return world;
    }
    sim::ReplayOptions ro;
    ro.start = YearStart(2022);
    ro.end = YearStart(2023);
    auto jobs = sim::ReplayIntoWindow(*trace, ro);
    if (!jobs.ok()) {
      world->error = jobs.status().ToString();
      return world;
    }
    world->jobs = std::move(*jobs);
    sim::AssignJobNeeds(world->jobs, {});
    world->speed = std::make_unique<workload::SpeedModel>();
    for (const auto* g : world->flat.gpu) {
      if (g) world->speed->Register(*g);
    }
    world->ok = true;
    return world;
  }();
  return *w;
}

void BM_SimYear(benchmark::State& state, const char* policy_name, Duration decision_gap,
                bool incremental) {
  const World& w = GetWorld();
  if (!w.ok) {
    state.SkipWithError(("reference data: " + w.error).c_str());
    return;
  }
  sched::PolicyOptions po;
  po.speed = w.speed.get();
  auto policy = sched::MakePolicy(policy_name, po);
  if (!policy.ok()) {
    state.SkipWithError(policy.status().ToString().c_str());
    return;
  }
  sim::EngineOptions eo;
  eo.start = YearStart(2022);
  eo.end = YearStart(2023);
  // RIGSHIFT_BENCH_DAYS shortens the run (for profiling); the reported figure is the full year.
  if (const char* d = std::getenv("RIGSHIFT_BENCH_DAYS"); d && *d)
    eo.end = eo.start + std::atoi(d) * kDay;
  eo.seed = 1;
  eo.min_decision_gap = decision_gap;
  eo.incremental = incremental;
  sim::SimInputs in{&w.fleet, &w.flat, &w.market, &w.jobs, w.speed.get()};
  int64_t events = 0, decisions = 0, incremental_decisions = 0, finished = 0;
  double margin = 0, queue_delay_s = 0, p99_queue_delay_s = 0, jct_s = 0;
  for (auto _ : state) {
    auto r = sim::Simulate(in, **policy, po, eo);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    events = r->stats.events;
    decisions = r->stats.decisions;
    incremental_decisions = r->stats.incremental_decisions;
    queue_delay_s = r->jobs.avg_queue_delay_s;
    p99_queue_delay_s = r->jobs.p99_queue_delay_s;
    jct_s = r->jobs.avg_jct_s;
    finished = r->jobs.finished;
    margin = ToUsd(r->totals.net_margin());
  }
  state.counters["devices"] = static_cast<double>(w.flat.device_count());
  state.counters["jobs"] = static_cast<double>(w.jobs.size());
  state.counters["events"] = static_cast<double>(events);
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.counters["rounds"] = static_cast<double>(decisions);
  state.counters["incremental"] = static_cast<double>(incremental_decisions);
  state.counters["queue_min"] = queue_delay_s / 60.0;
  state.counters["p99_queue_min"] = p99_queue_delay_s / 60.0;
  state.counters["jct_h"] = jct_s / 3600.0;
  state.counters["finished"] = static_cast<double>(finished);
  state.counters["margin_musd"] = margin / 1e6;
}

// The engine's defaults: incremental decisions between full rounds; event-triggered full rounds
// at most every 15 min.
#define SIM_YEAR(name, policy, gap, incremental)                \
  BENCHMARK_CAPTURE(BM_SimYear, name, policy, gap, incremental) \
      ->Iterations(1)                                           \
      ->Unit(benchmark::kSecond)                                \
      ->UseRealTime()
SIM_YEAR(mine_only_baseline, "mine-only", 900, true);
SIM_YEAR(backfill_mine, "backfill-mine", 900, true);
SIM_YEAR(threshold, "threshold", 900, true);
SIM_YEAR(rigshift, "rigshift", 900, true);
// Every decision point a full round (the engine before IncrementalPlanner was wired in).
SIM_YEAR(mine_only_full_rounds, "mine-only", 900, false);
SIM_YEAR(rigshift_full_rounds, "rigshift", 900, false);
// Planning only at the hourly epochs (and price changes): the trade between fidelity and speed.
SIM_YEAR(rigshift_hourly_full_rounds, "rigshift", 3600, false);
#undef SIM_YEAR

}  // namespace
}  // namespace rigshift

BENCHMARK_MAIN();
