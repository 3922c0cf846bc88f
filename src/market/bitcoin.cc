#include "market/bitcoin.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace rigshift::market {
namespace {

using Json = nlohmann::json;

// Values outside this are not a hashprice (2012 peaked near 4,000 USD/TH/day).
constexpr double kMaxHashpriceUsd = 1e9;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string FormatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

const char* JsonTypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      return "nothing";
    default:
      return "a number";
  }
}

Status JsonError(const std::string& source, const std::string& path, const std::string& what) {
  return Status::InvalidArgument(source + ": " + path + ": " + what);
}

bool TimeInRange(TimePoint t) { return t >= YearStart(1900) && t < YearStart(2200); }

// "Miners Revenue" -> "miners-revenue", "Market Price (USD)" -> "market-price".
std::string MetricFromName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '(') break;
    if (c == ' ' || c == '_') {
      if (!out.empty() && out.back() != '-') out.push_back('-');
    } else {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

Result<ChartSeries> ParsePoints(const Json& array, const std::string& source,
                                const std::string& metric) {
  if (!array.is_array()) {
    return JsonError(
        source, metric,
        std::string("expected an array of {\"x\", \"y\"} points, found ") + JsonTypeName(array));
  }
  ChartSeries out;
  out.metric = metric;
  out.source = source;
  out.points.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    const Json& p = array[i];
    std::string path = metric + "[" + std::to_string(i) + "]";
    if (!p.is_object()) {
      return JsonError(source, path,
                       std::string("expected an object {\"x\", \"y\"}, found ") + JsonTypeName(p));
    }
    auto x_it = p.find("x");
    auto y_it = p.find("y");
    if (x_it == p.end()) return JsonError(source, path + ".x", "missing");
    if (y_it == p.end()) return JsonError(source, path + ".y", "missing");
    TimePoint t = 0;
    if (x_it->is_number()) {
      double ms = x_it->get<double>();
      if (!std::isfinite(ms) || ms < -2.3e12 || ms > 7.3e12) {
        return JsonError(source, path + ".x",
                         "time " + FormatNumber(ms) + " ms is outside 1900..2199");
      }
      t = static_cast<TimePoint>(std::floor(ms / 1000.0));
    } else if (x_it->is_string()) {
      auto parsed = ParseTimestamp(x_it->get<std::string>());
      if (!parsed.ok()) return JsonError(source, path + ".x", parsed.status().message());
      t = *parsed;
    } else {
      return JsonError(source, path + ".x",
                       std::string("expected a time (ms since epoch or \"YYYY-MM-DD HH:MM:SS\"), "
                                   "found ") +
                           JsonTypeName(*x_it));
    }
    if (!TimeInRange(t)) return JsonError(source, path + ".x", "time is outside 1900..2199");
    if (!y_it->is_number()) {
      return JsonError(source, path + ".y",
                       std::string("expected a number, found ") + JsonTypeName(*y_it));
    }
    double y = y_it->get<double>();
    if (!std::isfinite(y)) return JsonError(source, path + ".y", "not a finite number");
    if (y < 0) return JsonError(source, path + ".y", "negative value " + FormatNumber(y));
    if (!out.points.empty() && t <= out.points.back().t) {
      return JsonError(source, path + ".x",
                       "time " + FormatTimestamp(t) + " is not after the previous point's " +
                           FormatTimestamp(out.points.back().t));
    }
    out.points.push_back(ChartPoint{t, y});
  }
  if (out.points.empty()) return JsonError(source, metric, "no points");
  return out;
}

Result<Json> ParseJsonText(std::string_view text, const std::string& source) {
  if (Trim(text).empty()) return Status::InvalidArgument(source + ": empty file (expected JSON)");
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> drop the tag.
    size_t close = what.find("] ");
    if (close != std::string::npos) what = what.substr(close + 2);
    return Status::InvalidArgument(source + ": " + what);
  }
}

