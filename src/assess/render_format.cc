#include <cmath>
#include <cstdio>

#include "assess/outlook.h"
#include "assess/render.h"
#include "market/bitcoin.h"

namespace rigshift::assess {

std::string FormatMoneyShort(Money m) {
  const double v = ToUsd(m);
  const double a = std::fabs(v);
  char buf[64];
  if (a >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.2f B USD", v / 1e9);
  } else if (a >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2f M USD", v / 1e6);
  } else if (a >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.0f k USD", v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f USD", v);
  }
  return buf;
}

std::string FormatCount(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string FormatFixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

namespace {
std::string SignedPercent(double fraction) {
  return (fraction >= 0 ? "+" : "") + FormatFixed(fraction * 100.0, 0) + " %/yr";
}
std::string YearMonth(TimePoint t) { return FormatDate(t).substr(0, 7); }
}  // namespace

std::string ScenarioPriceAssumption(const Assessment& a, const ScenarioOutlook& s) {
  switch (s.scenario) {
    case market::PriceScenario::kFlat:
      return "held at window end";
    case market::PriceScenario::kHistoryDrift:
      return SignedPercent(a.outlook.trends.price_growth_per_year) + " (fitted)";
    case market::PriceScenario::kStress:
      return "x" + FormatFixed(a.options.outlook.stress_price_factor, 2) + " after the window";
  }
  return "?";
}

std::string OutlookSummary(const Assessment& a) {
  const MiningOutlook& o = a.outlook;
  if (!o.projected) return "No hashprice projection (" + o.note + ").";
  std::string halvings;
  for (const market::Halving& h : market::Halvings()) {
    const TimePoint end = AddMonths(StartOfMonth(a.from), a.options.horizon_months);
    if (h.time < o.anchor_month || h.time >= end) continue;
    halvings += std::string(halvings.empty() ? "" : ", ") + "block " + FormatCount(h.height) +
                " on " + FormatDate(h.time) + (h.estimated ? " (estimated)" : "");
  }
  return "The window's months repeat; past " + YearMonth(o.anchor_month) +
         " the SHA-256 hashprice follows the halving schedule" +
         (halvings.empty() ? std::string() : " (" + halvings + ")") +
         ", a difficulty trend of " + SignedPercent(o.trends.difficulty_growth_per_year) +
         " fitted to " + YearMonth(o.trends.first) + " .. " + YearMonth(o.trends.last) + " (" +
         std::to_string(o.trends.months_used) + " months), transaction fees as the dated share " +
         "of the block reward (" + o.fee_source + "), and the BTC price of each scenario; " +
         "GPU-mined coins repeat the window. Headline NPVs use the flat-price scenario.";
}

}  // namespace rigshift::assess
