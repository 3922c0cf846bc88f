// The oracle's LP bound over a week, a month, a quarter and a year on the two-site NYISO example
// (S19j Pro, RTX 3090/3080 riser rigs, H100 servers), with a Philly-like job stream (2 jobs per
// hour, 1..8 GPUs, 1..24 h of work): how long `rigshift simulate` waits for its bound.
// Second argument: 0 = the hourly LP, K > 0 = the aggregated LP (daily blocks x K price bins,
// hourly mining; what simulate uses above 31 days). The hourly year takes minutes; the quarter is
// solved both ways so that the aggregation's slack (margin_usd) can be compared in one run.
// Run: build-*/bench/oracle_bench
#include <benchmark/benchmark.h>

#include <cmath>
#include <limits>
#include <vector>

#include "catalog/catalog.h"
#include "core/rng.h"
#include "fleet/loader.h"
#include "sched/oracle.h"

namespace rigshift::sched {
namespace {

struct World {
  fleet::Fleet fleet;
  fleet::FlatFleet flat;
  market::MarketData market;
  TimePoint start = 0;
};

World& TheWorld() {
  static World* w = [] {
    auto* x = new World;
    auto loaded =
        fleet::LoadFleetFile(std::string(RIGSHIFT_SOURCE_DIR) + "/examples/two-site-nyiso.yaml",
                             catalog::Catalog::Builtin());
    RS_CHECK(loaded.ok());
    x->fleet = loaded->fleet;
    x->flat = fleet::Flatten(x->fleet);
    x->start = ParseTimestamp("2023-01-01T00:00:00Z").value();
    Rng rng(3);
    market::PriceSeries ps;
    ps.start = x->start;
    for (int h = 0; h < 8760; ++h) {
      const double daily = 40.0 + 25.0 * std::sin(2 * 3.14159265 * (h % 24) / 24.0);
      ps.values.push_back(UsdPerMwh(daily + (rng.Bernoulli(0.01) ? 800.0 : 0.0)));
    }
    x->market.electricity["nyiso"] = ps;
    x->market.hashprice.start = x->start;
    x->market.hashprice.step = kDay;
    x->market.hashprice.values.assign(365, UsdPerThsDay(0.07));
    market::HashPriceSeries eth = x->market.hashprice;
    eth.values.assign(365, UsdPerThsDay(6000.0));
    x->market.gpu_mining["Ethash"] = eth;
    return x;
  }();
  return *w;
}

void BM_OracleBound(benchmark::State& state) {
  World& x = TheWorld();
  const int hours = static_cast<int>(state.range(0));
  const int bins = static_cast<int>(state.range(1));
  Rng rng(5);
  std::vector<workload::Job> jobs;
  for (int i = 0; i < 2 * hours; ++i) {
    workload::Job j;
    j.id = i + 1;
    j.gpus = static_cast<int32_t>(1 << rng.UniformInt(0, 3));
    j.work_gpu_seconds = static_cast<double>(rng.UniformInt(1, 24)) * kHour * j.gpus;
    j.arrival = x.start + rng.UniformInt(0, static_cast<int64_t>(hours) * kHour - 1);
    jobs.push_back(j);
  }
  OracleInput in;
  in.fleet = &x.fleet;
  in.flat = &x.flat;
  in.market = &x.market;
  in.start = x.start;
  in.hours = hours;
  in.jobs = jobs;
  double margin = 0;
  int columns = 0;
  OracleLimits limits;
  if (bins == 0) {
    limits.aggregate_above_hours = std::numeric_limits<int>::max();
  } else {
    limits.aggregate_above_hours = 0;
    limits.bins_per_block = bins;
  }
  for (auto _ : state) {
    auto r = OracleBound(in, limits);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    margin = r->margin_usd;
    columns = r->columns;
  }
  state.counters["margin_usd"] = margin;
  state.counters["columns"] = columns;
}

BENCHMARK(BM_OracleBound)
    ->Args({168, 0})
    ->Args({720, 0})
    ->Args({2160, 0})
    ->Args({2160, 8})
    ->Args({2160, 4})
    ->Args({8760, 8})
    ->Args({8760, 0})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace rigshift::sched

BENCHMARK_MAIN();
