#include "market/btc_outlook.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/text.h"
#include "market/bitcoin.h"

namespace rigshift::market {
namespace {

constexpr double kSecondsPerYear = 365.25 * 86400.0;
constexpr const char* kMiningCostsSource =
    "embedded from the tx_fee_share rows of markets/reference/mining_costs.csv, 2021-08 .. 2025";

TimePoint MonthStart(int year, int month) { return DaysFromCivil(year, month, 1) * kDay; }

// "2024-11-12", "2024-11", "2024" -> the first second of that day, month or year.
Result<TimePoint> ParseAsOf(std::string_view text) {
  text = Trim(text);
  if (text.size() == 4) {
    ASSIGN_OR_RETURN(int64_t y, ParseInt64(text));
    return YearStart(static_cast<int>(y));
  }
  if (text.size() == 7 && text[4] == '-') {
    ASSIGN_OR_RETURN(int64_t y, ParseInt64(text.substr(0, 4)));
    ASSIGN_OR_RETURN(int64_t m, ParseInt64(text.substr(5, 2)));
    if (m < 1 || m > 12) return Status::InvalidArgument("month out of range");
    return MonthStart(static_cast<int>(y), static_cast<int>(m));
  }
  return ParseTimestamp(text);
}

}  // namespace

double FeeShareTable::ShareAt(TimePoint t) const {
  if (points.empty()) return 0;
  if (t <= points.front().from) return points.front().share;
  if (t >= points.back().from) return points.back().share;
  for (size_t i = 1; i < points.size(); ++i) {
    const FeeSharePoint& b = points[i];
    if (t >= b.from) continue;
    const FeeSharePoint& a = points[i - 1];
    const double f =
        static_cast<double>(t - a.from) / static_cast<double>(std::max<int64_t>(1, b.from - a.from));
    return a.share + (b.share - a.share) * f;
  }
  return points.back().share;
}

const FeeShareTable& DefaultFeeShares() {
  static const FeeShareTable kTable = [] {
    FeeShareTable t;
    t.source = kMiningCostsSource;
    t.points = {
        {*ParseTimestamp("2021-08-07"), 0.0134,
         "Hashrate Index roundup 2021-08-07: average fee percentage per block 1.34 %"},
        {*ParseTimestamp("2021-10-24"), 0.0107,
         "Hashrate Index roundup 2021-10-24: average fee percentage per block 1.07 %"},
        {*ParseTimestamp("2024-04-19"), 0.11,
         "Glassnode via vcpcryptonews 2024-04-21: fees 11 % of miner revenue on 2024-04-19, "
         "'relatively stable throughout the year'"},
        {*ParseTimestamp("2024-11-12"), 0.0482,
         "Hashrate Index data page (urlscan capture) 2024-11-12: fees in blocks (24h) 4.82 %"},
        // 0.036 BTC per block against the 3.125 BTC subsidy: 0.036 / 3.161.
        {YearStart(2025), 0.036 / (3.125 + 0.036),
         "hashlabs.io 2025: average fee per block 0.036 BTC year to date"},
    };
    return t;
  }();
  return kTable;
}

Result<FeeShareTable> ParseFeeSharesCsv(std::string_view text, const std::string& source) {
  ASSIGN_OR_RETURN(std::vector<CsvRow> rows, ParseCsv(text, source));
  if (rows.empty()) return Status::InvalidArgument(source + ": empty file");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].fields.size(); ++i) col[std::string(Trim(rows[0].fields[i]))] = i;
  for (const char* need : {"category", "value", "unit", "as_of", "source"}) {
    if (col.count(need) == 0) {
      return Status::InvalidArgument(source + ": line 1: no '" + std::string(need) + "' column");
    }
  }
  auto field = [&](const CsvRow& r, const char* name) -> std::string_view {
    const size_t i = col[name];
    return i < r.fields.size() ? Trim(r.fields[i]) : std::string_view();
  };
  FeeShareTable t;
  t.source = source;
  for (size_t k = 1; k < rows.size(); ++k) {
    const CsvRow& r = rows[k];
    if (field(r, "category") != "tx_fee_share") continue;
    const std::string unit = ToLower(field(r, "unit"));
    if (field(r, "value").empty() || unit.find("lower bound") != std::string::npos) continue;
    const std::string where = source + ":" + std::to_string(r.line) + ": ";
    auto value = ParseDouble(field(r, "value"));
    if (!value.ok()) return Status::InvalidArgument(where + "value: " + value.status().message());
    auto from = ParseAsOf(field(r, "as_of"));
    if (!from.ok()) return Status::InvalidArgument(where + "as_of: " + from.status().message());
    double share = 0;
    if (unit.rfind("%", 0) == 0 &&
        (unit.find("block reward") != std::string::npos ||
         unit.find("miner revenue") != std::string::npos)) {
      share = *value / 100.0;
    } else if (unit.find("btc per block") != std::string::npos) {
      const double subsidy = BlockSubsidyBtcAt(*from);
      share = *value / (subsidy + *value);
    } else {
      continue;
    }
    if (!(share >= 0 && share < 1)) {
      return Status::InvalidArgument(where + "fee share out of range (expected 0 .. <100 %)");
    }
    t.points.push_back({*from, share, std::string(field(r, "source"))});
  }
  if (t.points.empty()) {
    return Status::InvalidArgument(source + ": no usable tx_fee_share rows");
  }
  std::stable_sort(t.points.begin(), t.points.end(),
                   [](const FeeSharePoint& a, const FeeSharePoint& b) { return a.from < b.from; });
  return t;
}