Result<std::vector<ChartSeries>> ParseChartDocument(const Json& doc, const std::string& source,
                                                    std::string_view only_metric) {
  if (!doc.is_object()) {
    return JsonError(source, "(top level)",
                     std::string("expected an object, found ") + JsonTypeName(doc));
  }
  std::vector<ChartSeries> out;
  if (doc.contains("values")) {
    // Single-metric form.
    std::string metric;
    std::string unit;
    if (auto n = doc.find("name"); n != doc.end()) {
      if (!n->is_string()) {
        return JsonError(source, "name",
                         std::string("expected a string, found ") + JsonTypeName(*n));
      }
      metric = MetricFromName(n->get<std::string>());
    }
    if (auto u = doc.find("unit"); u != doc.end() && u->is_string()) unit = u->get<std::string>();
    if (metric.empty()) metric = "values";
    if (!only_metric.empty() && only_metric != metric) {
      return JsonError(
          source, "name",
          "holds '" + metric + "', not the requested '" + std::string(only_metric) + "'");
    }
    ASSIGN_OR_RETURN(ChartSeries s, ParsePoints(doc["values"], source, "values"));
    s.metric = metric;
    s.unit = unit;
    out.push_back(std::move(s));
    return out;
  }
  if (!doc.contains("metric1")) {
    return JsonError(source, "(top level)",
                     "neither a two-metric export (\"metric1\", \"metric2\" and their arrays) "
                     "nor a single-metric one (\"name\", \"values\")");
  }
  std::vector<std::string> metrics;
  for (const char* key : {"metric1", "metric2"}) {
    auto it = doc.find(key);
    if (it == doc.end()) continue;
    if (!it->is_string() || it->get<std::string>().empty()) {
      return JsonError(source, key, "expected a metric name (string)");
    }
    std::string m = it->get<std::string>();
    if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
  }
  if (!only_metric.empty()) {
    if (std::find(metrics.begin(), metrics.end(), only_metric) == metrics.end()) {
      std::string have;
      for (const auto& m : metrics) have += (have.empty() ? "" : ", ") + m;
      return JsonError(source, std::string(only_metric),
                       "not in this export (it holds: " + have + ")");
    }
    metrics = {std::string(only_metric)};
  }
  for (const std::string& m : metrics) {
    auto arr = doc.find(m);
    if (arr == doc.end()) {
      // metric2 of a one-metric export repeats metric1's name or names an absent array.
      if (m == metrics.front()) return JsonError(source, m, "missing (named by metric1)");
      continue;
    }
    ASSIGN_OR_RETURN(ChartSeries s, ParsePoints(*arr, source, m));
    out.push_back(std::move(s));
  }
  return out;
}

// Linear interpolation of a chart at t (t inside [front, back]).
double InterpolateAt(const std::vector<ChartPoint>& pts, TimePoint t) {
  auto it = std::lower_bound(pts.begin(), pts.end(), t,
                             [](const ChartPoint& p, TimePoint v) { return p.t < v; });
  if (it == pts.end()) return pts.back().y;
  if (it->t == t || it == pts.begin()) return it->y;
  const ChartPoint& b = *it;
  const ChartPoint& a = *(it - 1);
  double f = static_cast<double>(t - a.t) / static_cast<double>(b.t - a.t);
  return a.y + (b.y - a.y) * f;
}

struct CsvColumns {
  std::vector<std::string> names;  // lower-case, trimmed
  int Find(std::string_view name) const {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

Result<std::vector<CsvRow>> ReadCsvWithHeader(std::string_view text, const std::string& source,
                                              CsvColumns* cols) {
  if (Trim(text).empty()) return Status::InvalidArgument(source + ": empty file");
  ASSIGN_OR_RETURN(auto rows, ParseCsv(text, source));
  if (rows.empty()) return Status::InvalidArgument(source + ": empty file");
  for (const auto& f : rows[0].fields) cols->names.push_back(ToLower(Trim(f)));
  if (rows.size() == 1) {
    return Status::InvalidArgument(Location(source, rows[0].line) +
                                   ": no data rows after the header");
  }
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].fields.size() != cols->names.size()) {
      return Status::InvalidArgument(
          Location(source, rows[i].line) + ": expected " + std::to_string(cols->names.size()) +
          " columns as in the header, found " + std::to_string(rows[i].fields.size()));
    }
  }
  return rows;
}

Result<TimePoint> CsvDate(const CsvRow& row, int col, const std::string& source,
                          const std::string& col_name) {
  auto t = ParseTimestamp(row.fields[col]);
  if (!t.ok()) {
    return Status::InvalidArgument(Location(source, row.line) + ": " + col_name + ": " +
                                   t.status().message());
  }
  if (!TimeInRange(*t)) {
    return Status::InvalidArgument(Location(source, row.line) + ": " + col_name +
                                   ": year outside 1900..2199");
  }
  return *t;
}

