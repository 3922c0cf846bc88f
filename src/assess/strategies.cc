#include "assess/strategies.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "assess/upgrade.h"
#include "econ/finance.h"

namespace rigshift::assess {
namespace {

constexpr int kServerGpus = 8;
__extension__ typedef __int128 int128_compare_t;

// One block of identical devices in one strategy.
struct Unit {
  int64_t group = -1;  // index into groups; -1 for the GPUs of new servers
  int64_t count = 0;
  bool ai = false;                  // rented at the utilisation
  bool mine_when_unrented = false;  // hybrid: the unrented share mines when it pays
  bool mines = false;               // a mining unit
  Power ai_each;                    // IT power of a rented GPU, host share included
  Power idle_each;                  // an unrented GPU, host share included
  Power host_share;                 // host power per device (mining rigs: on while mining)
  GpuHourPrice price;               // per GPU-hour, scenario-scaled
  size_t rep = 0;                   // index into the representative FlatFleet (econ calls)
  bool asic_mode = false;           // mining draws/earns the group's configured ASIC mode
  Hashrate mode_hashrate;
  Power mode_power;
};

// The units of a site plus a one-row-per-unit FlatFleet that econ's functions read.
struct UnitSet {
  std::vector<Unit> units;
  fleet::FlatFleet rep;
};

size_t AddRep(fleet::FlatFleet& rep, const DeviceGroupAssessment* g, const catalog::GpuModel* gpu) {
  rep.kind.push_back(g != nullptr ? g->kind : catalog::DeviceKind::kGpu);
  rep.gpu.push_back(g != nullptr ? g->gpu : gpu);
  rep.asic.push_back(g != nullptr ? g->asic : nullptr);
  rep.site.push_back(0);
  rep.rack.push_back(0);
  rep.node.push_back(0);
  rep.nameplate_power.push_back(g != nullptr ? g->nameplate_each : (gpu ? gpu->tdp : Power()));
  return rep.kind.size() - 1;
}

Power HostShare(const DeviceGroupAssessment& g) {
  if (g.devices_per_node <= 0) return Power();
  return Power::FromRaw(MulDiv(g.host_power.raw(), 1, g.devices_per_node));
}

Unit MiningUnit(UnitSet& set, const DeviceGroupAssessment& g, int64_t index) {
  Unit u;
  u.group = index;
  u.count = g.devices;
  u.mines = true;
  u.host_share = HostShare(g);
  u.rep = AddRep(set.rep, &g, nullptr);
  if (g.kind == catalog::DeviceKind::kAsic && !g.mode.empty()) {
    u.asic_mode = true;
    u.mode_hashrate = g.hashrate_each;
    u.mode_power = g.nameplate_each;
  }
  return u;
}

Unit AiUnit(UnitSet& set, const DeviceGroupAssessment& g, int64_t index, bool mine_unrented,
            const AssessOptions& o) {
  Unit u;
  u.group = index;
  u.count = g.devices;
  u.ai = true;
  u.mine_when_unrented = mine_unrented;
  u.rep = AddRep(set.rep, &g, nullptr);
  // Riser GPUs move into 8-GPU servers: ~400 W of host per 8 GPUs; x16 hosts keep theirs.
  Power host = (g.pcie_lanes < 8 && !g.nvlink) ? Watts(50) : HostShare(g);
  u.host_share = host;
  u.ai_each = econ::DevicePower(set.rep, u.rep, econ::Mode::kAi, o.power) + host;
  u.idle_each = econ::DevicePower(set.rep, u.rep, econ::Mode::kIdle, o.power) + host;
  u.price = g.gpu_hour_price.Scaled(o.gpu_price_scale_permille, 1000);
  return u;
}

Unit RefitUnit(UnitSet& set, int64_t servers, const catalog::GpuModel* gpu,
               const market::GpuHourPriceTable& table, const AssessOptions& o) {
  Unit u;
  u.count = servers * kServerGpus;
  u.ai = true;
  u.rep = AddRep(set.rep, nullptr, gpu);
  const double server_kw = o.costs.Value(o.refit_server_kw_key);
  u.ai_each = Kilowatts(server_kw / kServerGpus);
  u.idle_each = u.ai_each.Scaled(200, 1000);  // an idle 8-GPU server draws ~20 % of its maximum
  u.price = econ::DefaultGpuHourPrice(*gpu, table).Scaled(o.gpu_price_scale_permille, 1000);
  return u;
}

int64_t PoolFeePpm(const AssessOptions& o) {
  return std::clamp<int64_t>(internal::RoundToInt64(o.costs.Value("pool_fee") * 1e6), 0, 1'000'000);
}

struct Candidate {
  int64_t milli = 0;   // milli-devices available
  Power power_each;    // extra IT power per device when mining
  Money revenue_each;  // per device-hour
  Money margin_each;
  Hashrate hashrate_each;
  bool counts_curtailment = false;
};

// Replays one strategy's units over the window (margins per month; no NPV).
// `sha256_scale_permille` scales the SHA-256 (ASIC) hashprice only, on top of the scenario scaling
// of every mining revenue (AssessOptions::hashprice_scale_permille): the bitcoin projection does
// not move GPU-mined coins.
StrategyResult RunWindow(Strategy strategy, const UnitSet& set, const fleet::Site& site,
                         const econ::SiteEnvelope& env, const market::MarketData& market,
                         const SiteMarket& sm, Money capex, Money monthly_opex,
                         const AssessOptions& o, int64_t sha256_scale_permille = 1000) {
  StrategyResult r;
  r.strategy = strategy;
  r.capex = capex;
  const size_t months = sm.month_starts.size();
  r.months.resize(months);
  for (size_t m = 0; m < months; ++m) r.months[m].start = sm.month_starts[m];
  std::vector<Power> month_peak(months);
  const Power limit = env.FacilityItLimit();
  const int64_t util = std::clamp<int64_t>(o.ai_utilisation_permille, 0, 1000);
  // The pool keeps its fee of every mining payout (FPPS): the miner earns the rest, and curtails
  // on what it earns.
  const int64_t kept_ppm = 1'000'000 - PoolFeePpm(o);
  // Opex per hour: monthly x 12 / 8760.
  const Money opex_hour = MicroUsd(MulDiv(monthly_opex.raw(), 12, 8760));
  const int64_t days = (sm.hours + 23) / 24;
  r.daily_ai_mw.assign(static_cast<size_t>(days), 0.0);
  r.daily_mining_mw.assign(static_cast<size_t>(days), 0.0);
  std::vector<Candidate> cands;
  cands.reserve(set.units.size());
  for (int64_t h = 0; h < sm.hours; ++h) {
    const TimePoint t = sm.from + h * kHour;
    econ::SitePrices prices;
    prices.energy = sm.energy[static_cast<size_t>(h)];
    prices.pue_milli = env.pue_milli;
    prices.hashprice = sm.hashprice[static_cast<size_t>(h)];
    MonthValue& mv = r.months[static_cast<size_t>(sm.month_of_hour[static_cast<size_t>(h)])];
    Power ai_power, mining_power;
    Money ai_rev, mine_rev;
    cands.clear();
    for (const Unit& u : set.units) {
      const int64_t all_milli = u.count * 1000;
      if (u.ai) {
        const int64_t rented = u.count * util;
        const int64_t unrented = all_milli - rented;
        ai_power += u.ai_each.Scaled(rented, 1000) + u.idle_each.Scaled(unrented, 1000);
        ai_rev += MicroUsd(MulDiv(u.price.raw(), rented, 1000));
        if (u.mine_when_unrented && unrented > 0) {
          econ::MiningChoice c = econ::BestMining(set.rep, u.rep, market, t, o.power);
          if (!c.algorithm.empty()) {
            Candidate cd;
            cd.milli = unrented;
            cd.power_each = c.power + u.host_share - u.idle_each;
            cd.hashrate_each = c.hashrate;
            HashPrice hp = set.rep.kind[u.rep] == catalog::DeviceKind::kAsic
                               ? prices.hashprice
                               : market.gpu_mining.at(c.algorithm).At(t);
            cd.revenue_each = MiningRevenue(c.hashrate, kHour, hp)
                                  .Scaled(o.hashprice_scale_permille, 1000)
                                  .Scaled(kept_ppm, 1'000'000);
            if (set.rep.kind[u.rep] == catalog::DeviceKind::kAsic) {
              cd.revenue_each = cd.revenue_each.Scaled(sha256_scale_permille, 1000);
            }
            cd.margin_each = cd.revenue_each - econ::EnergyCost(cd.power_each, kHour, prices);
            if (cd.power_each.raw() > 0) cands.push_back(cd);
          }
        }
      } else if (u.mines) {
        econ::MiningChoice c = econ::BestMining(set.rep, u.rep, market, t, o.power);
        if (u.asic_mode) {  // an ASIC in a configured power mode
          c.hashrate = u.mode_hashrate;
          c.power = u.mode_power;
        }
        Candidate cd;
        cd.milli = all_milli;
        cd.counts_curtailment = true;
        if (c.algorithm.empty())
          continue;  // nothing it can mine at this market: off, not curtailed
        cd.power_each = c.power + u.host_share;
        cd.hashrate_each = c.hashrate;
        HashPrice hp = set.rep.kind[u.rep] == catalog::DeviceKind::kAsic
                           ? prices.hashprice
                           : market.gpu_mining.at(c.algorithm).At(t);
        cd.revenue_each = MiningRevenue(c.hashrate, kHour, hp)
                              .Scaled(o.hashprice_scale_permille, 1000)
                              .Scaled(kept_ppm, 1'000'000);
        if (set.rep.kind[u.rep] == catalog::DeviceKind::kAsic) {
          cd.revenue_each = cd.revenue_each.Scaled(sha256_scale_permille, 1000);
        }
        cd.margin_each = cd.revenue_each - econ::EnergyCost(cd.power_each, kHour, prices);
        if (cd.power_each.raw() > 0) cands.push_back(cd);
      }
    }
    Power room = limit - ai_power;
    // Best margin per watt first (ties: the order units were built in); every power is > 0, so
    // the cross-multiplied comparison is a strict weak order.
    std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
      const int128_compare_t lhs =
          static_cast<int128_compare_t>(a.margin_each.raw()) * b.power_each.raw();
      const int128_compare_t rhs =
          static_cast<int128_compare_t>(b.margin_each.raw()) * a.power_each.raw();
      return lhs > rhs;
    });
    for (const Candidate& cd : cands) {
      if (cd.margin_each.raw() <= 0 || cd.power_each.raw() <= 0) {
        if (cd.counts_curtailment) r.curtailed_device_hours += cd.milli / 1000;
        continue;
      }
      int64_t n = cd.milli;
      if (room.raw() <= 0) {
        n = 0;
      } else {
        n = std::min<int64_t>(n, MulDiv(room.raw(), 1000, cd.power_each.raw()));
      }
      if (n <= 0) continue;
      const Power p = cd.power_each.Scaled(n, 1000);
      mining_power += p;
      room -= p;
      mine_rev += cd.revenue_each.Scaled(n, 1000);
    }
    const Power it = ai_power + mining_power;
    const Money energy_cost = econ::EnergyCost(it, kHour, prices);
    mv.revenue_ai += ai_rev;
    mv.revenue_mining += mine_rev;
    mv.energy_cost += energy_cost;
    mv.opex += opex_hour;
    r.energy += EnergyOver(it.Scaled(env.pue_milli, 1000), kHour);
    Power& peak = month_peak[static_cast<size_t>(sm.month_of_hour[static_cast<size_t>(h)])];
    peak = std::max(peak, it.Scaled(env.pue_milli, 1000));
    r.daily_ai_mw[static_cast<size_t>(h / 24)] += ToMegawatts(ai_power) / 24.0;
    r.daily_mining_mw[static_cast<size_t>(h / 24)] += ToMegawatts(mining_power) / 24.0;
  }
  // Demand charges on each month's facility peak (USD per kW-month).
  const Money per_kw = site.tariff.demand_charge_per_kw_month;
  for (size_t m = 0; m < months; ++m) {
    if (per_kw.raw() == 0) break;
    Money charge = MicroUsd(MulDiv(per_kw.raw(), month_peak[m].raw(), 1'000'000));
    r.months[m].energy_cost += charge;
    r.demand_charges += charge;
  }
  std::vector<Money> margins;
  for (const MonthValue& mv : r.months) {
    r.revenue_ai += mv.revenue_ai;
    r.revenue_mining += mv.revenue_mining;
    r.energy_cost += mv.energy_cost;
    r.opex += mv.opex;
    margins.push_back(mv.Margin());
  }
  r.margin = r.revenue_ai + r.revenue_mining - r.energy_cost - r.opex;
  return r;
}

