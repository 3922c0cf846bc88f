// The money model of the assessment: each strategy of a site replayed hour by hour over the
// window, then NPV, payback and the break-even GPU-hour price. Part of assess; pure.
//
// Loop shape: hours x units, where a unit is a block of identical devices (a device group, or the
// GPUs of new servers), never single devices: a 100,000-device site with 20 groups costs 20
// iterations an hour. Counts are carried in milli-devices so that a utilisation of 70 % of 333
// GPUs is exact.
//
// Each hour: AI units draw (rented x AI draw + unrented x idle draw + host share) and earn
// rented x GPU-hour price; then mining candidates (mining units, and in hybrid the unrented share
// of AI units) are taken in order of margin per watt while their margin is positive and the IT
// envelope (min(grid cap / PUE, cooling)) has room; the rest is off. Energy is paid on the hour's
// total IT power (econ::EnergyCost: IT x PUE x (price + adder)), demand charges on each month's
// facility peak. Opex accrues per hour.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "assess/assess.h"

namespace rigshift::assess {

// The prices of one site over the window, hour by hour (built once, reused by every run).
struct SiteMarket {
  TimePoint from = 0;
  int64_t hours = 0;
  std::vector<EnergyPrice> energy;      // market + adder
  std::vector<HashPrice> hashprice;     // SHA-256
  std::vector<TimePoint> month_starts;  // months touched by the window, in order
  std::vector<int32_t> month_of_hour;   // index into month_starts
  // Per market::PriceScenario, per horizon month: the hashprice multiplier on the window month
  // that horizon month repeats (ScenarioOutlook::hashprice_scale); empty: the window repeats.
  std::array<std::vector<double>, 3> horizon_hashprice_scale;
};
SiteMarket BuildSiteMarket(const fleet::Site& site, const market::MarketData& market,
                           TimePoint from, TimePoint to);

struct SiteMoney {
  std::array<StrategyResult, 3> results;
  UpgradePlan convert_plan, hybrid_plan;
  std::optional<GpuHourPrice> break_even;
  std::string break_even_gpu;
  double break_even_price_scale = 0;
  double mining_break_even_usd_per_mwh = 0;
};

// All three strategies of one site. `site_groups` index into `groups`. With `break_even`, two extra
// convert runs find the GPU-hour price at which convert's NPV equals keep-mining's.
SiteMoney ComputeSiteMoney(const fleet::Site& site, const econ::SiteEnvelope& envelope,
                           const std::vector<DeviceGroupAssessment>& groups,
                           const std::vector<int64_t>& site_groups,
                           const market::MarketData& market, const SiteMarket& prices,
                           const AssessOptions& options, bool break_even);

}  // namespace rigshift::assess