Result<double> CsvNumber(const CsvRow& row, int col, const std::string& source,
                         const std::string& col_name, double lo, double hi) {
  auto v = ParseDouble(row.fields[col]);
  if (!v.ok()) {
    return Status::InvalidArgument(Location(source, row.line) + ": " + col_name + ": " +
                                   v.status().message());
  }
  if (*v < lo || *v > hi) {
    return Status::InvalidArgument(Location(source, row.line) + ": " + col_name + ": " +
                                   FormatNumber(*v) + " is outside " + FormatNumber(lo) + ".." +
                                   FormatNumber(hi));
  }
  return *v;
}

Result<int> DateColumn(const CsvColumns& cols, const std::string& source) {
  for (const char* name : {"date", "datetime", "time", "timestamp"}) {
    int c = cols.Find(name);
    if (c >= 0) return c;
  }
  return Status::InvalidArgument(Location(source, 1) + ": header: no 'date' column");
}

const ChartSeries* FindChart(const std::vector<ChartSeries>& charts, std::string_view metric) {
  for (const auto& c : charts) {
    if (c.metric == metric) return &c;
  }
  return nullptr;
}

}  // namespace

int64_t BlockSubsidySatoshiAtHeight(int64_t height) {
  if (height < 0) return 0;
  int64_t halvings = height / kHalvingInterval;
  if (halvings >= 64) return 0;
  return (50 * kSatoshiPerBtc) >> halvings;
}

const std::vector<Halving>& Halvings() {
  // Times of blocks 210,000 / 420,000 / 630,000 / 840,000 (UTC, from the block headers as shown
  // by public block explorers); the fifth is estimated at 600 s per block after the fourth.
  static const std::vector<Halving> kHalvings = [] {
    std::vector<Halving> h = {
        {210000, *ParseTimestamp("2012-11-28 15:24:38Z"), false},
        {420000, *ParseTimestamp("2016-07-09 16:46:13Z"), false},
        {630000, *ParseTimestamp("2020-05-11 19:23:43Z"), false},
        {840000, *ParseTimestamp("2024-04-20 00:09:27Z"), false},
    };
    h.push_back({1050000, h.back().time + kHalvingInterval * 600, true});
    return h;
  }();
  return kHalvings;
}

double BlockSubsidyBtcAt(TimePoint t) {
  int64_t height = 0;
  for (const Halving& h : Halvings()) {
    if (t >= h.time) height = h.height;
  }
  return static_cast<double>(BlockSubsidySatoshiAtHeight(height)) / kSatoshiPerBtc;
}

double ExpectedBtcPerThsDay(double difficulty, double subsidy_btc) {
  return 86400.0 * 1e12 * subsidy_btc / (difficulty * 4294967296.0);
}

Result<std::vector<ChartSeries>> ParseBlockchainChartJsonAll(std::string_view text,
                                                             const std::string& source) {
  ASSIGN_OR_RETURN(Json doc, ParseJsonText(text, source));
  try {
    return ParseChartDocument(doc, source, "");
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(source + ": " + e.what());
  }
}

Result<ChartSeries> ParseBlockchainChartJson(std::string_view text, const std::string& source,
                                             std::string_view metric) {
  ASSIGN_OR_RETURN(Json doc, ParseJsonText(text, source));
  try {
    ASSIGN_OR_RETURN(auto all, ParseChartDocument(doc, source, metric));
    if (all.empty()) return JsonError(source, "(top level)", "no metric arrays");
    return std::move(all.front());
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(source + ": " + e.what());
  }
}