// The months that repeat over the horizon: the window's months, or one average month (730 h)
// for a window shorter than 28 days (see outlook.h's WindowMonths).
std::vector<Money> RepeatedMonths(const StrategyResult& r, const SiteMarket& sm) {
  if (sm.hours > 0 && (sm.hours < 24 * 28 || r.months.empty())) {
    return {r.margin.Scaled(730, sm.hours)};
  }
  std::vector<Money> out;
  for (const MonthValue& mv : r.months) out.push_back(mv.Margin());
  return out;
}

// Spacing of the hashprice scales (permille) at which the window is replayed for the projection;
// a month's margin at a scale between two of them is interpolated linearly. The margin is convex
// in the scale (curtailment switches devices off below break-even), so the interpolation is an
// upper bound that is exact at the grid points and off by at most the curtailment gain inside a
// 25 % step. Each grid point the scenarios need costs one replay of the window; a horizon of
// 36 months typically needs 3-5 of them.
constexpr int64_t kScaleGridPermille = 250;

// A unit set's repeated months at any SHA-256 hashprice scale: replays of the window at grid
// scales, cached, interpolated in between.
class MarginsByScale {
 public:
  MarginsByScale(Strategy strategy, const UnitSet& set, const fleet::Site& site,
                 const econ::SiteEnvelope& env, const market::MarketData& market,
                 const SiteMarket& sm, Money monthly_opex, const AssessOptions& o,
                 std::vector<Money> at_one)
      : strategy_(strategy), set_(set), site_(site), env_(env), market_(market), sm_(sm),
        opex_(monthly_opex), o_(o) {
    // Only SHA-256 mining follows the bitcoin projection.
    for (const Unit& u : set.units) {
      mines_ = mines_ || ((u.mines || u.mine_when_unrented) &&
                          set.rep.kind[u.rep] == catalog::DeviceKind::kAsic);
    }
    grid_.emplace(1000, std::move(at_one));
  }
  size_t Months() const { return grid_.at(1000).size(); }
  // Repeated month j at hashprice scale k (1 = the window's own hashprice).
  Money At(size_t j, double k) {
    if (!mines_ || k == 1.0) return grid_.at(1000)[j];
    const double permille = std::max(0.0, k * 1000.0);
    const int64_t lo =
        static_cast<int64_t>(std::floor(permille / kScaleGridPermille)) * kScaleGridPermille;
    const Money a = Grid(lo)[j];
    const Money b = Grid(lo + kScaleGridPermille)[j];
    const double f = (permille - static_cast<double>(lo)) / kScaleGridPermille;
    return a + MicroUsd(internal::RoundToInt64(static_cast<double>((b - a).raw()) * f));
  }