const BtcHistory& DefaultBtcHistory() {
  struct Row {
    int year, month;
    double difficulty_t, price_usd;
  };
  // Monthly means of the 4-daily rows of btc_network_4day_2009_2024.csv (difficulty in units of
  // 1e12; market_price_usd), blockchain.com chart exports via ../shared/data/markets/bitcoin.
  static constexpr Row kRows[] = {
      {2016, 1, 0.1078, 418}, {2016, 2, 0.1401, 394}, {2016, 3, 0.1622, 417}, {2016, 4, 0.1715, 427},
      {2016, 5, 0.187, 452}, {2016, 6, 0.2002, 616}, {2016, 7, 0.2125, 663}, {2016, 8, 0.2101, 592},
      {2016, 9, 0.2245, 599}, {2016, 10, 0.2517, 625}, {2016, 11, 0.2622, 715}, {2016, 12, 0.2967, 797},
      {2017, 1, 0.3352, 916}, {2017, 2, 0.4155, 1005}, {2017, 3, 0.4603, 1153}, {2017, 4, 0.5075, 1169},
      {2017, 5, 0.5482, 1724}, {2017, 6, 0.6648, 2562}, {2017, 7, 0.7573, 2482}, {2017, 8, 0.8959, 3593},
      {2017, 9, 0.9639, 4160}, {2017, 10, 1.173, 5096}, {2017, 11, 1.402, 7226}, {2017, 12, 1.602, 14189},
      {2018, 1, 2.123, 13310}, {2018, 2, 2.821, 9460}, {2018, 3, 3.274, 9462}, {2018, 4, 3.646, 7756},
      {2018, 5, 4.113, 8651}, {2018, 6, 4.811, 6966}, {2018, 7, 5.251, 6831}, {2018, 8, 6.216, 6841},
      {2018, 9, 6.955, 6640}, {2018, 10, 7.298, 6510}, {2018, 11, 7.021, 5877}, {2018, 12, 5.754, 3760},
      {2019, 1, 5.667, 3732}, {2019, 2, 5.946, 3634}, {2019, 3, 6.125, 3925}, {2019, 4, 6.381, 4999},
      {2019, 5, 6.617, 6771}, {2019, 6, 7.378, 8727}, {2019, 7, 8.536, 11013}, {2019, 8, 9.782, 10596},
      {2019, 9, 11.16, 10121}, {2019, 10, 12.92, 8251}, {2019, 11, 13.12, 8575}, {2019, 12, 12.92, 7272},
      {2020, 1, 14.03, 8011}, {2020, 2, 15.47, 9677}, {2020, 3, 15.95, 7439}, {2020, 4, 14.7, 6960},
      {2020, 5, 15.86, 9110}, {2020, 6, 14.81, 9497}, {2020, 7, 16.54, 9368}, {2020, 8, 16.95, 11625},
      {2020, 9, 17.88, 10808}, {2020, 10, 19.56, 11552}, {2020, 11, 17.64, 16010}, {2020, 12, 18.79, 20546},
      {2021, 1, 19.89, 33866}, {2021, 2, 21.34, 44706}, {2021, 3, 21.62, 53534}, {2021, 4, 23.05, 57298},
      {2021, 5, 23.18, 48612}, {2021, 6, 20.71, 36138}, {2021, 7, 15.28, 33602}, {2021, 8, 15.22, 44781},
      {2021, 9, 18.24, 46857}, {2021, 10, 19.71, 54738}, {2021, 11, 21.88, 61782}, {2021, 12, 23.31, 51072},
      {2022, 1, 24.85, 42775}, {2022, 2, 27.04, 40541}, {2022, 3, 27.59, 41087}, {2022, 4, 28.37, 42555},
      {2022, 5, 30.41, 33164}, {2022, 6, 30.07, 26229}, {2022, 7, 29.04, 21047}, {2022, 8, 28.11, 22791},
      {2022, 9, 31.18, 19950}, {2022, 10, 33.83, 19422}, {2022, 11, 36.83, 18245}, {2022, 12, 35.24, 16985},
      {2023, 1, 35.66, 19010}, {2023, 2, 39.22, 23244}, {2023, 3, 43.67, 24402}, {2023, 4, 47.69, 28681},
      {2023, 5, 48.67, 27798}, {2023, 6, 51.46, 27399}, {2023, 7, 52.33, 30264}, {2023, 8, 52.91, 28347},
      {2023, 9, 55.45, 26324}, {2023, 10, 58.61, 28328}, {2023, 11, 63.49, 35978}, {2023, 12, 68.46, 41818},
      {2024, 1, 72.28, 43076}, {2024, 2, 76.67, 47342}, {2024, 3, 81.56, 66102}, {2024, 4, 85.03, 67049},
      {2024, 5, 85.23, 64714}, {2024, 6, 83.89, 67117}, {2024, 7, 81.43, 62000}, {2024, 8, 88.35, 60966},
      {2024, 9, 91, 59351}, {2024, 10, 91.31, 64842}, {2024, 11, 99.88, 79472},
  };
  static const BtcHistory kHistory = [] {
    BtcHistory h;
    h.source =
        "monthly means of btc_network_4day_2009_2024.csv (blockchain.com exports), embedded";
    for (const Row& r : kRows) {
      h.months.push_back({MonthStart(r.year, r.month), r.difficulty_t * 1e12, r.price_usd});
    }
    return h;
  }();
  return kHistory;
}

