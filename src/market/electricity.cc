#include "market/electricity.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "core/text.h"

namespace rigshift::market {
namespace {

constexpr const char* kExpectedHeader = "'Datetime,Price (USD/MWh)'";

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Status RowError(const std::string& source, int line, const std::string& column,
                const std::string& what) {
  return Status::InvalidArgument(Location(source, line) + ": " + column + ": " + what);
}

Status CheckHeader(const CsvRow& header, const std::string& source) {
  if (header.fields.size() != 2) {
    return RowError(source, header.line, "header",
                    "expected 2 columns " + std::string(kExpectedHeader) + ", found " +
                        std::to_string(header.fields.size()));
  }
  std::string time_col = ToLower(Trim(header.fields[0]));
  if (time_col != "datetime" && time_col != "timestamp" && time_col != "time") {
    return RowError(source, header.line, "header column 1",
                    "expected 'Datetime', found '" + std::string(Trim(header.fields[0])) + "'");
  }
  std::string price_col = ToLower(Trim(header.fields[1]));
  if (price_col.rfind("price", 0) != 0) {
    return RowError(
        source, header.line, "header column 2",
        "expected 'Price (USD/MWh)', found '" + std::string(Trim(header.fields[1])) + "'");
  }
  size_t open = price_col.find('(');
  if (open != std::string::npos) {
    size_t close = price_col.find(')', open);
    std::string unit = price_col.substr(
        open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
    unit = std::string(Trim(unit));
    if (unit != "usd/mwh" && unit != "$/mwh") {
      return RowError(source, header.line, "header column 2",
                      "unit '" + unit + "' is not supported (expected USD/MWh)");
    }
  }
  return Status::Ok();
}

struct RawRow {
  TimePoint hour;
  double price;
  int line;
};

Status CheckSpan(TimePoint first, TimePoint last, const std::string& what) {
  if ((last - first) / kHour + 1 > kMaxSeriesHours) {
    return Status::InvalidArgument(what + ": time span from " + FormatTimestamp(first) + " to " +
                                   FormatTimestamp(last) +
                                   " is longer than 60 years (a mistyped year?)");
  }
  return Status::Ok();
}

// Years with a file named PREFIX_YYYY.csv (any prefix when `prefix` is empty) in `dir`.
Result<std::map<int, std::string>> YearFiles(const std::string& dir, const std::string& prefix) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return Status::NotFound(dir + ": cannot read directory (" + ec.message() + ")");
  std::map<int, std::string> out;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IoError(dir + ": " + ec.message());
    std::string name = it->path().filename().string();
    // NAME_YYYY.csv
    if (name.size() < 10 || name.substr(name.size() - 4) != ".csv") continue;
    std::string stem = name.substr(0, name.size() - 4);
    if (stem.size() < 6 || stem[stem.size() - 5] != '_') continue;
    std::string year_text = stem.substr(stem.size() - 4);
    std::string file_prefix = stem.substr(0, stem.size() - 5);
    if (!prefix.empty() && file_prefix != prefix) continue;
    auto year = ParseInt64(year_text);
    if (!year.ok() || *year < 1900 || *year > 2199) continue;
    int y = static_cast<int>(*year);
    if (out.count(y)) {
      return Status::InvalidArgument(dir + ": two files for " + year_text + ": " +
                                     std::filesystem::path(out[y]).filename().string() + " and " +
                                     name + " (pass the files explicitly)");
    }
    out[y] = it->path().string();
  }
  return out;
}

Result<std::vector<std::string>> ListYearFiles(const std::string& dir, const std::string& prefix,
                                               int from_year, int to_year) {
  if (from_year > to_year) {
    return Status::InvalidArgument("years " + std::to_string(from_year) + ".." +
                                   std::to_string(to_year) + ": the first year is after the last");
  }
  ASSIGN_OR_RETURN(auto files, YearFiles(dir, prefix));
  std::vector<std::string> paths;
  for (int y = from_year; y <= to_year; ++y) {
    auto it = files.find(y);
    if (it == files.end()) {
      std::string have = files.empty() ? "none"
                                       : std::to_string(files.begin()->first) + ".." +
                                             std::to_string(files.rbegin()->first);
      return Status::NotFound(dir + ": no file " + (prefix.empty() ? "*" : prefix) + "_" +
                              std::to_string(y) + ".csv (years present: " + have + ")");
    }
    paths.push_back(it->second);
  }
  return paths;
}

Result<LoadedPrices> LoadYears(const std::string& dir, const std::string& prefix, int from_year,
                               int to_year, std::string name) {
  ASSIGN_OR_RETURN(auto paths, ListYearFiles(dir, prefix, from_year, to_year));
  return LoadElectricityFiles(paths, std::move(name));
}

}  // namespace

