// The oracle: on tiny instances the exact MIP equals a brute-force optimum of the same slotted
// model, and the LP bound is never below it; the same on seeded random small instances.
#include "sched/oracle.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "catalog/catalog.h"
#include "core/rng.h"
#include "fleet/loader.h"
#include "gtest/gtest.h"

namespace rigshift::sched {
namespace {

// One site: a riser rig of 2 RTX 3090 (host 100 W), an NVLink node of 2 A100 80GB (host 200 W),
// and one S19 Pro; the grid cap is set per instance.
std::string FleetYaml(double cap_mw) {
  return R"(version: 1
name: tiny
sites:
  - id: s
    grid_cap_mw: )" +
         std::to_string(cap_mw) + R"(
    pue: 1.2
    cooling: {kind: air}
    tariff: {market: ercot}
    halls:
      - id: h
        racks:
          - id: r
            nodes:
              - {id: rig, riser: x1, host_power_w: 100, cpu_cores: 2, ram_gb: 8, devices: [{model: RTX 3090, count: 2}]}
              - {id: hgx, riser: x16, nvlink: true, host_power_w: 200, cpu_cores: 32, ram_gb: 512, devices: [{model: A100 SXM4 80GB, count: 2}]}
              - {id: asic, devices: [{model: S19 Pro}]}
)";
}

struct Instance {
  fleet::Fleet fleet;
  fleet::FlatFleet flat;
  market::MarketData market;
  std::vector<workload::Job> jobs;
  TimePoint start = 0;
  int hours = 3;
};

Instance Make(double cap_mw, const std::vector<double>& prices, std::vector<workload::Job> jobs) {
  Instance x;
  auto loaded = fleet::LoadFleetText(FleetYaml(cap_mw), "tiny.yaml", catalog::Catalog::Builtin());
  RS_CHECK(loaded.ok());
  x.fleet = loaded->fleet;
  x.flat = fleet::Flatten(x.fleet);
  x.start = ParseTimestamp("2023-07-01T00:00:00Z").value();
  x.hours = static_cast<int>(prices.size());
  market::PriceSeries ps;
  ps.start = x.start;
  for (double p : prices) ps.values.push_back(UsdPerMwh(p));
  x.market.electricity["ercot"] = ps;
  x.market.hashprice.start = x.start;
  x.market.hashprice.step = kDay;
  x.market.hashprice.values = {UsdPerThsDay(0.06)};
  market::HashPriceSeries eth;
  eth.start = x.start;
  eth.step = kDay;
  eth.values = {UsdPerThsDay(10526.3)};  // an RTX 3090 earns 0.05 USD/h
  x.market.gpu_mining["Ethash"] = eth;
  x.market.gpu_prices.by_model["GeForce RTX 3090"] = UsdPerGpuHour(0.30);
  x.market.gpu_prices.by_model["A100 SXM4 80GB"] = UsdPerGpuHour(1.60);
  x.jobs = std::move(jobs);
  return x;
}

workload::Job J(int64_t id, int gpus, double work_hours, double arrival_hour, TimePoint start,
                double mem = 0, double price = 0) {
  workload::Job j;
  j.id = id;
  j.gpus = gpus;
  j.work_gpu_seconds = work_hours * 3600.0 * gpus;
  j.arrival = start + static_cast<int64_t>(arrival_hour * kHour);
  j.min_memory_gb = mem;
  if (price > 0) j.price = UsdPerGpuHour(price);
  return j;
}

OracleInput InputOf(const Instance& x) {
  OracleInput in;
  in.fleet = &x.fleet;
  in.flat = &x.flat;
  in.market = &x.market;
  in.start = x.start;
  in.hours = x.hours;
  in.jobs = x.jobs;
  return in;
}