BtcHistory MonthlyBtcHistory(const std::vector<BtcNetworkSample>& samples, std::string source) {
  BtcHistory h;
  h.source = std::move(source);
  std::map<TimePoint, std::pair<double, double>> sums;
  std::map<TimePoint, int> counts;
  for (const BtcNetworkSample& s : samples) {
    if (!(s.difficulty > 0) || !(s.price_usd > 0)) continue;  // pre-market rows have price 0
    const TimePoint m = StartOfMonth(s.t);
    sums[m].first += s.difficulty;
    sums[m].second += s.price_usd;
    ++counts[m];
  }
  for (const auto& [m, s] : sums) {
    const double n = counts[m];
    h.months.push_back({m, s.first / n, s.second / n});
  }
  return h;
}

const char* PriceScenarioName(PriceScenario s) {
  switch (s) {
    case PriceScenario::kFlat:
      return "flat BTC price";
    case PriceScenario::kHistoryDrift:
      return "history drift";
    case PriceScenario::kStress:
      return "stress";
  }
  return "?";
}

Result<Trends> FitTrends(const BtcHistory& history, TimePoint anchor_month,
                         const OutlookOptions& options) {
  if (options.lookback_months < 6 || options.lookback_months > 600) {
    return Status::OutOfRange("trend lookback " + std::to_string(options.lookback_months) +
                              " months (expected 6..600)");
  }
  const int months_back = YearOf(anchor_month) * 12 + (MonthOf(anchor_month) - 1) -
                          options.lookback_months;
  const TimePoint first = MonthStart(months_back / 12, months_back % 12 + 1);
  double n = 0, sx = 0, sxx = 0, sd = 0, sxd = 0, sp = 0, sxp = 0;
  Trends t;
  for (const BtcMonth& m : history.months) {
    if (m.start <= first || m.start > anchor_month) continue;
    if (!(m.difficulty > 0) || !(m.price_usd > 0)) continue;
    const double x = static_cast<double>(m.start - anchor_month) / kSecondsPerYear;
    const double d = std::log(m.difficulty), p = std::log(m.price_usd);
    n += 1;
    sx += x;
    sxx += x * x;
    sd += d;
    sxd += x * d;
    sp += p;
    sxp += x * p;
    if (t.months_used == 0) t.first = m.start;
    t.last = m.start;
    ++t.months_used;
  }
  if (t.months_used < 6) {
    return Status::FailedPrecondition(
        "the BTC network history (" + history.source + ") has " +
        std::to_string(t.months_used) + " months in the " +
        std::to_string(options.lookback_months) + " months before " + FormatDate(anchor_month) +
        " (at least 6 are needed to fit a trend)");
  }
  const double den = n * sxx - sx * sx;
  const double slope_d = (n * sxd - sx * sd) / den;
  const double slope_p = (n * sxp - sx * sp) / den;
  t.difficulty_growth_per_year = std::exp(slope_d) - 1.0;
  t.price_growth_per_year = std::exp(slope_p) - 1.0;
  return t;
}

double HashpriceRatio(const Trends& trends, const FeeShareTable& fees, TimePoint anchor_month,
                      TimePoint month, PriceScenario scenario, const OutlookOptions& options) {
  const TimePoint a = anchor_month + 15 * kDay, t = month + 15 * kDay;
  const double years = static_cast<double>(t - a) / kSecondsPerYear;
  double price = 1.0;
  switch (scenario) {
    case PriceScenario::kFlat:
      break;
    case PriceScenario::kHistoryDrift:
      price = std::pow(1.0 + trends.price_growth_per_year, years);
      break;
    case PriceScenario::kStress:
      price = t > a ? options.stress_price_factor : 1.0;
      break;
  }
  const double reward_a = BlockSubsidyBtcAt(a) / (1.0 - fees.ShareAt(a));
  const double reward_t = BlockSubsidyBtcAt(t) / (1.0 - fees.ShareAt(t));
  const double difficulty = std::pow(1.0 + trends.difficulty_growth_per_year, years);
  return price * (reward_t / reward_a) / difficulty;
}

}  // namespace rigshift::market
