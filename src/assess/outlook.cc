#include "assess/outlook.h"

#include <algorithm>

namespace rigshift::assess {

TimePoint AddMonths(TimePoint month, int k) {
  const int index = YearOf(month) * 12 + (MonthOf(month) - 1) + k;
  return DaysFromCivil(index / 12, index % 12 + 1, 1) * kDay;
}

int WindowMonths(TimePoint from, TimePoint to) {
  const int64_t hours = std::max<int64_t>(0, (to - from) / kHour);
  if (hours < 24 * 28) return 1;
  const TimePoint first = StartOfMonth(from), last = StartOfMonth(from + (hours - 1) * kHour);
  int n = 1;
  for (TimePoint m = first; m < last; m = AddMonths(m, 1)) ++n;
  return n;
}

MiningOutlook ProjectMining(const market::MarketData& market, TimePoint from, TimePoint to,
                            const AssessOptions& options, std::vector<std::string>& warnings) {
  MiningOutlook out;
  const int horizon = options.horizon_months;
  const int64_t hours = std::max<int64_t>(0, (to - from) / kHour);
  out.window_months = WindowMonths(from, to);
  const TimePoint first_month = StartOfMonth(from);
  out.anchor_month = hours > 0 ? StartOfMonth(from + (hours - 1) * kHour) : first_month;
  // The window's mean hashprice per repeated month (one mean for a short window).
  std::vector<double> sum(static_cast<size_t>(out.window_months), 0.0);
  std::vector<int64_t> count(sum.size(), 0);
  for (int64_t h = 0; h < hours; ++h) {
    const TimePoint t = from + h * kHour;
    size_t j = 0;
    if (out.window_months > 1) {
      const TimePoint m = StartOfMonth(t);
      while (AddMonths(first_month, static_cast<int>(j)) < m) ++j;
    }
    sum[j] += ToUsdPerThsDay(market.hashprice.At(t));
    ++count[j];
  }
  std::vector<double> window_hp(sum.size(), 0.0);
  for (size_t j = 0; j < sum.size(); ++j) {
    window_hp[j] = count[j] > 0 ? sum[j] / static_cast<double>(count[j]) : 0.0;
  }
  const double anchor_hp = window_hp.back();

  bool project = options.project_mining && horizon > out.window_months && anchor_hp > 0;
  if (options.project_mining && horizon > out.window_months && !(anchor_hp > 0)) {
    out.note = "the window's hashprice is zero: nothing to project";
  }
  if (project) {
    auto trends = market::FitTrends(market.btc_history, out.anchor_month, options.outlook);
    if (trends.ok()) {
      out.trends = *trends;
    } else {
      project = false;
      out.note = "no hashprice projection: " + trends.status().message();
      warnings.push_back(out.note + "; the window's hashprice repeats over the horizon");
    }
  } else if (out.note.empty()) {
    out.note = !options.project_mining ? "projection off: the window's hashprice repeats"
                                       : "the horizon lies inside the window";
  }
  out.projected = project;
  out.fee_source = market.fee_shares.source;
  for (market::PriceScenario sc : market::kPriceScenarios) {
    ScenarioOutlook so;
    so.scenario = sc;
    for (int m = 1; m <= horizon; ++m) {
      const size_t j = static_cast<size_t>((m - 1) % out.window_months);
      double scale = 1.0;
      if (project && m > out.window_months && window_hp[j] > 0) {
        const double ratio =
            market::HashpriceRatio(out.trends, market.fee_shares, out.anchor_month,
                                   AddMonths(first_month, m - 1), sc, options.outlook);
        scale = ratio * anchor_hp / window_hp[j];
      }
      so.hashprice_scale.push_back(scale);
      so.hashprice_usd_per_ths_day.push_back(window_hp[j] * scale);
    }
    out.scenarios.push_back(std::move(so));
  }
  return out;
}

}  // namespace rigshift::assess
