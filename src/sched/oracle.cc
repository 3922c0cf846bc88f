#include "sched/oracle.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "sched/fleet_index.h"
#include "sched/lp.h"
#include "sched/policy.h"
#include "workload/speed_model.h"

namespace rigshift::sched {
namespace {

double FloorDiv(int64_t a, int64_t b) {
  return std::floor(static_cast<double>(a) / static_cast<double>(b));
}

}  // namespace

OracleModel BuildOracleModel(const OracleInput& in) {
  RS_CHECK(in.fleet != nullptr && in.flat != nullptr && in.market != nullptr);
  const fleet::FlatFleet& flat = *in.flat;
  const FleetIndex ix = FleetIndex::Build(flat);
  OracleModel model;
  model.hours = std::max(0, in.hours);
  model.sites = static_cast<int>(in.fleet->sites.size());
  const auto hours = static_cast<size_t>(model.hours);

  // Site IT caps (constant over the window: grid cap / PUE, and cooling).
  model.site_it_cap_w.resize(static_cast<size_t>(model.sites));
  for (size_t s = 0; s < in.fleet->sites.size(); ++s) {
    const fleet::Site& site = in.fleet->sites[s];
    double cap = site.grid_cap.raw() > 0
                     ? ToWatts(site.grid_cap) * 1000.0 /
                           static_cast<double>(std::max<int64_t>(site.pue_milli, 1))
                     : internal::LpProblem::kInf;
    if (site.cooling_capacity.raw() > 0) cap = std::min(cap, ToWatts(site.cooling_capacity));
    model.site_it_cap_w[s].assign(hours, cap);
  }
  model.site_energy_usd_mwh.assign(static_cast<size_t>(model.sites), std::vector<double>(hours));
  for (size_t s = 0; s < in.fleet->sites.size(); ++s) {
    for (size_t t = 0; t < hours; ++t) {
      const TimePoint when = in.start + static_cast<int64_t>(t) * kHour;
      model.site_energy_usd_mwh[s][t] =
          ToUsdPerMwh(econ::PricesAt(in.fleet->sites[s], *in.market, when).energy);
    }
  }

  // Classes.
  for (size_t c = 0; c < ix.classes().size(); ++c) {
    const DeviceClass& dc = ix.classes()[c];
    OracleClass oc;
    oc.site = dc.site;
    oc.devices = dc.device_count;
    oc.nodes = static_cast<int32_t>(dc.slots.size());
    oc.devices_per_node = std::max(1, dc.max_slot_size);
    oc.gpu = dc.kind == catalog::DeviceKind::kGpu && dc.gpu != nullptr;
    oc.label = ix.ClassLabel(static_cast<int32_t>(c), {});
    const auto rep = static_cast<size_t>(dc.representative);
    // A node shared with other models carries its host power pro rata (an under-estimate of the
    // host cost when only this class is on: the bound stays an over-estimate).
    const double share = dc.node_device_count > 0 ? static_cast<double>(dc.max_slot_size) /
                                                        static_cast<double>(dc.node_device_count)
                                                  : 1.0;
    oc.host_power_w = ToWatts(dc.host_power) * share;
    const Power ai_power = econ::DevicePower(flat, rep, econ::Mode::kAi, in.power);
    oc.ai_power_w = oc.gpu ? ToWatts(ai_power) : 0.0;
    const fleet::Site& site = in.fleet->sites[static_cast<size_t>(dc.site)];
    oc.mine_margin.assign(hours, 0.0);
    oc.ai_cost.assign(hours, 0.0);
    oc.host_cost.assign(hours, 0.0);
    double min_mine_power = internal::LpProblem::kInf;
    for (size_t t = 0; t < hours; ++t) {
      const TimePoint when = in.start + static_cast<int64_t>(t) * kHour;
      const econ::SitePrices prices = econ::PricesAt(site, *in.market, when);
      const econ::MiningChoice mc = econ::BestMining(flat, rep, *in.market, when, in.power);
      if (!mc.algorithm.empty()) {
        HashPrice price = prices.hashprice;
        if (dc.kind == catalog::DeviceKind::kGpu) {
          auto it = in.market->gpu_mining.find(mc.algorithm);
          price = it != in.market->gpu_mining.end() ? it->second.At(when) : HashPrice();
        }
        oc.can_mine = true;
        oc.mine_margin[t] = ToUsd(MiningRevenue(mc.hashrate, kHour, price) -
                                  econ::EnergyCost(mc.power, kHour, prices));
        min_mine_power = std::min(min_mine_power, ToWatts(mc.power));
      }
      if (oc.gpu) oc.ai_cost[t] = ToUsd(econ::EnergyCost(ai_power, kHour, prices));
      oc.host_cost[t] = ToUsd(econ::EnergyCost(dc.host_power, kHour, prices)) * share;
    }
    oc.mine_power_w = std::isfinite(min_mine_power) ? min_mine_power : 0.0;
    model.classes.push_back(std::move(oc));
  }

  // Jobs.
  for (const workload::Job& job : in.jobs) {
    OracleJob oj;
    oj.id = job.id;
    oj.gpus = std::max(1, job.gpus);
    const int64_t since = job.arrival - in.start;
    oj.first_hour_bound = static_cast<int>(std::max(0.0, FloorDiv(since, kHour)));
    oj.first_hour_exact =
        static_cast<int>(std::max(0.0, std::ceil(static_cast<double>(since) / kHour)));
    if (oj.first_hour_bound >= model.hours) continue;
    oj.work = job.total_steps > 0 ? static_cast<double>(job.total_steps) : job.work_gpu_seconds;
    if (in.speed != nullptr) oj.work = workload::SpeedModel::WorkUnits(job);
    oj.rate.assign(ix.classes().size(), 0.0);
    oj.price.assign(ix.classes().size(), 0.0);
    for (size_t c = 0; c < ix.classes().size(); ++c) {
      const DeviceClass& dc = ix.classes()[c];
      if (dc.kind != catalog::DeviceKind::kGpu || dc.gpu == nullptr) continue;
      if (dc.gpu->memory_gb < job.min_memory_gb) continue;
      const double rate = in.speed != nullptr ? in.speed->Rate(job, *dc.gpu) : 1.0;
      if (!(rate > 0)) continue;
      const workload::NodeLinks links{dc.pcie_lanes_per_gpu, dc.nvlink, dc.nic_gbps};
      const bool single =
          oj.gpus <= dc.max_slot_size && workload::InterconnectFits(job, links, oj.gpus, false);
      // Across nodes as sched's Round places (Round::ShapeIdOf): all of a node's GPUs when the
      // interconnect allows it, else one per node.
      int64_t span_capacity = 0;
      if (oj.gpus > 1 && dc.slots.size() > 1) {
        span_capacity = std::min<int64_t>(
            dc.device_count,
            static_cast<int64_t>(workload::SpanGpusPerNode(job, links, dc.max_slot_size)) *
                static_cast<int64_t>(dc.slots.size()));
      }
      const bool span = span_capacity >= oj.gpus;
      if (!single && !span) continue;
      oj.rate[c] = rate;
      oj.price[c] = ToUsdPerGpuHour(JobGpuHourPrice(job, *dc.gpu, in.market->gpu_prices));
    }
    model.jobs.push_back(std::move(oj));
  }
  return model;
}

namespace {

void Accumulate(const OracleModel& model, const std::vector<int>& m_col,
                const std::vector<int>& n_col, const std::vector<double>& x, OracleResult* r) {
  const auto hours = static_cast<size_t>(model.hours);
  for (size_t c = 0; c < model.classes.size(); ++c) {
    const OracleClass& oc = model.classes[c];
    for (size_t t = 0; t < hours; ++t) {
      const int mc = m_col[c * hours + t];
      if (mc >= 0) {
        r->mining_margin_usd += x[static_cast<size_t>(mc)] * oc.mine_margin[t];
        r->mining_device_hours += x[static_cast<size_t>(mc)];
      }
      const int nc = n_col[c * hours + t];
      if (nc >= 0) r->host_energy_usd += x[static_cast<size_t>(nc)] * oc.host_cost[t];
    }
  }
}

}  // namespace

namespace {

// Hours of a block split into price bins: sorted by price, cut into at most `bins` runs so that
// the sum over runs of (price range x hours) is least (dynamic programming; blocks are short).
std::vector<std::vector<int>> PriceBins(const std::vector<double>& price, int first, int count,
                                        int bins) {
  std::vector<int> order(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) order[static_cast<size_t>(i)] = first + i;
  if (bins >= count) {
    std::vector<std::vector<int>> out;
    for (int h : order) out.push_back({h});
    return out;
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return price[static_cast<size_t>(a)] < price[static_cast<size_t>(b)];
  });
  const auto n = static_cast<size_t>(count);
  const auto k_max = static_cast<size_t>(std::max(1, bins));
  auto cost = [&](size_t i, size_t j) {  // items [i, j)
    return (price[static_cast<size_t>(order[j - 1])] - price[static_cast<size_t>(order[i])]) *
           static_cast<double>(j - i);
  };
  constexpr double kBig = std::numeric_limits<double>::infinity();
  // best[k][j]: least cost of the first j items in k runs; cut[k][j]: where the last run starts.
  std::vector<std::vector<double>> best(k_max + 1, std::vector<double>(n + 1, kBig));
  std::vector<std::vector<size_t>> cut(k_max + 1, std::vector<size_t>(n + 1, 0));
  best[0][0] = 0;
  for (size_t k = 1; k <= k_max; ++k) {
    for (size_t j = 1; j <= n; ++j) {
      for (size_t i = k - 1; i < j; ++i) {
        if (best[k - 1][i] == kBig) continue;
        const double c = best[k - 1][i] + cost(i, j);
        if (c < best[k][j]) {
          best[k][j] = c;
          cut[k][j] = i;
        }
      }
    }
  }
  std::vector<std::vector<int>> out;
  size_t j = n;
  for (size_t k = k_max; k > 0 && j > 0; --k) {
    const size_t i = cut[k][j];
    out.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(i),
                     order.begin() + static_cast<std::ptrdiff_t>(j));
    j = i;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

Result<OracleResult> SolveBound(const OracleModel& model, const OracleLimits& limits) {
  const int hours = model.hours;
  const size_t classes = model.classes.size();
  internal::LpProblem lp;
  constexpr double kInf = internal::LpProblem::kInf;
  const bool aggregate = hours > limits.aggregate_above_hours;
  const int block_hours = aggregate ? std::max(1, limits.block_hours) : 1;
  const int bins_per_block = aggregate ? std::max(1, limits.bins_per_block) : 1;
  const int blocks = hours > 0 ? (hours + block_hours - 1) / block_hours : 0;
  auto block_end = [&](int b) { return std::min(hours, (b + 1) * block_hours); };  // exclusive

  // Job groups: identical per-class (rate, price) rows.
  std::map<std::vector<double>, int> group_of;
  struct Group {
    std::vector<double> rate, price;
    std::vector<double> gpus_arrived, work_arrived;  // by hour (cumulative)
    int first_hour = 0;
  };
  std::vector<Group> groups;
  for (const OracleJob& j : model.jobs) {
    std::vector<double> key;
    key.reserve(2 * classes);
    bool any = false;
    for (size_t c = 0; c < classes; ++c) {
      key.push_back(j.rate[c]);
      key.push_back(j.rate[c] > 0 ? j.price[c] : 0.0);
      any = any || j.rate[c] > 0;
    }
    if (!any) continue;
    auto [it, inserted] = group_of.try_emplace(key, static_cast<int>(groups.size()));
    if (inserted) {
      Group g;
      g.rate = j.rate;
      g.price = j.price;
      g.gpus_arrived.assign(static_cast<size_t>(hours), 0.0);
      g.work_arrived.assign(static_cast<size_t>(hours), 0.0);
      g.first_hour = hours;
      groups.push_back(std::move(g));
    }
    Group& g = groups[static_cast<size_t>(it->second)];
    g.first_hour = std::min(g.first_hour, j.first_hour_bound);
    for (size_t t = static_cast<size_t>(j.first_hour_bound); t < static_cast<size_t>(hours); ++t) {
      g.gpus_arrived[t] += j.gpus;
      g.work_arrived[t] += j.work;
    }
  }

  // Price bins per site and block.
  struct Bin {
    int block = 0;
    std::vector<int> hours;
    double it_cap_kwh = 0;  // sum of the hourly IT caps (kW x h); inf when uncapped
  };
  std::vector<std::vector<Bin>> bins(static_cast<size_t>(model.sites));
  // A model built by hand may leave prices out: then every hour of a block is alike.
  const std::vector<double> flat(static_cast<size_t>(hours), 0.0);
  for (int s = 0; s < model.sites; ++s) {
    const auto& price = static_cast<size_t>(s) < model.site_energy_usd_mwh.size() &&
                                model.site_energy_usd_mwh[static_cast<size_t>(s)].size() ==
                                    static_cast<size_t>(hours)
                            ? model.site_energy_usd_mwh[static_cast<size_t>(s)]
                            : flat;
    for (int b = 0; b < blocks; ++b) {
      const int first = b * block_hours;
      for (auto& hs : PriceBins(price, first, block_end(b) - first, bins_per_block)) {
        Bin bin;
        bin.block = b;
        for (int t : hs) {
          bin.it_cap_kwh +=
              model.site_it_cap_w[static_cast<size_t>(s)][static_cast<size_t>(t)] / 1000.0;
        }
        bin.hours = std::move(hs);
        bins[static_cast<size_t>(s)].push_back(std::move(bin));
      }
    }
  }

  // Columns per class and bin, with the best hourly coefficient of the bin.
  struct AiCol {
    int col, group, cls;
    double price, cost;  // per GPU-hour: revenue and the energy counted in the objective
  };
  std::vector<AiCol> ai_cols;
  struct ModeCol {
    int col;
    double coef;
  };
  std::vector<ModeCol> mine_cols, host_cols;
  // Rows per (group, block): concurrency and cumulative work.
  std::vector<std::vector<int>> conc_row(groups.size(),
                                         std::vector<int>(static_cast<size_t>(blocks)));
  std::vector<std::vector<int>> work_row(groups.size(),
                                         std::vector<int>(static_cast<size_t>(blocks)));
  // Rows and columns are scaled for the solver: work in units x hours (work / 3600) and power in
  // kW, so that coefficients stay near 1.
  for (size_t g = 0; g < groups.size(); ++g) {
    int prev_u = -1;
    for (int b = 0; b < blocks; ++b) {
      double gpu_hours = 0;
      for (int t = b * block_hours; t < block_end(b); ++t)
        gpu_hours += groups[g].gpus_arrived[static_cast<size_t>(t)];
      conc_row[g][static_cast<size_t>(b)] = lp.AddRow(-kInf, gpu_hours);
      const double work_cap =
          groups[g].work_arrived[static_cast<size_t>(block_end(b) - 1)] / 3600.0;
      const int u = lp.AddColumn(0, work_cap, 0.0);
      const int row = lp.AddRow(0.0, 0.0);  // u_b - u_{b-1} - sum R a = 0 (work / 3600)
      lp.Set(row, u, 1.0);
      if (prev_u >= 0) lp.Set(row, prev_u, -1.0);
      work_row[g][static_cast<size_t>(b)] = row;
      prev_u = u;
    }
  }
  for (int s = 0; s < model.sites; ++s) {
    for (const Bin& bin : bins[static_cast<size_t>(s)]) {
      const double h = static_cast<double>(bin.hours.size());
      const int last_hour = *std::max_element(bin.hours.begin(), bin.hours.end());
      const int env = std::isfinite(bin.it_cap_kwh) ? lp.AddRow(-kInf, bin.it_cap_kwh) : -1;
      for (size_t c = 0; c < classes; ++c) {
        const OracleClass& oc = model.classes[c];
        if (oc.site != s || oc.devices <= 0) continue;
        double mine = -kInf, host = kInf, ai = kInf;
        for (int t : bin.hours) {
          const auto tt = static_cast<size_t>(t);
          mine = std::max(mine, oc.mine_margin[tt]);
          host = std::min(host, oc.host_cost[tt]);
          ai = std::min(ai, oc.ai_cost[tt]);
        }
        const int cap = lp.AddRow(-kInf, oc.devices * h);
        const int host_row = oc.host_power_w > 0 ? lp.AddRow(-kInf, 0.0) : -1;
        if (oc.can_mine) {
          // Mining is the bulk of a farm's margin and often a thin one, so by default it keeps a
          // column per hour with that hour's own margin (no price-bin slack), as do the hosts that
          // mining keeps on; AI takes the bin's best coefficient.
          auto add_mine = [&](double ub, double coef) {
            const int m = lp.AddColumn(0, ub, coef);
            mine_cols.push_back({m, coef});
            lp.Set(cap, m, 1);
            if (host_row >= 0) lp.Set(host_row, m, 1);
            if (env >= 0) lp.Set(env, m, oc.mine_power_w / 1000.0);
          };
          if (limits.hourly_mining && bin.hours.size() > 1) {
            for (int t : bin.hours) add_mine(oc.devices, oc.mine_margin[static_cast<size_t>(t)]);
          } else {
            add_mine(oc.devices * h, mine);
          }
        }
        if (host_row >= 0) {
          auto add_host = [&](double ub, double coef) {
            const int n = lp.AddColumn(0, ub, coef);
            host_cols.push_back({n, coef});
            lp.Set(host_row, n, -oc.devices_per_node);
            if (env >= 0) lp.Set(env, n, oc.host_power_w / 1000.0);
          };
          if (limits.hourly_mining && bin.hours.size() > 1) {
            for (int t : bin.hours) add_host(oc.nodes, -oc.host_cost[static_cast<size_t>(t)]);
          } else {
            add_host(oc.nodes * h, -host);
          }
        }
        for (size_t g = 0; g < groups.size(); ++g) {
          if (!(groups[g].rate[c] > 0) || last_hour < groups[g].first_hour) continue;
          const int a = lp.AddColumn(0, oc.devices * h, groups[g].price[c] - ai);
          ai_cols.push_back({a, static_cast<int>(g), static_cast<int>(c), groups[g].price[c], ai});
          lp.Set(cap, a, 1);
          if (host_row >= 0) lp.Set(host_row, a, 1);
          if (env >= 0) lp.Set(env, a, oc.ai_power_w / 1000.0);
          lp.Set(conc_row[g][static_cast<size_t>(bin.block)], a, 1.0);
          lp.Set(work_row[g][static_cast<size_t>(bin.block)], a, -groups[g].rate[c]);
        }
      }
    }
  }
  const bool interior = lp.columns() > limits.interior_above_columns;
  ASSIGN_OR_RETURN(auto sol, lp.Solve(/*integer=*/false, limits.time_limit_ms, interior));
  OracleResult r;
  r.method = interior ? "lp (interior point)" : "lp (simplex)";
  if (aggregate) {
    r.method += ", " + std::to_string(block_hours) + "-h blocks x " +
                std::to_string(bins_per_block) + " price bins" +
                (limits.hourly_mining ? ", hourly mining" : "");
  }
  r.rows = lp.rows();
  r.columns = lp.columns();
  r.margin_usd = sol.objective;
  for (const ModeCol& m : mine_cols) {
    r.mining_margin_usd += sol.x[static_cast<size_t>(m.col)] * m.coef;
    r.mining_device_hours += sol.x[static_cast<size_t>(m.col)];
  }
  for (const ModeCol& n : host_cols)
    r.host_energy_usd -= sol.x[static_cast<size_t>(n.col)] * n.coef;
  for (const AiCol& a : ai_cols) {
    const double x = sol.x[static_cast<size_t>(a.col)];
    r.ai_gpu_hours += x;
    r.ai_revenue_usd += x * a.price;
    r.ai_energy_usd += x * a.cost;
  }
  return r;
}

Result<OracleResult> SolveExact(const OracleModel& model, const OracleLimits& limits) {
  const auto hours = static_cast<size_t>(model.hours);
  const size_t classes = model.classes.size();
  constexpr double kInf = internal::LpProblem::kInf;
  int binaries = 0;
  for (const OracleJob& j : model.jobs) {
    for (size_t c = 0; c < classes; ++c) {
      if (j.rate[c] > 0) binaries += std::max(0, model.hours - j.first_hour_exact);
    }
  }
  if (binaries > limits.max_binaries) {
    return Status::OutOfRange("oracle MIP too large: " + std::to_string(binaries) +
                              " job-hour binaries > " + std::to_string(limits.max_binaries) +
                              " (use the LP bound)");
  }
  internal::LpProblem lp;
  std::vector<int> m_col(classes * hours, -1), n_col(classes * hours, -1);
  // x[j][c * hours + t]
  std::vector<std::vector<int>> x_col(model.jobs.size(), std::vector<int>(classes * hours, -1));
  for (size_t c = 0; c < classes; ++c) {
    const OracleClass& oc = model.classes[c];
    if (oc.devices <= 0) continue;
    for (size_t t = 0; t < hours; ++t) {
      if (oc.can_mine) m_col[c * hours + t] = lp.AddColumn(0, oc.devices, oc.mine_margin[t], true);
      if (oc.host_power_w > 0)
        n_col[c * hours + t] = lp.AddColumn(0, oc.nodes, -oc.host_cost[t], true);
    }
  }
  for (size_t j = 0; j < model.jobs.size(); ++j) {
    const OracleJob& oj = model.jobs[j];
    for (size_t c = 0; c < classes; ++c) {
      if (!(oj.rate[c] > 0) || model.classes[c].devices < oj.gpus) continue;
      for (size_t t = static_cast<size_t>(std::max(0, oj.first_hour_exact)); t < hours; ++t) {
        x_col[j][c * hours + t] =
            lp.AddColumn(0, 1, oj.gpus * (oj.price[c] - model.classes[c].ai_cost[t]), true);
      }
    }
  }
  for (size_t c = 0; c < classes; ++c) {
    const OracleClass& oc = model.classes[c];
    if (oc.devices <= 0) continue;
    for (size_t t = 0; t < hours; ++t) {
      const int cap = lp.AddRow(-kInf, oc.devices);
      const int host = oc.host_power_w > 0 ? lp.AddRow(-kInf, 0.0) : -1;
      const int mc = m_col[c * hours + t];
      if (mc >= 0) {
        lp.Set(cap, mc, 1);
        if (host >= 0) lp.Set(host, mc, 1);
      }
      for (size_t j = 0; j < model.jobs.size(); ++j) {
        const int xc = x_col[j][c * hours + t];
        if (xc < 0) continue;
        lp.Set(cap, xc, model.jobs[j].gpus);
        if (host >= 0) lp.Set(host, xc, model.jobs[j].gpus);
      }
      if (host >= 0) lp.Set(host, n_col[c * hours + t], -oc.devices_per_node);
    }
  }
  for (int s = 0; s < model.sites; ++s) {
    for (size_t t = 0; t < hours; ++t) {
      const double cap = model.site_it_cap_w[static_cast<size_t>(s)][t];
      if (!std::isfinite(cap)) continue;
      const int row = lp.AddRow(-kInf, cap);
      for (size_t c = 0; c < classes; ++c) {
        const OracleClass& oc = model.classes[c];
        if (oc.site != s) continue;
        if (m_col[c * hours + t] >= 0) lp.Set(row, m_col[c * hours + t], oc.mine_power_w);
        if (n_col[c * hours + t] >= 0) lp.Set(row, n_col[c * hours + t], oc.host_power_w);
        for (size_t j = 0; j < model.jobs.size(); ++j) {
          if (x_col[j][c * hours + t] >= 0)
            lp.Set(row, x_col[j][c * hours + t], oc.ai_power_w * model.jobs[j].gpus);
        }
      }
    }
  }
  for (size_t j = 0; j < model.jobs.size(); ++j) {
    const OracleJob& oj = model.jobs[j];
    const int work = lp.AddRow(-kInf, oj.work);
    for (size_t t = 0; t < hours; ++t) {
      const int once = lp.AddRow(-kInf, 1.0);
      for (size_t c = 0; c < classes; ++c) {
        const int xc = x_col[j][c * hours + t];
        if (xc < 0) continue;
        lp.Set(once, xc, 1.0);
        lp.Set(work, xc, 3600.0 * oj.rate[c] * oj.gpus);
      }
    }
  }
  ASSIGN_OR_RETURN(auto sol, lp.Solve(/*integer=*/true, limits.time_limit_ms));
  OracleResult r;
  r.method = "mip";
  r.rows = lp.rows();
  r.columns = lp.columns();
  r.margin_usd = sol.objective;
  Accumulate(model, m_col, n_col, sol.x, &r);
  for (size_t j = 0; j < model.jobs.size(); ++j) {
    for (size_t c = 0; c < classes; ++c) {
      for (size_t t = 0; t < hours; ++t) {
        const int xc = x_col[j][c * hours + t];
        if (xc < 0) continue;
        const double g = sol.x[static_cast<size_t>(xc)] * model.jobs[j].gpus;
        r.ai_gpu_hours += g;
        r.ai_revenue_usd += g * model.jobs[j].price[c];
        r.ai_energy_usd += g * model.classes[c].ai_cost[t];
      }
    }
  }
  return r;
}

Result<OracleResult> OracleBound(const OracleInput& in, const OracleLimits& limits) {
  return SolveBound(BuildOracleModel(in), limits);
}

Result<OracleResult> OracleExact(const OracleInput& in, const OracleLimits& limits) {
  return SolveExact(BuildOracleModel(in), limits);
}

}  // namespace rigshift::sched