Result<HashpriceSamples> ParseHashpriceCsv(std::string_view text, const std::string& source) {
  CsvColumns cols;
  ASSIGN_OR_RETURN(auto rows, ReadCsvWithHeader(text, source, &cols));
  ASSIGN_OR_RETURN(int date_col, DateColumn(cols, source));
  HashpriceSamples out;
  out.source = source;
  int value_col = -1;
  for (const char* name : {"hashprice_total_usd_per_ths_day", "hashprice_usd_per_ths_day",
                           "hashprice_subsidy_usd_per_ths_day"}) {
    value_col = cols.Find(name);
    if (value_col >= 0) {
      out.includes_fees = std::string_view(name) != "hashprice_subsidy_usd_per_ths_day";
      break;
    }
  }
  if (value_col < 0) {
    return Status::InvalidArgument(
        Location(source, 1) +
        ": header: no hashprice column (expected hashprice_total_usd_per_ths_day, "
        "hashprice_usd_per_ths_day or hashprice_subsidy_usd_per_ths_day)");
  }
  const std::string value_name = cols.names[value_col];
  out.name = out.includes_fees ? "hashprice (with fees)" : "hashprice (subsidy only)";
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(TimePoint t, CsvDate(rows[i], date_col, source, cols.names[date_col]));
    ASSIGN_OR_RETURN(double v,
                     CsvNumber(rows[i], value_col, source, value_name, 0.0, kMaxHashpriceUsd));
    if (!out.samples.empty() && t <= out.samples.back().t) {
      return Status::InvalidArgument(Location(source, rows[i].line) + ": " + cols.names[date_col] +
                                     ": " + FormatDate(t) + " is not after the previous row's " +
                                     FormatDate(out.samples.back().t));
    }
    out.samples.push_back(HashpriceSample{t, v});
  }
  return out;
}

Result<std::vector<BtcNetworkSample>> ParseBtcNetworkCsv(std::string_view text,
                                                         const std::string& source) {
  CsvColumns cols;
  ASSIGN_OR_RETURN(auto rows, ReadCsvWithHeader(text, source, &cols));
  ASSIGN_OR_RETURN(int date_col, DateColumn(cols, source));
  const char* kNeeded[] = {"difficulty", "hash_rate_ths", "market_price_usd", "block_subsidy_btc"};
  int c[4];
  for (int k = 0; k < 4; ++k) {
    c[k] = cols.Find(kNeeded[k]);
    if (c[k] < 0) {
      return Status::InvalidArgument(Location(source, 1) + ": header: no '" + kNeeded[k] +
                                     "' column");
    }
  }
  std::vector<BtcNetworkSample> out;
  for (size_t i = 1; i < rows.size(); ++i) {
    BtcNetworkSample s;
    ASSIGN_OR_RETURN(s.t, CsvDate(rows[i], date_col, source, cols.names[date_col]));
    ASSIGN_OR_RETURN(s.difficulty, CsvNumber(rows[i], c[0], source, kNeeded[0], 1e-9, 1e30));
    ASSIGN_OR_RETURN(s.hash_rate_ths, CsvNumber(rows[i], c[1], source, kNeeded[1], 0, 1e30));
    ASSIGN_OR_RETURN(s.price_usd, CsvNumber(rows[i], c[2], source, kNeeded[2], 0, 1e12));
    ASSIGN_OR_RETURN(s.subsidy_btc, CsvNumber(rows[i], c[3], source, kNeeded[3], 0, 50));
    if (!out.empty() && s.t <= out.back().t) {
      return Status::InvalidArgument(Location(source, rows[i].line) + ": " + cols.names[date_col] +
                                     ": " + FormatDate(s.t) + " is not after the previous row's " +
                                     FormatDate(out.back().t));
    }
    out.push_back(s);
  }
  return out;
}

Result<HashpriceSamples> HashpriceSubsidyOnly(const ChartSeries& difficulty,
                                              const ChartSeries& price_usd) {
  HashpriceSamples out;
  out.name = "hashprice (subsidy only)";
  out.source =
      difficulty.source + (price_usd.source == difficulty.source ? "" : ", " + price_usd.source);
  if (difficulty.points.empty() || price_usd.points.empty()) {
    return Status::InvalidArgument(out.source + ": difficulty and market-price need points");
  }
  for (size_t i = 0; i < difficulty.points.size(); ++i) {
    const ChartPoint& d = difficulty.points[i];
    if (d.t < price_usd.points.front().t || d.t > price_usd.points.back().t) continue;
    std::string path = difficulty.metric + "[" + std::to_string(i) + "].y";
    if (d.y <= 0) return JsonError(difficulty.source, path, "difficulty must be > 0");
    double price = InterpolateAt(price_usd.points, d.t);
    double hp = ExpectedBtcPerThsDay(d.y, BlockSubsidyBtcAt(d.t)) * price;
    if (!std::isfinite(hp) || hp > kMaxHashpriceUsd) {
      return JsonError(difficulty.source, path,
                       "difficulty " + FormatNumber(d.y) + " at price " + FormatNumber(price) +
                           " USD gives " + FormatNumber(hp) +
                           " USD/TH/day, not a hashprice (difficulty too small?)");
    }
    out.samples.push_back(HashpriceSample{d.t, hp});
  }
  if (out.samples.empty()) {
    return Status::InvalidArgument(out.source +
                                   ": difficulty and market-price do not overlap in time");
  }
  return out;
}

