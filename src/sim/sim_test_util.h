// Test helpers for sim/ (header only, used by *_test.cc): small fleets built in code, market data
// with known prices, and a scripted policy whose decisions a test controls.
#pragma once

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "fleet/model.h"
#include "market/series.h"
#include "sched/policy.h"
#include "sim/replay.h"
#include "workload/philly_trace.h"
#include "workload/speed_model.h"

namespace rigshift::sim::testing {

// One site ("s0", market "test", PUE 1.0, no adder, grid cap 10 MW) with one node per entry of
// `nodes`, each holding `count` devices of `model` (GPU or ASIC from the builtin catalogue).
struct NodeSpec {
  NodeSpec(std::string m, int c = 1, int lanes = 16, Power host = Power())
      : model(std::move(m)), count(c), pcie_lanes(lanes), host_power(host) {}
  std::string model;
  int count = 1;
  int pcie_lanes = 16;
  Power host_power;
};

inline fleet::Fleet MakeFleet(const std::vector<NodeSpec>& nodes, int64_t pue_milli = 1000) {
  const auto& cat = catalog::Catalog::Builtin();
  fleet::Fleet f;
  f.name = "test";
  fleet::Site site;
  site.id = "s0";
  site.grid_cap = Megawatts(10);
  site.pue_milli = pue_milli;
  site.tariff.market = "test";
  fleet::Hall hall;
  hall.id = "h0";
  fleet::RackGroup rack;
  rack.id = "r0";
  int i = 0;
  for (const auto& n : nodes) {
    fleet::NodeGroup node;
    node.id = "n" + std::to_string(i++);
    node.pcie_lanes_per_gpu = n.pcie_lanes;
    node.host_power = n.host_power;
    node.nic_gbps = 100;
    fleet::DeviceGroup dev;
    dev.model = n.model;
    dev.count = n.count;
    if (const auto* g = cat.FindGpu(n.model)) {
      dev.kind = catalog::DeviceKind::kGpu;
      dev.gpu = g;
    } else {
      dev.kind = catalog::DeviceKind::kAsic;
      dev.asic = cat.FindAsic(n.model);
    }
    node.devices.push_back(dev);
    rack.nodes.push_back(node);
  }
  hall.racks.push_back(rack);
  site.halls.push_back(hall);
  f.sites.push_back(site);
  return f;
}

// Hourly electricity prices (USD/MWh) from `start`, a constant hashprice (USD/TH/day).
inline market::MarketData MakeMarket(TimePoint start, const std::vector<double>& usd_per_mwh,
                                     double hashprice_usd_per_th_day) {
  market::MarketData m;
  market::PriceSeries p;
  p.name = "test";
  p.start = start;
  p.step = kHour;
  for (double v : usd_per_mwh) p.values.push_back(UsdPerMwh(v));
  m.electricity["test"] = p;
  m.hashprice.name = "hashprice";
  m.hashprice.start = start - 10 * kDay;
  m.hashprice.step = kDay;
  m.hashprice.values.assign(40, UsdPerThsDay(hashprice_usd_per_th_day));
  m.description = "test market";
  return m;
}

// A policy the test controls: starts queued jobs first-come on free devices of one model where
// they run (rate > 0); every other up device goes to `other_mode`. `preempt(now, running job)`
// returns true to preempt it; `may_start(now, job)` vetoes starts.
class ScriptedPolicy : public sched::Policy {
 public:
  explicit ScriptedPolicy(const workload::SpeedModel* speed) : speed_(speed) {}
  std::string_view name() const override { return "scripted"; }
  econ::Mode other_mode = econ::Mode::kMine;
  std::function<bool(TimePoint, const workload::Job&)> preempt;
  std::function<bool(TimePoint, const workload::Job&)> may_start;
  mutable std::vector<TimePoint> calls;  // when Decide ran (test-only observation)
  mutable std::vector<EnergyPrice> prices_seen;

