#include "market/default_scenario.h"

#include <cstdio>
#include <iterator>
#include <numeric>

#include "core/time.h"
#include "market/gpu_mining.h"
#include "market/gpu_prices.h"

namespace rigshift::market {
namespace {

// ---------------------------------------------------------------------------------------------
// Monthly means, USD/MWh, by UTC calendar month: computed once (2026-11-27) from
// ../shared/data/markets/electricity (HewlettPackard/green-dcc, MIT) with
// LoadElectricityMarket(data, MARKET, 2021, 2024) and MonthlyMeans(series, filled), i.e. the
// mean of the hourly rows that fall in the UTC month (carried gap hours excluded). Shapes: per
// UTC hour, the median over 2021..2024 days of price / day mean (see default_scenario.h).
// default_scenario_test.cc recomputes both from the files.
// ---------------------------------------------------------------------------------------------
// clang-format off
const MonthlyFigure kErcotMonths[] = {
    {2021, 1, 21.32}, {2021, 2, 1483.06}, {2021, 3, 20.42}, {2021, 4, 29.49},
    {2021, 5, 24.66}, {2021, 6, 41.34}, {2021, 7, 40.96}, {2021, 8, 40.25},
    {2021, 9, 44.19}, {2021, 10, 50.80}, {2021, 11, 38.64}, {2021, 12, 27.88},
    {2022, 1, 32.09}, {2022, 2, 37.34}, {2022, 3, 35.81}, {2022, 4, 52.34},
    {2022, 5, 85.99}, {2022, 6, 81.45}, {2022, 7, 119.53}, {2022, 8, 98.86},
    {2022, 9, 69.90}, {2022, 10, 47.84}, {2022, 11, 43.47}, {2022, 12, 64.30},
    {2023, 1, 23.44}, {2023, 2, 21.25}, {2023, 3, 25.35}, {2023, 4, 23.79},
    {2023, 5, 29.03}, {2023, 6, 71.38}, {2023, 7, 54.09}, {2023, 8, 262.18},
    {2023, 9, 70.57}, {2023, 10, 33.21}, {2023, 11, 31.48}, {2023, 12, 21.28},
    {2024, 1, 43.82}, {2024, 2, 14.48}, {2024, 3, 21.80}, {2024, 4, 22.89},
    {2024, 5, 44.90}, {2024, 6, 30.51}, {2024, 7, 23.09}, {2024, 8, 35.75},
    {2024, 9, 23.75}, {2024, 10, 26.51}, {2024, 11, 23.00}, {2024, 12, 25.23},
};
const double kErcotShape[24] = {
    1.725, 1.395, 1.106, 0.960, 0.851, 0.795, 0.720, 0.673, 0.659, 0.687, 0.764, 0.903,
    0.974, 0.887, 0.836, 0.840, 0.876, 0.925, 0.991, 1.088, 1.171, 1.254, 1.340, 1.581,
};

const MonthlyFigure kNyisoMonths[] = {
    {2021, 1, 38.32}, {2021, 2, 70.43}, {2021, 3, 35.69}, {2021, 4, 31.09},
    {2021, 5, 29.08}, {2021, 6, 36.22}, {2021, 7, 38.82}, {2021, 8, 43.93},
    {2021, 9, 48.16}, {2021, 10, 55.15}, {2021, 11, 60.94}, {2021, 12, 49.92},
    {2022, 1, 147.75}, {2022, 2, 104.61}, {2022, 3, 72.78}, {2022, 4, 75.96},
    {2022, 5, 97.79}, {2022, 6, 75.84}, {2022, 7, 102.27}, {2022, 8, 106.80},
    {2022, 9, 80.36}, {2022, 10, 56.50}, {2022, 11, 82.62}, {2022, 12, 129.70},
    {2023, 1, 45.48}, {2023, 2, 65.45}, {2023, 3, 40.92}, {2023, 4, 33.10},
    {2023, 5, 26.14}, {2023, 6, 29.96}, {2023, 7, 42.62}, {2023, 8, 27.45},
    {2023, 9, 30.45}, {2023, 10, 27.77}, {2023, 11, 36.81}, {2023, 12, 32.79},
    {2024, 1, 66.67}, {2024, 2, 29.48}, {2024, 3, 25.64}, {2024, 4, 25.06},
    {2024, 5, 26.10}, {2024, 6, 34.05}, {2024, 7, 42.97}, {2024, 8, 34.51},
    {2024, 9, 31.03}, {2024, 10, 33.06}, {2024, 11, 33.80}, {2024, 12, 74.06},
};
const double kNyisoShape[24] = {
    1.227, 1.084, 0.976, 0.909, 0.887, 0.848, 0.808, 0.787, 0.786, 0.823, 0.899, 0.999,
    1.033, 0.999, 0.962, 0.962, 0.965, 0.973, 0.979, 1.000, 1.082, 1.273, 1.392, 1.349,
};

const MonthlyFigure kPjmMonths[] = {
    {2021, 1, 26.18}, {2021, 2, 41.79}, {2021, 3, 28.27}, {2021, 4, 33.67},
    {2021, 5, 31.90}, {2021, 6, 33.38}, {2021, 7, 36.96}, {2021, 8, 48.32},
    {2021, 9, 53.76}, {2021, 10, 63.49}, {2021, 11, 73.45}, {2021, 12, 42.18},
    {2022, 1, 82.28}, {2022, 2, 50.98}, {2022, 3, 45.34}, {2022, 4, 76.68},
    {2022, 5, 123.66}, {2022, 6, 97.24}, {2022, 7, 95.76}, {2022, 8, 129.39},
    {2022, 9, 90.34}, {2022, 10, 63.07}, {2022, 11, 69.44}, {2022, 12, 147.12},
    {2023, 1, 37.53}, {2023, 2, 28.35}, {2023, 3, 33.23}, {2023, 4, 42.14},
    {2023, 5, 34.41}, {2023, 6, 28.94}, {2023, 7, 38.17}, {2023, 8, 34.94},
    {2023, 9, 35.14}, {2023, 10, 43.80}, {2023, 11, 41.31}, {2023, 12, 30.65},
    {2024, 1, 47.39}, {2024, 2, 26.92}, {2024, 3, 24.02}, {2024, 4, 30.73},
    {2024, 5, 47.08}, {2024, 6, 33.25}, {2024, 7, 48.22}, {2024, 8, 34.50},
    {2024, 9, 35.46}, {2024, 10, 35.81}, {2024, 11, 29.65}, {2024, 12, 40.23},
};
const double kPjmShape[24] = {
    1.221, 1.128, 1.001, 0.887, 0.798, 0.783, 0.730, 0.705, 0.728, 0.797, 0.902, 0.983,
    0.998, 0.970, 0.970, 1.035, 1.063, 1.080, 1.081, 1.087, 1.134, 1.248, 1.356, 1.317,
};

const MonthlyFigure kCaisoMonths[] = {
    {2021, 1, 33.66}, {2021, 2, 59.49}, {2021, 3, 32.95}, {2021, 4, 35.66},
    {2021, 5, 35.73}, {2021, 6, 50.28}, {2021, 7, 66.89}, {2021, 8, 60.63},
    {2021, 9, 66.44}, {2021, 10, 66.34}, {2021, 11, 58.91}, {2021, 12, 61.75},
    {2022, 1, 52.87}, {2022, 2, 47.62}, {2022, 3, 46.90}, {2022, 4, 63.27},
    {2022, 5, 66.39}, {2022, 6, 73.84}, {2022, 7, 74.25}, {2022, 8, 96.65},
    {2022, 9, 116.41}, {2022, 10, 69.97}, {2022, 11, 90.54}, {2022, 12, 264.67},
    {2023, 1, 141.43}, {2023, 2, 74.43}, {2023, 3, 75.94}, {2023, 4, 55.92},
    {2023, 5, 18.91}, {2023, 6, 27.37}, {2023, 7, 54.86}, {2023, 8, 67.51},
    {2023, 9, 42.11}, {2023, 10, 62.37}, {2023, 11, 62.28}, {2023, 12, 53.68},
    {2024, 1, 78.40}, {2024, 2, 41.62}, {2024, 3, 30.90}, {2024, 4, 25.93},
    {2024, 5, 18.59}, {2024, 6, 25.41}, {2024, 7, 49.10}, {2024, 8, 38.92},
    {2024, 9, 37.14}, {2024, 10, 49.53}, {2024, 11, 44.94}, {2024, 12, 46.63},
};
const double kCaisoShape[24] = {
    1.146, 1.407, 1.537, 1.379, 1.260, 1.136, 1.052, 0.997, 0.958, 0.929, 0.917, 0.931,
    0.999, 1.089, 1.067, 0.916, 0.811, 0.758, 0.744, 0.734, 0.740, 0.761, 0.813, 0.920,
};

const MonthlyFigure kHashpriceMonths[] = {
    {2021, 1, 0.2542}, {2021, 2, 0.3083}, {2021, 3, 0.3652}, {2021, 4, 0.3535},
    {2021, 5, 0.2857}, {2021, 6, 0.2166}, {2021, 7, 0.3069}, {2021, 8, 0.3789},
    {2021, 9, 0.3465}, {2021, 10, 0.4111}, {2021, 11, 0.3597}, {2021, 12, 0.2688},
    {2022, 1, 0.2213}, {2022, 2, 0.1879}, {2022, 3, 0.1864}, {2022, 4, 0.1780},
    {2022, 5, 0.1436}, {2022, 6, 0.1072}, {2022, 7, 0.1023}, {2022, 8, 0.0963},
    {2022, 9, 0.0801}, {2022, 10, 0.0728}, {2022, 11, 0.0583}, {2022, 12, 0.0586},
    {2023, 1, 0.0663}, {2023, 2, 0.0754}, {2023, 3, 0.0703}, {2023, 4, 0.0800},
    {2023, 5, 0.0800}, {2023, 6, 0.0733}, {2023, 7, 0.0789}, {2023, 8, 0.0665},
    {2023, 9, 0.0576}, {2023, 10, 0.0691}, {2023, 11, 0.0909}, {2023, 12, 0.0994},
    {2024, 1, 0.0832}, {2024, 2, 0.0864}, {2024, 3, 0.1131}, {2024, 4, 0.0911},
    {2024, 5, 0.0530}, {2024, 6, 0.0554}, {2024, 7, 0.0522}, {2024, 8, 0.0470},
    {2024, 9, 0.0441}, {2024, 10, 0.0473}, {2024, 11, 0.0518},
    {2024, 12, 0.0518},
};
// clang-format on

constexpr const char* kElectricitySource =
    "computed from green-dcc %s (../shared/data/markets/electricity/%s), monthly mean of the "
    "hourly rows in each UTC month (rigshift market::MonthlyMeans, 2026-11-27)";

struct MarketTable {
  const char* market;
  const char* node;
  const char* files;
  const MonthlyFigure* begin;
  const MonthlyFigure* end;
  const double* shape;
};

const MarketTable kMarkets[] = {
    {"ercot", "ERCOT HB_HUBAVG DAM", "ercot_hb_hubavg_dam/US-TEX-ERCO_YYYY.csv",
     std::begin(kErcotMonths), std::end(kErcotMonths), kErcotShape},
    {"nyiso", "NYISO CAPITL DAM", "nyiso_capitl_dam/US-NY-NYIS_YYYY.csv", std::begin(kNyisoMonths),
     std::end(kNyisoMonths), kNyisoShape},
    {"pjm", "PJM DOM real-time hourly LMP", "pjm_dom_rt_hourly/US-MIDA-PJM_YYYY.csv",
     std::begin(kPjmMonths), std::end(kPjmMonths), kPjmShape},
    {"caiso", "CAISO TH_NP15 DAM", "caiso_np15_dam/US-CAL-CISO_YYYY.csv", std::begin(kCaisoMonths),
     std::end(kCaisoMonths), kCaisoShape},
};

TimePoint MonthStart(int year, int month) { return DaysFromCivil(year, month, 1) * kDay; }
TimePoint NextMonthStart(int year, int month) {
  return month == 12 ? MonthStart(year + 1, 1) : MonthStart(year, month + 1);
}

}  // namespace

const std::vector<DefaultElectricityMarket>& DefaultElectricityMonthly() {
  static const std::vector<DefaultElectricityMarket> kTables = [] {
    std::vector<DefaultElectricityMarket> out;
    for (const MarketTable& t : kMarkets) {
      DefaultElectricityMarket m;
      m.market = t.market;
      char buf[512];
      std::snprintf(buf, sizeof buf, kElectricitySource, t.node, t.files);
      m.source = buf;
      m.months.assign(t.begin, t.end);
      std::copy(t.shape, t.shape + 24, m.utc_hour_shape.begin());
      out.push_back(std::move(m));
    }
    return out;
  }();
  return kTables;
}

const DefaultHashprice& DefaultHashpriceMonthly() {
  static const DefaultHashprice kTable = [] {
    DefaultHashprice h;
    h.source =
        "computed from the blockchain.com chart exports in ../shared/data/markets/bitcoin "
        "(judista25_difficulty.json: difficulty and market-price; trioxwater_miners-revenue.json "
        "and trioxwater_hash-rate.json) with rigshift market::ComputeHashprice (linear daily), "
        "monthly mean of the daily with-fees hashprice, USD per TH/s per day (2026-11-27); "
        "2024-02..2024-11: subsidy only + the mean fee component of the last 8 revenue samples; "
        "2024-11 covers days 1..23; 2024-12 carries 2024-11 (no data)";
    h.months.assign(std::begin(kHashpriceMonths), std::end(kHashpriceMonths));
    return h;
  }();
  return kTable;
}

PriceSeries HourlyFromMonthly(const DefaultElectricityMarket& m) {
  PriceSeries s;
  s.name = m.market + " (rigshift default scenario)";
  s.step = kHour;
  if (m.months.empty()) return s;
  double total = std::accumulate(m.utc_hour_shape.begin(), m.utc_hour_shape.end(), 0.0);
  double norm = total > 0 ? 24.0 / total : 1.0;
  s.start = MonthStart(m.months.front().year, m.months.front().month);
  for (const MonthlyFigure& f : m.months) {
    for (TimePoint t = MonthStart(f.year, f.month); t < NextMonthStart(f.year, f.month);
         t += kHour) {
      int hour = static_cast<int>((t % kDay) / kHour);
      s.values.push_back(UsdPerMwh(f.value * m.utc_hour_shape[hour] * norm));
    }
  }
  return s;
}

HashPriceSeries DailyFromMonthly(const std::vector<MonthlyFigure>& months, std::string name) {
  HashPriceSeries s;
  s.name = std::move(name);
  s.step = kDay;
  if (months.empty()) return s;
  s.start = MonthStart(months.front().year, months.front().month);
  for (const MonthlyFigure& f : months) {
    for (TimePoint t = MonthStart(f.year, f.month); t < NextMonthStart(f.year, f.month);
         t += kDay) {
      s.values.push_back(UsdPerThsDay(f.value));
    }
  }
  return s;
}

MarketData DefaultScenario() {
  MarketData d;
  for (const DefaultElectricityMarket& m : DefaultElectricityMonthly()) {
    d.electricity[m.market] = HourlyFromMonthly(m);
  }
  d.hashprice = DailyFromMonthly(DefaultHashpriceMonthly().months,
                                 "hashprice with fees (rigshift default scenario)");
  d.gpu_mining = DefaultGpuMining(kDefaultFirstYear, kDefaultLastYear);
  d.gpu_prices = DefaultGpuHourPrices();
  d.btc_history = DefaultBtcHistory();
  d.fee_shares = DefaultFeeShares();
  d.description =
      "embedded default scenario 2021-01..2024-12 (monthly means from ../shared/data with a "
      "typical daily shape; see docs/market-data.md)";
  return d;
}

}  // namespace rigshift::market