// Enumerates every schedule of the slotted model (oracle.h): each job-hour off or on one feasible
// class, then per site-hour every mining count and node-on count.
double BruteForce(const OracleModel& m) {
  const auto hours = static_cast<size_t>(m.hours);
  const size_t classes = m.classes.size();
  // Decision slots: (job, hour) with its options.
  struct JobHour {
    size_t job, hour;
    std::vector<int> options;  // -1 = not running, else class
  };
  std::vector<JobHour> slots;
  for (size_t j = 0; j < m.jobs.size(); ++j) {
    for (size_t t = static_cast<size_t>(m.jobs[j].first_hour_exact); t < hours; ++t) {
      JobHour jh{j, t, {-1}};
      for (size_t c = 0; c < classes; ++c) {
        if (m.jobs[j].rate[c] > 0 && m.classes[c].devices >= m.jobs[j].gpus)
          jh.options.push_back(static_cast<int>(c));
      }
      slots.push_back(jh);
    }
  }
  std::vector<int> choice(slots.size(), -1);
  double best = -1e300;
  // Best value of one site-hour given the AI devices used per class (exhaustive).
  auto best_hour = [&](size_t t, const std::vector<int>& ai_used) {
    double total = 0;
    for (int s = 0; s < m.sites; ++s) {
      std::vector<size_t> cs;
      for (size_t c = 0; c < classes; ++c) {
        if (m.classes[c].site == s && m.classes[c].devices > 0) cs.push_back(c);
      }
      double site_best = -1e300;
      std::vector<int> mine(cs.size(), 0), nodes(cs.size(), 0);
      std::function<void(size_t)> rec = [&](size_t k) {
        if (k == cs.size()) {
          double power = 0, value = 0;
          for (size_t i = 0; i < cs.size(); ++i) {
            const OracleClass& oc = m.classes[cs[i]];
            const int active = mine[i] + ai_used[cs[i]];
            if (active > oc.devices) return;
            if (oc.host_power_w > 0 && nodes[i] * oc.devices_per_node < active) return;
            power += mine[i] * oc.mine_power_w + ai_used[cs[i]] * oc.ai_power_w +
                     nodes[i] * oc.host_power_w;
            value += mine[i] * oc.mine_margin[t] - ai_used[cs[i]] * oc.ai_cost[t] -
                     nodes[i] * oc.host_cost[t];
          }
          if (power > m.site_it_cap_w[static_cast<size_t>(s)][t] + 1e-9) return;
          site_best = std::max(site_best, value);
          return;
        }
        const OracleClass& oc = m.classes[cs[k]];
        const int max_mine = oc.can_mine ? oc.devices : 0;
        const int max_nodes = oc.host_power_w > 0 ? oc.nodes : 0;
        for (int a = 0; a <= max_mine; ++a) {
          for (int n = 0; n <= max_nodes; ++n) {
            mine[k] = a;
            nodes[k] = n;
            rec(k + 1);
          }
        }
      };
      rec(0);
      if (site_best < -1e299) return -1e300;  // infeasible
      total += site_best;
    }
    return total;
  };
  std::function<void(size_t)> enumerate = [&](size_t k) {
    if (k == slots.size()) {
      // Work per job.
      std::vector<double> work(m.jobs.size(), 0.0);
      std::vector<std::vector<int>> used(hours, std::vector<int>(classes, 0));
      double value = 0;
      for (size_t i = 0; i < slots.size(); ++i) {
        if (choice[i] < 0) continue;
        const OracleJob& oj = m.jobs[slots[i].job];
        const auto c = static_cast<size_t>(choice[i]);
        work[slots[i].job] += 3600.0 * oj.rate[c] * oj.gpus;
        used[slots[i].hour][c] += oj.gpus;
        value += oj.gpus * oj.price[c];
      }
      for (size_t j = 0; j < m.jobs.size(); ++j) {
        if (work[j] > m.jobs[j].work + 1e-6) return;
      }
      for (size_t t = 0; t < hours; ++t) {
        const double h = best_hour(t, used[t]);
        if (h < -1e299) return;
        value += h;
      }
      best = std::max(best, value);
      return;
    }
    for (int o : slots[k].options) {
      choice[k] = o;
      enumerate(k + 1);
    }
    choice[k] = -1;
  };
  enumerate(0);
  return best;
}

void ExpectExactEqualsBruteAndBoundAbove(const Instance& x, const std::string& what) {
  const OracleModel model = BuildOracleModel(InputOf(x));
  auto exact = SolveExact(model);
  ASSERT_TRUE(exact.ok()) << what << ": " << exact.status().ToString();
  auto bound = SolveBound(model);
  ASSERT_TRUE(bound.ok()) << what << ": " << bound.status().ToString();
  const double brute = BruteForce(model);
  EXPECT_NEAR(exact->margin_usd, brute, 1e-6 * std::max(1.0, std::fabs(brute))) << what;
  EXPECT_GE(bound->margin_usd, exact->margin_usd - 1e-6) << what;
}