  sched::Plan Decide(const sched::PolicyInput& in, Rng&) const override {
    calls.push_back(in.now);
    if (in.market && !in.market->electricity.empty()) {
      prices_seen.push_back(in.market->electricity.begin()->second.At(in.now));
    }
    const auto& flat = *in.flat;
    const size_t n = flat.device_count();
    sched::Plan plan;
    plan.reasons.push_back("scripted");
    plan.mode.assign(n, other_mode);
    plan.device_reason.assign(n, 0);
    std::vector<uint8_t> busy(n, 0);
    for (size_t d = 0; d < n; ++d) {
      if (!in.device_up.empty() && !in.device_up[d]) {
        busy[d] = 1;
        plan.mode[d] = econ::Mode::kOff;
      }
      if (flat.kind[d] == catalog::DeviceKind::kGpu && other_mode == econ::Mode::kMine &&
          flat.gpu[d]->mining.empty()) {
        plan.mode[d] = econ::Mode::kIdle;
      }
    }
    for (size_t r = 0; r < in.running.size(); ++r) {
      const auto& rj = in.running[r];
      if (preempt && preempt(in.now, *rj.job)) {
        plan.preemptions.push_back({rj.job->id, static_cast<int32_t>(r), 0});
        continue;
      }
      for (int32_t d : rj.devices) {
        busy[static_cast<size_t>(d)] = 1;
        plan.mode[static_cast<size_t>(d)] = econ::Mode::kAi;
      }
    }
    std::vector<size_t> order(in.queue.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const auto* ja = in.queue[a].job;
      const auto* jb = in.queue[b].job;
      return ja->arrival != jb->arrival ? ja->arrival < jb->arrival : ja->id < jb->id;
    });
    for (size_t qi : order) {
      const auto& q = in.queue[qi];
      if (may_start && !may_start(in.now, *q.job)) continue;
      std::vector<int32_t> chosen;
      for (size_t d = 0; d < n && static_cast<int32_t>(chosen.size()) < q.job->gpus; ++d) {
        if (busy[d] || flat.gpu[d] == nullptr) continue;
        if (!chosen.empty() && flat.gpu[d] != flat.gpu[static_cast<size_t>(chosen[0])]) continue;
        if (speed_->Rate(*q.job, *flat.gpu[d]) <= 0) continue;
        chosen.push_back(static_cast<int32_t>(d));
      }
      if (static_cast<int32_t>(chosen.size()) != q.job->gpus) continue;
      for (int32_t d : chosen) {
        busy[static_cast<size_t>(d)] = 1;
        plan.mode[static_cast<size_t>(d)] = econ::Mode::kAi;
      }
      plan.starts.push_back({q.job->id, static_cast<int32_t>(qi), chosen, 0});
    }
    return plan;
  }

 private:
  const workload::SpeedModel* speed_;
};

// The Philly trace in the shared data (RIGSHIFT_SHARED_DATA overrides the build's default).
inline std::string PhillyTracePath() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  const std::string base = env && *env ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
  return base + "/traces/sia_sosp23/traces/philly.csv";
}

// A loaded Philly-derived workload: the first 1,500 jobs of up to 4 GPUs from the trace's busiest
// stretch (from 2017-10-04), replayed once from `t0` with their relative arrivals (about 3 days),
// needs assigned with the default NeedsOptions. Errors: the trace cannot be read.
inline Result<std::vector<workload::Job>> PhillyBusyStretch(TimePoint t0) {
  ASSIGN_OR_RETURN(auto trace, workload::LoadPhillyTrace(PhillyTracePath()));
  const TimePoint from = *ParseTimestamp("2017-10-04");
  std::vector<workload::Job> part;
  for (const auto& j : trace) {
    if (j.arrival >= from && j.gpus <= 4 && part.size() < 1500) part.push_back(j);
  }
  ReplayOptions ro;
  ro.start = t0;
  ro.end = t0 + 3 * kDay;
  ro.load = 1.0;
  ro.repeat = false;
  ASSIGN_OR_RETURN(auto jobs, ReplayIntoWindow(part, ro));
  AssignJobNeeds(jobs, {});
  return jobs;
}

}  // namespace rigshift::sim::testing