Result<ParsedPrices> ParseElectricityRows(std::string_view text, const std::string& source) {
  if (Trim(text).empty() || Trim(text) == "\xEF\xBB\xBF") {
    return Status::InvalidArgument(source + ": empty file (expected a header " +
                                   std::string(kExpectedHeader) + " and hourly rows)");
  }
  ASSIGN_OR_RETURN(auto rows, ParseCsv(text, source));
  if (rows.empty()) {
    return Status::InvalidArgument(source + ": empty file (expected a header " +
                                   std::string(kExpectedHeader) + " and hourly rows)");
  }
  RETURN_IF_ERROR(CheckHeader(rows[0], source));
  if (rows.size() == 1) {
    return Status::InvalidArgument(Location(source, rows[0].line) +
                                   ": no data rows after the header");
  }
  std::vector<RawRow> raw;
  raw.reserve(rows.size() - 1);
  TimePoint latest = 0;
  int latest_line = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& row = rows[i];
    if (row.fields.size() != 2) {
      return Status::InvalidArgument(Location(source, row.line) +
                                     ": expected 2 columns (Datetime, Price (USD/MWh)), found " +
                                     std::to_string(row.fields.size()));
    }
    auto t = ParseTimestamp(row.fields[0]);
    if (!t.ok()) return RowError(source, row.line, "Datetime", t.status().message());
    int year = YearOf(*t);
    if (year < 1900 || year > 2199) {
      return RowError(source, row.line, "Datetime",
                      "year " + std::to_string(year) + " is outside 1900..2199");
    }
    auto price = ParseDouble(row.fields[1]);
    if (!price.ok()) return RowError(source, row.line, "Price (USD/MWh)", price.status().message());
    if (*price > kMaxAbsUsdPerMwh || *price < -kMaxAbsUsdPerMwh) {
      return RowError(
          source, row.line, "Price (USD/MWh)",
          "'" + std::string(Trim(row.fields[1])) + "' is outside -1e6..1e6 USD/MWh (not a price)");
    }
    if (latest_line > 0 && *t < latest - kHour) {
      return RowError(source, row.line, "Datetime",
                      "time goes backwards from " + FormatTimestamp(latest) + " (line " +
                          std::to_string(latest_line) + ") to " + FormatTimestamp(*t) +
                          "; only a repeated DST hour may go back (at most 1 hour)");
    }
    if (latest_line == 0 || *t > latest) {
      latest = *t;
      latest_line = row.line;
    }
    raw.push_back(RawRow{FloorDiv(*t, kHour) * kHour, *price, row.line});
  }
  std::stable_sort(raw.begin(), raw.end(),
                   [](const RawRow& a, const RawRow& b) { return a.hour < b.hour; });
  RETURN_IF_ERROR(CheckSpan(raw.front().hour, raw.back().hour, source));
  ParsedPrices out;
  out.source = source;
  for (size_t i = 0; i < raw.size();) {
    size_t j = i;
    double sum = 0;
    while (j < raw.size() && raw[j].hour == raw[i].hour) sum += raw[j++].price;
    int n = static_cast<int>(j - i);
    out.hours.push_back(HourlyPrice{raw[i].hour, UsdPerMwh(sum / n), n});
    out.repairs.duplicates_averaged += n - 1;
    i = j;
  }
  return out;
}

Result<LoadedPrices> MergeHourlyPrices(const std::vector<ParsedPrices>& parts, std::string name) {
  if (parts.empty()) return Status::InvalidArgument(name + ": no price files to load");
  struct Tagged {
    TimePoint hour;
    EnergyPrice price;
    size_t part;
  };
  std::vector<Tagged> all;
  LoadedPrices out;
  for (size_t p = 0; p < parts.size(); ++p) {
    out.sources.push_back(parts[p].source);
    out.repairs.duplicates_averaged += parts[p].repairs.duplicates_averaged;
    for (const HourlyPrice& h : parts[p].hours) all.push_back(Tagged{h.hour, h.price, p});
  }
  if (all.empty()) return Status::InvalidArgument(name + ": the price files hold no rows");
  std::stable_sort(all.begin(), all.end(), [](const Tagged& a, const Tagged& b) {
    return a.hour != b.hour ? a.hour < b.hour : a.part < b.part;
  });
  RETURN_IF_ERROR(
      CheckSpan(all.front().hour, all.back().hour, name.empty() ? parts.front().source : name));
  out.series.name = std::move(name);
  out.series.start = all.front().hour;
  out.series.step = kHour;
  size_t n = static_cast<size_t>((all.back().hour - all.front().hour) / kHour) + 1;
  out.series.values.assign(n, EnergyPrice());
  out.filled.assign(n, true);
  const EnergyPrice spike = UsdPerMwh(kSpikeUsdPerMwh);
  for (const Tagged& t : all) {
    size_t i = static_cast<size_t>((t.hour - out.series.start) / kHour);
    if (!out.filled[i]) {
      ++out.repairs.overlapping_hours;
      continue;
    }
    out.filled[i] = false;
    out.series.values[i] = t.price;
    if (t.price.IsNegative()) ++out.repairs.negative_values;
    if (t.price > spike) ++out.repairs.spikes;
  }
  for (size_t i = 1; i < n; ++i) {
    if (out.filled[i]) {
      out.series.values[i] = out.series.values[i - 1];
      ++out.repairs.gaps_filled;
    }
  }
  return out;
}

