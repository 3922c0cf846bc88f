#include "assess/assess.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "assess/render.h"
#include "assess/outlook.h"
#include "assess/strategies.h"
#include "assess/suitability.h"
#include "assess/upgrade.h"

namespace rigshift::assess {

const char* AiClassName(AiClass c) {
  switch (c) {
    case AiClass::kNotSuitable:
      return "not suitable";
    case AiClass::kInferenceAfterUpgrade:
      return "inference after host upgrade";
    case AiClass::kInferenceReady:
      return "inference-ready";
    case AiClass::kTrainingCapable:
      return "training-capable";
  }
  return "?";
}

const char* PrecisionName(Precision p) {
  switch (p) {
    case Precision::kBf16:
      return "bf16";
    case Precision::kInt8:
      return "int8";
    case Precision::kInt4:
      return "int4";
  }
  return "?";
}

const char* StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kKeepMining:
      return "keep-mining";
    case Strategy::kConvert:
      return "convert";
    case Strategy::kHybrid:
      return "hybrid";
  }
  return "?";
}

namespace {

// [start, end) covered by the series a site set needs; nullopt when one is missing.
struct Coverage {
  TimePoint start = 0, end = 0;
  bool any = false;
};

void Intersect(Coverage& c, TimePoint s, TimePoint e) {
  if (!c.any) {
    c = {s, e, true};
    return;
  }
  c.start = std::max(c.start, s);
  c.end = std::min(c.end, e);
}

// Recommendation sentences use the report's own short formats.
std::string Usd(Money m) { return FormatMoneyShort(m); }
std::string Count(int64_t n) { return FormatCount(n); }

std::string Months(const std::optional<double>& m) {
  if (!m) return "no payback within the horizon";
  char buf[64];
  std::snprintf(buf, sizeof buf, "payback %.0f months", std::ceil(*m));
  return buf;
}

std::string Recommend(const SiteAssessment& s, const std::vector<DeviceGroupAssessment>& groups,
                      const AssessOptions& o) {
  const StrategyResult& keep = s.strategies[0];
  const StrategyResult& best = s.strategies[static_cast<size_t>(s.recommended)];
  int64_t mining_devices = 0;
  for (int64_t gi : s.groups) mining_devices += groups[static_cast<size_t>(gi)].devices;
  char buf[600];
  switch (s.recommended) {
    case Strategy::kKeepMining: {
      const StrategyResult& conv = s.strategies[1];
      std::string why;
      if (s.convert_plan.ai_gpus == 0) {
        why = "nothing here can serve AI";
      } else {
        why = "converting costs " + Usd(s.convert_plan.capex) + " and returns NPV " + Usd(conv.npv);
        if (s.break_even_gpu_hour) {
          char be[120];
          std::snprintf(be, sizeof be,
                        " (it would pay at %.1fx today's GPU-hour prices: %.2f USD/h for %s)",
                        s.break_even_price_scale, ToUsdPerGpuHour(*s.break_even_gpu_hour),
                        s.break_even_gpu.c_str());
          why += be;
        }
      }
      std::snprintf(buf, sizeof buf,
                    "%s: keep mining with price curtailment: NPV %s over %d months; %s.",
                    s.id.c_str(), Usd(keep.npv).c_str(), o.horizon_months, why.c_str());
      break;
    }
    case Strategy::kConvert: {
      const std::string upgrades = s.convert_plan.capex.IsZero()
                                       ? std::string("with no upgrade needed")
                                       : "after " + Usd(s.convert_plan.capex) + " of upgrades (" +
                                             Months(best.payback_months) + ")";
      std::snprintf(buf, sizeof buf,
                    "%s: convert: %s GPUs rented for AI at %lld%% utilisation %s earn NPV %s vs %s "
                    "for mining.",
                    s.id.c_str(), Count(s.convert_plan.ai_gpus).c_str(),
                    static_cast<long long>(o.ai_utilisation_permille / 10), upgrades.c_str(),
                    Usd(best.npv).c_str(), Usd(keep.npv).c_str());
      break;
    }
    case Strategy::kHybrid:
      std::snprintf(
          buf, sizeof buf,
          "%s: hybrid: rent %s upgraded GPUs for AI (%s, %s) and let mining fill the rest "
          "of the envelope hour by hour: NPV %s vs %s for mining alone.",
          s.id.c_str(), Count(s.hybrid_plan.ai_gpus).c_str(), Usd(s.hybrid_plan.capex).c_str(),
          Months(best.payback_months).c_str(), Usd(best.npv).c_str(), Usd(keep.npv).c_str());
      break;
  }
  (void)mining_devices;
  std::string out = buf;
  // Does the choice survive the BTC price scenarios?
  std::string flips;
  for (size_t sc = 1; sc < 3; ++sc) {
    const Strategy other = s.recommendation_by_scenario[sc];
    if (other == s.recommended) continue;
    flips += std::string(flips.empty() ? "" : "; ") + "with the " +
             market::PriceScenarioName(static_cast<market::PriceScenario>(sc)) +
             " scenario " + StrategyName(other) + " is better (" +
             Usd(s.strategies[static_cast<size_t>(other)].scenario_npv[sc]) + " vs " +
             Usd(s.strategies[static_cast<size_t>(s.recommended)].scenario_npv[sc]) + ")";
  }
  if (flips.empty()) {
    out += " The choice holds in all three BTC price scenarios.";
  } else {
    out += " It flips: " + flips + ".";
  }
  return out;
}

void AddInto(StrategyResult& total, const StrategyResult& r) {
  total.strategy = r.strategy;
  total.revenue_mining += r.revenue_mining;
  total.revenue_ai += r.revenue_ai;
  total.energy_cost += r.energy_cost;
  total.demand_charges += r.demand_charges;
  total.opex += r.opex;
  total.capex += r.capex;
  total.energy += r.energy;
  total.curtailed_device_hours += r.curtailed_device_hours;
  total.margin += r.margin;
  total.npv += r.npv;
  for (size_t s = 0; s < 3; ++s) total.scenario_npv[s] += r.scenario_npv[s];
  if (total.flows.size() < r.flows.size()) total.flows.resize(r.flows.size());
  for (size_t m = 0; m < r.flows.size(); ++m) total.flows[m] += r.flows[m];
  if (total.months.size() < r.months.size()) total.months.resize(r.months.size());
  for (size_t m = 0; m < r.months.size(); ++m) {
    total.months[m].start = r.months[m].start;
    total.months[m].revenue_ai += r.months[m].revenue_ai;
    total.months[m].revenue_mining += r.months[m].revenue_mining;
    total.months[m].energy_cost += r.months[m].energy_cost;
    total.months[m].opex += r.months[m].opex;
  }
  if (total.daily_ai_mw.size() < r.daily_ai_mw.size()) {
    total.daily_ai_mw.resize(r.daily_ai_mw.size());
    total.daily_mining_mw.resize(r.daily_mining_mw.size());
  }
  for (size_t d = 0; d < r.daily_ai_mw.size(); ++d) {
    total.daily_ai_mw[d] += r.daily_ai_mw[d];
    total.daily_mining_mw[d] += r.daily_mining_mw[d];
  }
}

}  // namespace