HashpriceSamples HashpriceSubsidyOnly(const std::vector<BtcNetworkSample>& network) {
  HashpriceSamples out;
  out.name = "hashprice (subsidy only)";
  for (const BtcNetworkSample& s : network) {
    out.samples.push_back(
        HashpriceSample{s.t, ExpectedBtcPerThsDay(s.difficulty, s.subsidy_btc) * s.price_usd});
  }
  return out;
}

Result<HashpriceSamples> HashpriceFromRevenue(const ChartSeries& miners_revenue_usd,
                                              const ChartSeries& hash_rate_ths) {
  HashpriceSamples out;
  out.name = "hashprice (with fees)";
  out.includes_fees = true;
  out.source = miners_revenue_usd.source + ", " + hash_rate_ths.source;
  if (miners_revenue_usd.points.empty() || hash_rate_ths.points.empty()) {
    return Status::InvalidArgument(out.source + ": miners-revenue and hash-rate need points");
  }
  for (size_t i = 0; i < miners_revenue_usd.points.size(); ++i) {
    const ChartPoint& r = miners_revenue_usd.points[i];
    if (r.t < hash_rate_ths.points.front().t || r.t > hash_rate_ths.points.back().t) continue;
    double hashrate = InterpolateAt(hash_rate_ths.points, r.t);
    // The first weeks of 2009 have a zero hashrate estimate: no hashprice can be computed.
    if (hashrate <= 0) continue;
    double hp = r.y / hashrate;
    if (!std::isfinite(hp) || hp > kMaxHashpriceUsd) {
      return JsonError(miners_revenue_usd.source,
                       miners_revenue_usd.metric + "[" + std::to_string(i) + "].y",
                       "revenue " + FormatNumber(r.y) + " USD/day over " + FormatNumber(hashrate) +
                           " TH/s gives " + FormatNumber(hp) + " USD/TH/day, not a hashprice");
    }
    out.samples.push_back(HashpriceSample{r.t, hp});
  }
  if (out.samples.empty()) {
    return Status::InvalidArgument(out.source +
                                   ": miners-revenue and hash-rate do not overlap in time");
  }
  return out;
}

Result<HashPriceSeries> ToDailySeries(const HashpriceSamples& samples,
                                      Interpolation interpolation) {
  if (samples.samples.empty()) {
    return Status::InvalidArgument(samples.source + ": no hashprice samples");
  }
  // Average samples that fall on the same UTC day.
  std::vector<std::pair<int64_t, double>> days;
  int same_day = 0;
  for (const HashpriceSample& s : samples.samples) {
    if (!std::isfinite(s.usd_per_ths_day) || s.usd_per_ths_day < 0 ||
        s.usd_per_ths_day > kMaxHashpriceUsd) {
      return Status::InvalidArgument(samples.source + ": " + FormatDate(s.t) + ": hashprice " +
                                     FormatNumber(s.usd_per_ths_day) + " is outside 0..1e9");
    }
    if (!TimeInRange(s.t)) {
      return Status::InvalidArgument(samples.source + ": sample time outside 1900..2199");
    }
    int64_t d = FloorDiv(s.t, kDay);
    if (!days.empty() && days.back().first > d) {
      return Status::InvalidArgument(samples.source + ": samples are not in time order at " +
                                     FormatDate(s.t));
    }
    if (!days.empty() && days.back().first == d) {
      ++same_day;
      days.back().second = (days.back().second * same_day + s.usd_per_ths_day) / (same_day + 1);
    } else {
      same_day = 0;
      days.emplace_back(d, s.usd_per_ths_day);
    }
  }
  HashPriceSeries out;
  out.name = samples.name;
  out.start = days.front().first * kDay;
  out.step = kDay;
  size_t n = static_cast<size_t>(days.back().first - days.front().first) + 1;
  out.values.reserve(n);
  for (size_t k = 0; k + 1 < days.size(); ++k) {
    auto [d0, v0] = days[k];
    auto [d1, v1] = days[k + 1];
    for (int64_t d = d0; d < d1; ++d) {
      double v = v0;
      if (interpolation == Interpolation::kLinear) {
        v = v0 + (v1 - v0) * static_cast<double>(d - d0) / static_cast<double>(d1 - d0);
      }
      out.values.push_back(UsdPerThsDay(v));
    }
  }
  out.values.push_back(UsdPerThsDay(days.back().second));
  return out;
}