 private:
  const std::vector<Money>& Grid(int64_t permille) {
    auto it = grid_.find(permille);
    if (it != grid_.end()) return it->second;
    StrategyResult g =
        RunWindow(strategy_, set_, site_, env_, market_, sm_, Money(), opex_, o_, permille);
    return grid_.emplace(permille, RepeatedMonths(g, sm_)).first->second;
  }

  Strategy strategy_;
  const UnitSet& set_;
  const fleet::Site& site_;
  const econ::SiteEnvelope& env_;
  const market::MarketData& market_;
  const SiteMarket& sm_;
  Money opex_;
  const AssessOptions& o_;
  bool mines_ = false;
  std::map<int64_t, std::vector<Money>> grid_;  // scale permille -> repeated months' margins
};

// One strategy over the horizon: the window's months repeat; past the window each month's mining
// earns the projected hashprice of each BTC price scenario (SiteMarket::horizon_hashprice_scale),
// with curtailment re-decided hour by hour at that level. For the first `build_months` months the
// AI part is being built: only the set's mining units run (they fill the envelope as they can)
// and the AI opex has not started. npv and payback are the flat-price scenario's.
StrategyResult Run(Strategy strategy, const UnitSet& set, const fleet::Site& site,
                   const econ::SiteEnvelope& env, const market::MarketData& market,
                   const SiteMarket& sm, Money capex, Money monthly_opex, const AssessOptions& o,
                   int build_months = 0) {
  StrategyResult r = RunWindow(strategy, set, site, env, market, sm, capex, monthly_opex, o);
  r.build_months = build_months;
  MarginsByScale running(strategy, set, site, env, market, sm, monthly_opex, o,
                         RepeatedMonths(r, sm));
  UnitSet mining_only;
  mining_only.rep = set.rep;
  for (const Unit& u : set.units) {
    if (u.mines) mining_only.units.push_back(u);
  }
  std::optional<MarginsByScale> building;
  if (build_months > 0) {
    StrategyResult b =
        RunWindow(strategy, mining_only, site, env, market, sm, capex, Money(), o);
    building.emplace(strategy, mining_only, site, env, market, sm, Money(), o,
                     RepeatedMonths(b, sm));
  }
  for (market::PriceScenario sc : market::kPriceScenarios) {
    const auto s = static_cast<size_t>(sc);
    const std::vector<double>& scales = sm.horizon_hashprice_scale[s];
    std::vector<Money> flows;
    flows.reserve(static_cast<size_t>(o.horizon_months) + 1);
    flows.push_back(-capex);
    for (int m = 1; m <= o.horizon_months; ++m) {
      if (running.Months() == 0) {
        flows.push_back(Money());
        continue;
      }
      const size_t j = static_cast<size_t>(m - 1) % running.Months();
      const double k =
          static_cast<size_t>(m - 1) < scales.size() ? scales[static_cast<size_t>(m - 1)] : 1.0;
      flows.push_back(m <= build_months ? building->At(j, k) : running.At(j, k));
    }
    r.scenario_npv[s] = econ::Npv(o.discount_rate, flows);
    if (sc == market::PriceScenario::kFlat) {
      r.npv = r.scenario_npv[s];
      r.payback_months = econ::PaybackMonths(flows);
      r.flows = std::move(flows);
    }
  }
  return r;
}

}  // namespace