Result<std::pair<TimePoint, TimePoint>> DefaultWindow(const fleet::Fleet& fleet,
                                                      const market::MarketData& market) {
  Coverage c;
  for (const auto& site : fleet.sites) {
    if (site.tariff.market == "fixed") continue;
    auto it = market.electricity.find(site.tariff.market);
    if (it == market.electricity.end() || it->second.empty()) continue;
    Intersect(c, it->second.start, it->second.end());
  }
  if (!market.hashprice.empty()) Intersect(c, market.hashprice.start, market.hashprice.end());
  if (!c.any || c.end <= c.start) {
    return Status::FailedPrecondition(
        "no market data covers a common window for the fleet's sites and the hashprice "
        "(give --from/--to, or prices that overlap)");
  }
  // The latest calendar year inside [start, end).
  for (int year = YearOf(c.end); year >= YearOf(c.start); --year) {
    const TimePoint s = YearStart(year), e = YearStart(year + 1);
    if (s >= c.start && e <= c.end) return std::make_pair(s, e);
  }
  const TimePoint e = c.end - (c.end % kHour);
  const TimePoint s = std::max(c.start, e - 365 * kDay);
  if (e - s < kHour) return Status::FailedPrecondition("the market data cover less than an hour");
  return std::make_pair(s, e);
}