TEST(Oracle, TinyInstanceExactEqualsBruteForceAndBoundIsAbove) {
  // Prices: cheap, spike, medium; a 2-GPU job of 2 hours at the start and a 1-GPU 80 GB job
  // arriving in hour 1; the grid cap leaves room for the ASIC or the AI node, not both.
  const TimePoint start = ParseTimestamp("2023-07-01T00:00:00Z").value();
  Instance x =
      Make(0.0045, {30, 900, 60}, {J(1, 2, 2.0, 0.0, start), J(2, 1, 1.0, 0.5, start, /*mem=*/40)});
  ExpectExactEqualsBruteAndBoundAbove(x, "tiny");
  const OracleModel model = BuildOracleModel(InputOf(x));
  ASSERT_EQ(model.classes.size(), 3u);
  // The exact optimum runs AI somewhere: A100 at 1.60 USD/GPU-h beats everything here.
  auto exact = SolveExact(model);
  ASSERT_TRUE(exact.ok());
  EXPECT_GT(exact->ai_gpu_hours, 0.0);
}

TEST(Oracle, BoundCoversArrivalsWithinTheHourThatTheSlottedModelCannotUse) {
  // A job that arrives mid-hour can only start next hour in the slotted model; the bound lets it
  // work in its arrival hour, so bound > exact here (a looseness the header explains).
  const TimePoint start = ParseTimestamp("2023-07-01T00:00:00Z").value();
  Instance x = Make(1.0, {30}, {J(1, 2, 1.0, 0.5, start, 40)});
  const OracleModel model = BuildOracleModel(InputOf(x));
  auto exact = SolveExact(model);
  auto bound = SolveBound(model);
  ASSERT_TRUE(exact.ok() && bound.ok());
  EXPECT_GT(bound->margin_usd, exact->margin_usd + 1.0);
}

TEST(Oracle, RandomSmallInstances) {
  Rng rng(20231127);
  const TimePoint start = ParseTimestamp("2023-07-01T00:00:00Z").value();
  for (int i = 0; i < 25; ++i) {
    const int hours = static_cast<int>(rng.UniformInt(2, 3));
    std::vector<double> prices;
    for (int t = 0; t < hours; ++t) prices.push_back(static_cast<double>(rng.UniformInt(-20, 600)));
    std::vector<workload::Job> jobs;
    const int n = static_cast<int>(rng.UniformInt(1, 2));
    for (int k = 0; k < n; ++k) {
      jobs.push_back(J(
          k + 1, static_cast<int>(rng.UniformInt(1, 2)), static_cast<double>(rng.UniformInt(1, 2)),
          static_cast<double>(rng.UniformInt(0, 2)) * 0.5, start, rng.Bernoulli(0.4) ? 40.0 : 0.0,
          rng.Bernoulli(0.3) ? 0.05 * static_cast<double>(rng.UniformInt(1, 40)) : 0.0));
    }
    const double cap = 0.001 * static_cast<double>(rng.UniformInt(1, 8));
    Instance x = Make(cap, prices, jobs);
    ExpectExactEqualsBruteAndBoundAbove(x, "random instance " + std::to_string(i));
  }
}