Result<LoadedPrices> ParseElectricityCsv(std::string_view text, const std::string& source,
                                         std::string name) {
  ASSIGN_OR_RETURN(auto parsed, ParseElectricityRows(text, source));
  std::vector<ParsedPrices> parts;
  parts.push_back(std::move(parsed));
  return MergeHourlyPrices(parts, name.empty() ? source : std::move(name));
}

Result<LoadedPrices> LoadElectricityFiles(const std::vector<std::string>& paths, std::string name) {
  std::vector<ParsedPrices> parts;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      return Status::InvalidArgument(path +
                                     ": is a directory (give CSV files, or load the folder's "
                                     "yearly files with LoadElectricityDir)");
    }
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
    ASSIGN_OR_RETURN(auto parsed, ParseElectricityRows(text, path));
    parts.push_back(std::move(parsed));
  }
  return MergeHourlyPrices(parts, std::move(name));
}

Result<std::vector<std::string>> ElectricityYearFiles(const std::string& dir, int from_year,
                                                      int to_year) {
  return ListYearFiles(dir, "", from_year, to_year);
}

Result<LoadedPrices> LoadElectricityDir(const std::string& dir, int from_year, int to_year,
                                        std::string name) {
  return LoadYears(dir, "", from_year, to_year, name.empty() ? dir : std::move(name));
}

const std::vector<ElectricityMarketInfo>& ElectricityMarkets() {
  // ../shared/data/README.md, "markets/electricity/" (green-dcc, MIT).
  static const std::vector<ElectricityMarketInfo> kMarkets = {
      {"ercot", "ercot_hb_hubavg_dam", "US-TEX-ERCO", "ERCOT HB_HUBAVG", "day-ahead SPP",
       "local time with offset (-06:00/-05:00)"},
      {"nyiso", "nyiso_capitl_dam", "US-NY-NYIS", "NYISO zone CAPITL", "day-ahead LMP",
       "naive UTC"},
      {"pjm", "pjm_dom_rt_hourly", "US-MIDA-PJM", "PJM zone DOM", "real-time hourly LMP",
       "naive UTC"},
      {"caiso", "caiso_np15_dam", "US-CAL-CISO", "CAISO TH_NP15", "day-ahead LMP", "naive UTC"},
  };
  return kMarkets;
}

Result<ElectricityMarketInfo> FindElectricityMarket(std::string_view name) {
  std::string lower = ToLower(Trim(name));
  std::string known;
  for (const auto& m : ElectricityMarkets()) {
    if (m.name == lower) return m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  return Status::NotFound("unknown electricity market '" + std::string(name) +
                          "' (known: " + known + ")");
}

std::string ElectricityMarketDir(const std::string& data_dir, const ElectricityMarketInfo& m) {
  return (std::filesystem::path(data_dir) / "markets" / "electricity" / m.folder).string();
}

Result<LoadedPrices> LoadElectricityMarket(const std::string& data_dir, std::string_view market,
                                           int from_year, int to_year) {
  ASSIGN_OR_RETURN(auto info, FindElectricityMarket(market));
  return LoadYears(ElectricityMarketDir(data_dir, info), info.file_prefix, from_year, to_year,
                   info.name);
}

std::vector<MonthlyMean> MonthlyMeans(const PriceSeries& series, const std::vector<bool>& filled) {
  std::vector<MonthlyMean> out;
  std::vector<double> sums;
  for (size_t i = 0; i < series.values.size(); ++i) {
    TimePoint t = series.start + series.step * static_cast<int64_t>(i);
    CivilDate c = CivilFromDays(FloorDiv(t, kDay));
    if (out.empty() || out.back().year != c.year || out.back().month != c.month) {
      out.push_back(MonthlyMean{c.year, c.month, 0.0, 0});
      sums.push_back(0.0);
    }
    if (!filled.empty() && i < filled.size() && filled[i]) continue;
    sums.back() += ToUsdPerMwh(series.values[i]);
    ++out.back().hours;
  }
  for (size_t m = 0; m < out.size(); ++m) {
    out[m].mean_usd_per_mwh = out[m].hours > 0 ? sums[m] / out[m].hours : 0.0;
  }
  return out;
}

double MeanUsdPerMwh(const PriceSeries& series, const std::vector<bool>& filled) {
  double sum = 0;
  int64_t n = 0;
  for (size_t i = 0; i < series.values.size(); ++i) {
    if (!filled.empty() && i < filled.size() && filled[i]) continue;
    sum += ToUsdPerMwh(series.values[i]);
    ++n;
  }
  return n > 0 ? sum / static_cast<double>(n) : 0.0;
}

}  // namespace rigshift::market