SiteMarket BuildSiteMarket(const fleet::Site& site, const market::MarketData& market,
                           TimePoint from, TimePoint to) {
  SiteMarket sm;
  sm.from = from;
  sm.hours = std::max<int64_t>(0, (to - from) / kHour);
  sm.energy.reserve(static_cast<size_t>(sm.hours));
  sm.hashprice.reserve(static_cast<size_t>(sm.hours));
  sm.month_of_hour.reserve(static_cast<size_t>(sm.hours));
  for (int64_t h = 0; h < sm.hours; ++h) {
    const TimePoint t = from + h * kHour;
    econ::SitePrices p = econ::PricesAt(site, market, t);
    sm.energy.push_back(p.energy);
    sm.hashprice.push_back(p.hashprice);
    const TimePoint month = StartOfMonth(t);
    if (sm.month_starts.empty() || sm.month_starts.back() != month)
      sm.month_starts.push_back(month);
    sm.month_of_hour.push_back(static_cast<int32_t>(sm.month_starts.size() - 1));
  }
  return sm;
}

SiteMoney ComputeSiteMoney(const fleet::Site& site, const econ::SiteEnvelope& env,
                           const std::vector<DeviceGroupAssessment>& groups,
                           const std::vector<int64_t>& site_groups,
                           const market::MarketData& market, const SiteMarket& sm,
                           const AssessOptions& o, bool break_even) {
  SiteMoney out;
  const catalog::GpuModel* refit_gpu = catalog::Catalog::Builtin().FindGpu(o.refit_gpu);
  bool has_asics = false;
  std::vector<int64_t> ai_capable;
  for (int64_t gi : site_groups) {
    const DeviceGroupAssessment& g = groups[static_cast<size_t>(gi)];
    if (g.kind == catalog::DeviceKind::kAsic) has_asics = true;
    if (g.kind == catalog::DeviceKind::kGpu && g.after_upgrade >= AiClass::kInferenceReady) {
      ai_capable.push_back(gi);
    }
  }
  const Power limit = env.FacilityItLimit();

  // keep-mining: every group mines when it pays.
  {
    UnitSet set;
    for (int64_t gi : site_groups)
      set.units.push_back(MiningUnit(set, groups[static_cast<size_t>(gi)], gi));
    out.results[0] = Run(Strategy::kKeepMining, set, site, env, market, sm, Money(), Money(), o);
  }

  // convert: AI on the capable GPUs; ASIC halls re-fitted with servers in what power remains.
  auto build_convert = [&](const AssessOptions& opt, UnitSet& set, UpgradePlan& plan) {
    std::vector<const DeviceGroupAssessment*> gs;
    for (int64_t gi : ai_capable) {
      gs.push_back(&groups[static_cast<size_t>(gi)]);
      set.units.push_back(AiUnit(set, groups[static_cast<size_t>(gi)], gi, false, opt));
    }
    Power gpu_ai;
    for (const Unit& u : set.units) gpu_ai += u.ai_each * u.count;
    Power refit_budget = has_asics ? std::max(Power(), limit - gpu_ai) : Power();
    plan = PlanUpgrade(site, gs, refit_budget, refit_gpu, opt);
    if (plan.refit_servers > 0) {
      set.units.push_back(RefitUnit(set, plan.refit_servers, refit_gpu, market.gpu_prices, opt));
    }
  };
  {
    UnitSet set;
    build_convert(o, set, out.convert_plan);
    out.results[1] = Run(Strategy::kConvert, set, site, env, market, sm, out.convert_plan.capex,
                         out.convert_plan.monthly_opex, o, out.convert_plan.build_months);
    for (const Unit& u : set.units) {
      if (u.group >= 0) out.results[1].ai_groups.push_back(u.group);
    }
  }

  // hybrid: per GPU group, AI when its own NPV beats its own mining NPV; ASIC sites re-fit a share
  // of the envelope when that beats mining with the same power; mining fills the rest.
  {
    std::vector<const DeviceGroupAssessment*> ai_groups;
    std::vector<int64_t> ai_idx;
    for (int64_t gi : ai_capable) {
      const DeviceGroupAssessment& g = groups[static_cast<size_t>(gi)];
      UnitSet mine_set, ai_set;
      mine_set.units.push_back(MiningUnit(mine_set, g, gi));
      ai_set.units.push_back(AiUnit(ai_set, g, gi, true, o));
      UpgradePlan plan = PlanUpgrade(site, {&g}, Power(), nullptr, o);
      StrategyResult mine =
          Run(Strategy::kKeepMining, mine_set, site, env, market, sm, Money(), Money(), o);
      StrategyResult ai =
          Run(Strategy::kHybrid, ai_set, site, env, market, sm, plan.capex, plan.monthly_opex, o,
              plan.build_months);
      if (ai.npv > mine.npv) {
        ai_groups.push_back(&g);
        ai_idx.push_back(gi);
      }
    }
    Power refit_budget;
    if (has_asics && refit_gpu != nullptr) {
      Power share = limit.Scaled(std::clamp<int64_t>(o.hybrid_refit_share_permille, 0, 1000), 1000);
      UpgradePlan refit = PlanUpgrade(site, {}, share, refit_gpu, o);
      if (refit.refit_servers > 0) {
        UnitSet ai_set;
        ai_set.units.push_back(
            RefitUnit(ai_set, refit.refit_servers, refit_gpu, market.gpu_prices, o));
        StrategyResult ai = Run(Strategy::kHybrid, ai_set, site, env, market, sm, refit.capex,
                                refit.monthly_opex, o, refit.build_months);
        // Mining with the same power: the ASIC-only keep-mining NPV scaled by the share of the
        // envelope the servers take.
        Money asic_npv;
        {
          UnitSet mine_set;
          for (int64_t gi : site_groups) {
            const DeviceGroupAssessment& g = groups[static_cast<size_t>(gi)];
            if (g.kind == catalog::DeviceKind::kAsic)
              mine_set.units.push_back(MiningUnit(mine_set, g, gi));
          }
          StrategyResult mine =
              Run(Strategy::kKeepMining, mine_set, site, env, market, sm, Money(), Money(), o);
          Power asic_nameplate;
          for (const Unit& u : mine_set.units)
            asic_nameplate += groups[static_cast<size_t>(u.group)].nameplate_each * u.count;
          const Power used = std::min(asic_nameplate, limit);
          if (used.raw() > 0)
            asic_npv = mine.npv.Scaled(std::min(refit.ai_it_power, used).raw(), used.raw());
        }
        if (ai.npv > asic_npv) refit_budget = share;
      }
    }
    out.hybrid_plan = PlanUpgrade(site, ai_groups, refit_budget, refit_gpu, o);
    UnitSet set;
    for (size_t i = 0; i < ai_idx.size(); ++i) {
      set.units.push_back(AiUnit(set, *ai_groups[i], ai_idx[i], true, o));
    }
    if (out.hybrid_plan.refit_servers > 0) {
      set.units.push_back(
          RefitUnit(set, out.hybrid_plan.refit_servers, refit_gpu, market.gpu_prices, o));
    }
    for (int64_t gi : site_groups) {
      if (std::find(ai_idx.begin(), ai_idx.end(), gi) != ai_idx.end()) continue;
      set.units.push_back(MiningUnit(set, groups[static_cast<size_t>(gi)], gi));
    }
    out.results[2] = Run(Strategy::kHybrid, set, site, env, market, sm, out.hybrid_plan.capex,
                         out.hybrid_plan.monthly_opex, o, out.hybrid_plan.build_months);
    out.results[2].ai_groups = ai_idx;
  }

  // Break-even GPU-hour price of convert against keep-mining (NPV is linear in the price).
  if (break_even && out.convert_plan.ai_gpus > 0) {
    AssessOptions zero = o;
    zero.gpu_price_scale_permille = 0;
    UnitSet set0;
    UpgradePlan plan0;
    build_convert(zero, set0, plan0);
    StrategyResult r0 =
        Run(Strategy::kConvert, set0, site, env, market, sm, plan0.capex, plan0.monthly_opex, zero,
            plan0.build_months);
    const Money slope = out.results[1].npv - r0.npv;  // NPV gained by the prices at scale 1
    // Main AI GPU: the unit with most GPUs.
    const Unit* main = nullptr;
    UnitSet set1;
    UpgradePlan plan1;
    build_convert(o, set1, plan1);
    for (const Unit& u : set1.units) {
      if (main == nullptr || u.count > main->count) main = &u;
    }
    if (slope.raw() > 0 && main != nullptr) {
      const Money need = out.results[0].npv - r0.npv;
      out.break_even = GpuHourPrice::FromRaw(
          std::max<int64_t>(0, MulDiv(main->price.raw(), need.raw(), slope.raw())));
      out.break_even_price_scale =
          static_cast<double>(need.raw()) / static_cast<double>(slope.raw());
      const catalog::GpuModel* gm = set1.rep.gpu[main->rep];
      out.break_even_gpu = gm != nullptr ? gm->name : "";
    }
  }

  // Mining break-even electricity price of the site's largest mining group at the mean hashprice.
  {
    const DeviceGroupAssessment* big = nullptr;
    for (int64_t gi : site_groups) {
      const DeviceGroupAssessment& g = groups[static_cast<size_t>(gi)];
      if (g.kind != catalog::DeviceKind::kAsic) continue;
      if (big == nullptr || g.nameplate_each * g.devices > big->nameplate_each * big->devices)
        big = &g;
    }
    if (big != nullptr && big->asic != nullptr && sm.hours > 0) {
      double hp = 0;
      for (HashPrice p : sm.hashprice) hp += ToUsdPerThsDay(p);
      hp = hp / static_cast<double>(sm.hours) * static_cast<double>(o.hashprice_scale_permille) /
           1000.0;
      const double usd_per_hour = ToTerahash(big->hashrate_each) * hp / 24.0;
      const double mwh_per_hour =
          ToMegawatts(big->nameplate_each + HostShare(*big)) * env.pue_milli / 1000.0;
      const double adder = ToUsdPerMwh(site.tariff.adder);
      if (mwh_per_hour > 0) out.mining_break_even_usd_per_mwh = usd_per_hour / mwh_per_hour - adder;
    }
  }
  return out;
}

}  // namespace rigshift::assess