Result<ComputedHashprice> ComputeHashprice(const std::vector<ChartSeries>& charts,
                                           Interpolation interpolation,
                                           const FeeShareTable& fees) {
  const ChartSeries* difficulty = FindChart(charts, "difficulty");
  const ChartSeries* price = FindChart(charts, "market-price");
  const ChartSeries* revenue = FindChart(charts, "miners-revenue");
  const ChartSeries* hashrate = FindChart(charts, "hash-rate");
  ComputedHashprice out;
  bool have_subsidy = difficulty != nullptr && price != nullptr;
  bool have_fees = revenue != nullptr && hashrate != nullptr;
  if (!have_subsidy && !have_fees) {
    std::string have;
    for (const auto& c : charts) have += (have.empty() ? "" : ", ") + c.metric;
    return Status::InvalidArgument(
        "hashprice needs difficulty + market-price (subsidy only) or miners-revenue + hash-rate "
        "(with fees); the exports hold: " +
        (have.empty() ? std::string("nothing") : have));
  }
  if (have_subsidy) {
    ASSIGN_OR_RETURN(out.subsidy_only, HashpriceSubsidyOnly(*difficulty, *price));
    ASSIGN_OR_RETURN(out.daily_subsidy_only, ToDailySeries(out.subsidy_only, interpolation));
  }
  if (!have_fees) {
    out.daily_with_fees = out.daily_subsidy_only;
    return out;
  }
  ASSIGN_OR_RETURN(out.with_fees, HashpriceFromRevenue(*revenue, *hashrate));
  ASSIGN_OR_RETURN(HashPriceSeries total, ToDailySeries(out.with_fees, interpolation));
  if (!have_subsidy) {
    out.daily_with_fees = std::move(total);
    return out;
  }
  // After the revenue data end, fees are the dated share of the whole block reward: a fixed fee
  // amount from the last samples would carry a fee spike (late 2023) on for ever, and past the
  // halving, where the same fees would be twice the share.
  const HashPriceSeries& sub = out.daily_subsidy_only;
  HashPriceSeries& w = out.daily_with_fees;
  w.name = "hashprice (with fees)";
  w.step = kDay;
  w.start = std::min(sub.start, total.start);
  TimePoint end = std::max(sub.end(), total.end());
  for (TimePoint d = w.start; d < end; d += kDay) {
    if (total.Covers(d)) {
      w.values.push_back(total.At(d));
    } else if (d >= total.end()) {
      const double share = std::clamp(fees.ShareAt(d), 0.0, 0.99);
      w.values.push_back(UsdPerThsDay(ToUsdPerThsDay(sub.At(d)) / (1.0 - share)));
    } else {
      w.values.push_back(sub.At(d));
    }
  }
  return out;
}

Result<HashPriceSeries> LoadHashpriceCsv(const std::string& path, Interpolation interpolation) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  ASSIGN_OR_RETURN(auto samples, ParseHashpriceCsv(text, path));
  return ToDailySeries(samples, interpolation);
}

Result<ComputedHashprice> LoadHashpriceCharts(const std::vector<std::string>& paths,
                                              Interpolation interpolation,
                                              const FeeShareTable& fees) {
  std::vector<ChartSeries> charts;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
    ASSIGN_OR_RETURN(auto all, ParseBlockchainChartJsonAll(text, path));
    for (auto& c : all) charts.push_back(std::move(c));
  }
  return ComputeHashprice(charts, interpolation, fees);
}

}  // namespace rigshift::market