// The aggregated bound (blocks x price bins) is a relaxation of the hourly LP: never below it, and
// equal to it with one-hour blocks; on a window with flat prices inside each block and jobs that
// arrive at block starts, binning loses nothing (every hour of a bin has the same coefficients).
TEST(Oracle, AggregatedBoundIsNeverBelowTheHourlyBound) {
  Rng rng(7);
  const TimePoint start = ParseTimestamp("2023-07-01T00:00:00Z").value();
  for (int i = 0; i < 12; ++i) {
    const int hours = static_cast<int>(rng.UniformInt(30, 75));
    std::vector<double> prices;
    for (int t = 0; t < hours; ++t) {
      prices.push_back(rng.Bernoulli(0.05) ? static_cast<double>(rng.UniformInt(300, 3000))
                                           : static_cast<double>(rng.UniformInt(-10, 90)));
    }
    std::vector<workload::Job> jobs;
    const int n = static_cast<int>(rng.UniformInt(1, 6));
    for (int k = 0; k < n; ++k) {
      jobs.push_back(J(k + 1, static_cast<int>(rng.UniformInt(1, 2)),
                       static_cast<double>(rng.UniformInt(1, 30)),
                       static_cast<double>(rng.UniformInt(0, hours - 1)), start,
                       rng.Bernoulli(0.4) ? 40.0 : 0.0));
    }
    const double cap = 0.001 * static_cast<double>(rng.UniformInt(1, 8));
    const OracleModel model = BuildOracleModel(InputOf(Make(cap, prices, jobs)));
    auto hourly = SolveBound(model);
    ASSERT_TRUE(hourly.ok()) << hourly.status().ToString();
    EXPECT_EQ(hourly->method, "lp (simplex)");
    OracleLimits one;
    one.aggregate_above_hours = 0;
    one.block_hours = 1;
    one.bins_per_block = 1;
    auto same = SolveBound(model, one);
    ASSERT_TRUE(same.ok());
    EXPECT_NEAR(same->margin_usd, hourly->margin_usd, 1e-6 * std::max(1.0, hourly->margin_usd));
    for (int block : {6, 24}) {
      for (int bins : {1, 3, 8}) {
        double with_hourly_mining = 0;
        for (bool hourly_mining : {true, false}) {
          OracleLimits agg;
          agg.aggregate_above_hours = 0;
          agg.block_hours = block;
          agg.bins_per_block = bins;
          agg.hourly_mining = hourly_mining;
          auto b = SolveBound(model, agg);
          ASSERT_TRUE(b.ok()) << b.status().ToString();
          const double tol = 1e-6 * std::max(1.0, std::fabs(hourly->margin_usd));
          EXPECT_GE(b->margin_usd, hourly->margin_usd - tol)
              << "instance " << i << ", " << block << "-h blocks x " << bins << " bins"
              << (hourly_mining ? ", hourly mining" : "");
          EXPECT_LT(b->columns, hourly->columns);
          // Hourly mining columns inside the same bins can only tighten the bound.
          if (hourly_mining) {
            with_hourly_mining = b->margin_usd;
          } else {
            EXPECT_GE(b->margin_usd, with_hourly_mining - tol);
          }
        }
      }
    }
  }
}

TEST(Oracle, AggregationIsExactWhenPricesAreFlatWithinBlocks) {
  const TimePoint start = ParseTimestamp("2023-07-01T00:00:00Z").value();
  std::vector<double> prices;
  for (int t = 0; t < 96; ++t) prices.push_back(t / 24 % 2 == 0 ? 25.0 : 400.0);
  std::vector<workload::Job> jobs = {J(1, 2, 20.0, 0.0, start), J(2, 1, 30.0, 24.0, start, 40),
                                     J(3, 2, 10.0, 48.0, start)};
  const OracleModel model = BuildOracleModel(InputOf(Make(0.004, prices, jobs)));
  auto hourly = SolveBound(model);
  OracleLimits agg;
  agg.aggregate_above_hours = 0;
  agg.block_hours = 24;
  agg.bins_per_block = 2;
  auto b = SolveBound(model, agg);
  ASSERT_TRUE(hourly.ok() && b.ok());
  EXPECT_NEAR(b->margin_usd, hourly->margin_usd, 1e-6 * std::max(1.0, hourly->margin_usd));
  EXPECT_EQ(b->method, "lp (simplex), 24-h blocks x 2 price bins, hourly mining");
}

TEST(Oracle, ExactRefusesLargeInstances) {
  const TimePoint start = ParseTimestamp("2023-07-01T00:00:00Z").value();
  std::vector<workload::Job> jobs;
  for (int k = 0; k < 50; ++k) jobs.push_back(J(k + 1, 1, 1.0, 0.0, start));
  Instance x = Make(1.0, std::vector<double>(48, 40.0), jobs);
  OracleLimits limits;
  limits.max_binaries = 100;
  auto exact = OracleExact(InputOf(x), limits);
  ASSERT_FALSE(exact.ok());
  EXPECT_EQ(exact.status().code(), StatusCode::kOutOfRange);
  auto bound = OracleBound(InputOf(x));
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  EXPECT_GT(bound->margin_usd, 0.0);
}

}  // namespace
}  // namespace rigshift::sched