Result<Assessment> Assess(const fleet::Fleet& fleet, const market::MarketData& market,
                          const AssessOptions& options) {
  if (options.horizon_months <= 0 || options.horizon_months > 600) {
    return Status::OutOfRange("horizon_months " + std::to_string(options.horizon_months) +
                              " (expected 1..600)");
  }
  if (!(options.discount_rate > -0.99 && options.discount_rate < 10)) {
    return Status::OutOfRange("discount rate out of range (expected -0.99..10 per year)");
  }
  if (options.ai_utilisation_permille < 0 || options.ai_utilisation_permille > 1000) {
    return Status::OutOfRange("AI utilisation out of range (expected 0..100 %)");
  }
  if (options.decode_batch < 1 || options.decode_batch > 4096 || options.context_tokens < 1 ||
      options.context_tokens > 10'000'000) {
    return Status::OutOfRange("decode batch or context out of range");
  }
  Assessment a;
  a.fleet_name = fleet.name;
  a.market_description = market.description;
  a.options = options;
  if (options.from && options.to) {
    a.from = *options.from;
    a.to = *options.to;
  } else {
    ASSIGN_OR_RETURN(auto w, DefaultWindow(fleet, market));
    a.from = options.from.value_or(w.first);
    a.to = options.to.value_or(w.second);
  }
  a.from -= ((a.from % kHour) + kHour) % kHour;
  if (a.to <= a.from) {
    return Status::InvalidArgument("the window " + FormatTimestamp(a.from) + " .. " +
                                   FormatTimestamp(a.to) + " is empty");
  }
  if (a.to - a.from > 10 * 366 * kDay) {
    return Status::OutOfRange("the window is longer than 10 years");
  }
  // A window with no market data at all is an error; a partly covered one is a warning.
  if (!market.hashprice.empty() &&
      (market.hashprice.end() <= a.from || market.hashprice.start >= a.to)) {
    return Status::FailedPrecondition("the hashprice (" + FormatDate(market.hashprice.start) +
                                      " .. " + FormatDate(market.hashprice.end()) +
                                      ") does not overlap the window " + FormatDate(a.from) +
                                      " .. " + FormatDate(a.to));
  }
  for (const auto& site : fleet.sites) {
    auto it = market.electricity.find(site.tariff.market);
    if (it == market.electricity.end() || it->second.empty()) continue;
    if (it->second.end() <= a.from || it->second.start >= a.to) {
      return Status::FailedPrecondition(
          "site " + site.id + ": the '" + site.tariff.market + "' prices (" +
          FormatDate(it->second.start) + " .. " + FormatDate(it->second.end()) +
          ") do not overlap the window " + FormatDate(a.from) + " .. " + FormatDate(a.to));
    }
  }
  if (!market.hashprice.Covers(a.from) || !market.hashprice.Covers(a.to - 1)) {
    a.warnings.push_back("hashprice does not cover the whole window: its first/last value is held");
  }
  if (options.refit_gpu.empty() ||
      catalog::Catalog::Builtin().FindGpu(options.refit_gpu) == nullptr) {
    a.warnings.push_back("refit GPU '" + options.refit_gpu +
                         "' is not in the catalogue: ASIC halls are not re-fitted");
  }

  a.outlook = ProjectMining(market, a.from, a.to, options, a.warnings);
  auto site_market = [&](const fleet::Site& site) {
    SiteMarket sm = BuildSiteMarket(site, market, a.from, a.to);
    for (size_t k = 0; k < a.outlook.scenarios.size() && k < 3; ++k) {
      sm.horizon_hashprice_scale[k] = a.outlook.scenarios[k].hashprice_scale;
    }
    return sm;
  };

  a.groups = GroupDevices(fleet);
  for (auto& g : a.groups) AssessGroup(g, market.gpu_prices, options);

  for (size_t s = 0; s < fleet.sites.size(); ++s) {
    const fleet::Site& site = fleet.sites[s];
    SiteAssessment sa;
    sa.index = static_cast<int>(s);
    sa.id = site.id;
    sa.name = site.name;
    sa.market = site.tariff.market;
    sa.envelope = econ::EnvelopeOf(site);
    for (size_t g = 0; g < a.groups.size(); ++g) {
      if (a.groups[g].site == static_cast<int>(s)) sa.groups.push_back(static_cast<int64_t>(g));
    }
    if (site.tariff.market != "fixed") {
      auto it = market.electricity.find(site.tariff.market);
      sa.market_covered = it != market.electricity.end() && it->second.Covers(a.from) &&
                          it->second.Covers(a.to - 1);
      if (it == market.electricity.end() || it->second.empty()) {
        a.warnings.push_back("site " + site.id + ": no price series for market '" +
                             site.tariff.market +
                             "': energy priced at the tariff's fixed price + adder only");
      } else if (!sa.market_covered) {
        a.warnings.push_back("site " + site.id + ": the '" + site.tariff.market +
                             "' prices do not cover the whole window: edge values are held");
      }
    }
    SiteMarket sm = site_market(site);
    SiteMoney money =
        ComputeSiteMoney(site, sa.envelope, a.groups, sa.groups, market, sm, options, true);
    sa.strategies = money.results;
    sa.convert_plan = money.convert_plan;
    sa.hybrid_plan = money.hybrid_plan;
    sa.break_even_gpu_hour = money.break_even;
    sa.break_even_gpu = money.break_even_gpu;
    sa.break_even_price_scale = money.break_even_price_scale;
    sa.mining_break_even_usd_per_mwh = money.mining_break_even_usd_per_mwh;
    // Price duration curve (market price without the adder is what people compare; we show the
    // price paid: market + adder) and its mean.
    std::vector<double> prices;
    prices.reserve(sm.energy.size());
    double sum = 0;
    for (EnergyPrice p : sm.energy) {
      prices.push_back(ToUsdPerMwh(p));
      sum += prices.back();
    }
    sa.mean_price_usd_per_mwh = prices.empty() ? 0 : sum / static_cast<double>(prices.size());
    std::sort(prices.begin(), prices.end(), std::greater<>());
    const size_t points = std::min<size_t>(prices.size(), 400);
    for (size_t i = 0; i < points; ++i) {
      sa.price_duration.push_back(prices[points > 1 ? i * (prices.size() - 1) / (points - 1) : 0]);
    }
    // The recommendation: the highest NPV (ties: keep-mining, then hybrid, then convert: the
    // least change first).
    Strategy best = Strategy::kKeepMining;
    for (Strategy st : {Strategy::kHybrid, Strategy::kConvert}) {
      if (sa.strategies[static_cast<size_t>(st)].npv > sa.strategies[static_cast<size_t>(best)].npv)
        best = st;
    }
    // A hybrid that mines nothing is convert under another name.
    if (best == Strategy::kHybrid && sa.strategies[2].revenue_mining.IsZero() &&
        sa.strategies[2].npv == sa.strategies[1].npv) {
      best = Strategy::kConvert;
    }
    sa.recommended = best;
    sa.recommendation_by_scenario = {best, best, best};
    for (size_t sc = 0; sc < 3; ++sc) {
      Strategy b = Strategy::kKeepMining;
      for (Strategy st : {Strategy::kHybrid, Strategy::kConvert}) {
        if (sa.strategies[static_cast<size_t>(st)].scenario_npv[sc] >
            sa.strategies[static_cast<size_t>(b)].scenario_npv[sc])
          b = st;
      }
      if (b == Strategy::kHybrid && sa.strategies[2].revenue_mining.IsZero() &&
          sa.strategies[2].scenario_npv[sc] == sa.strategies[1].scenario_npv[sc]) {
        b = Strategy::kConvert;
      }
      sa.recommendation_by_scenario[sc] = b;
    }
    a.recommended_npv += sa.strategies[static_cast<size_t>(best)].npv;
    for (size_t k = 0; k < 3; ++k) AddInto(a.fleet[k], sa.strategies[k]);
    sa.recommendation = Recommend(sa, a.groups, options);
    a.sites.push_back(std::move(sa));
  }
  for (auto& f : a.fleet) f.payback_months = econ::PaybackMonths(f.flows);
  for (auto& so : a.outlook.scenarios) {
    const auto s = static_cast<size_t>(so.scenario);
    for (size_t k = 0; k < 3; ++k) so.npv[k] = a.fleet[k].scenario_npv[s];
    size_t best = 0;
    for (size_t k = 1; k < 3; ++k) {
      if (so.npv[k] > so.npv[best]) best = k;
    }
    so.best = static_cast<Strategy>(best);
  }

  if (options.sensitivity) {
    struct Scenario {
      const char* name;
      int64_t hp, gpu;
    };
    static constexpr Scenario kScenarios[] = {{"as given", 1000, 1000},
                                              {"hashprice x0.5", 500, 1000},
                                              {"hashprice x1.5", 1500, 1000},
                                              {"GPU-hour price x0.5", 1000, 500},
                                              {"GPU-hour price x1.5", 1000, 1500}};
    for (const Scenario& sc : kScenarios) {
      SensitivityRow row;
      row.scenario = sc.name;
      row.hashprice_permille = sc.hp * options.hashprice_scale_permille / 1000;
      row.gpu_price_permille = sc.gpu * options.gpu_price_scale_permille / 1000;
      if (sc.hp == 1000 && sc.gpu == 1000) {
        for (size_t k = 0; k < 3; ++k) row.npv[k] = a.fleet[k].npv;
      } else {
        AssessOptions o = options;
        o.hashprice_scale_permille = row.hashprice_permille;
        o.gpu_price_scale_permille = row.gpu_price_permille;
        for (size_t s = 0; s < fleet.sites.size(); ++s) {
          SiteMarket sm = site_market(fleet.sites[s]);
          SiteMoney m = ComputeSiteMoney(fleet.sites[s], a.sites[s].envelope, a.groups,
                                         a.sites[s].groups, market, sm, o, false);
          for (size_t k = 0; k < 3; ++k) row.npv[k] += m.results[k].npv;
        }
      }
      size_t best = 0;
      for (size_t k = 1; k < 3; ++k) {
        if (row.npv[k] > row.npv[best]) best = k;
      }
      row.best = static_cast<Strategy>(best);
      a.sensitivity.push_back(row);
    }
  }
  return a;
}

}  // namespace rigshift::assess
