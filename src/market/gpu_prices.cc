#include "market/gpu_prices.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "core/text.h"

namespace rigshift::market {
namespace {

constexpr double kMaxUsdPerGpuHour = 1000.0;

Status RowError(const std::string& source, int line, const std::string& column,
                const std::string& what) {
  return Status::InvalidArgument(Location(source, line) + ": " + column + ": " + what);
}

// Citations for the default table (full list with context in docs/market-data.md).
constexpr const char* kSnippets =
    "../shared/data/markets/gpu_rental/gpu_cloud_prices_snippets.csv (ddbit/llamaboxweb "
    "gpuprices/prices.js, undated list prices)";

struct DefaultRow {
  const char* model;
  double usd_per_hour;
  const char* source;
};

// Derived ratio used twice below: on-demand / serverless for the A100 80GB in the snippets,
// 2.57 / 5.04 = 0.51 (ori.co on-demand mean of 2.40 and 2.74; replicate serverless 5.04).
const DefaultRow kDefaultRows[] = {
    {"H100 SXM5 80GB", 2.75,
     "median of the three single-GPU H100 80GB on-demand rows (lambda labs 2.49, ori.co 2.75, "
     "ori.co 3.24) in the shared gpu_cloud_prices_snippets.csv"},
    {"H100 PCIe", 2.49,
     "lowest H100 80GB on-demand row (lambda labs 2.49) in gpu_cloud_prices_snippets.csv; the PCIe "
     "part is taken at the low end (assumption)"},
    {"A100 SXM4 80GB", 2.57,
     "mean of the A100 80GB on-demand rows (ori.co 2.40 and 2.74) in "
     "gpu_cloud_prices_snippets.csv"},
    {"A100 PCIe 80GB", 2.40,
     "lower A100 80GB on-demand row (ori.co 2.40) in gpu_cloud_prices_snippets.csv (PCIe at the "
     "low end: assumption)"},
    {"A100 SXM4 40GB", 2.11,
     "A100 80GB on-demand 2.57 x the replicate serverless A100 40GB/80GB ratio 4.14/5.04 "
     "(gpu_cloud_prices_snippets.csv)"},
    {"A100 PCIe 40GB", 2.11, "as A100 SXM4 40GB: 2.57 x 4.14/5.04 (gpu_cloud_prices_snippets.csv)"},
    {"L40S", 1.96, "ori.co on-demand L40S 48GB 1.96 in gpu_cloud_prices_snippets.csv"},
    {"A40", 1.06,
     "replicate serverless A40 2.07 x on-demand/serverless ratio 0.51 of the A100 80GB "
     "(gpu_cloud_prices_snippets.csv)"},
    {"Tesla V100 SXM2 16GB", 0.83,
     "ori.co on-demand V100/S 16GB 0.83 in gpu_cloud_prices_snippets.csv"},
    {"Tesla V100 SXM2 32GB", 0.83,
     "as V100 16GB: ori.co V100/S 0.83 (gpu_cloud_prices_snippets.csv)"},
    {"Tesla V100 PCIe 16GB", 0.83,
     "as V100 SXM2: ori.co V100/S 0.83 (gpu_cloud_prices_snippets.csv)"},
    {"Tesla V100 PCIe 32GB", 0.83,
     "as V100 SXM2: ori.co V100/S 0.83 (gpu_cloud_prices_snippets.csv)"},
    {"Tesla T4", 0.41,
     "replicate serverless T4 0.81 x on-demand/serverless ratio 0.51 of the A100 80GB "
     "(gpu_cloud_prices_snippets.csv)"},
    {"GeForce RTX 3090", 0.25,
     "vast.ai marketplace RTX 3090 0.20..0.30 USD/h, midpoint (chrisgmartin-github-io.pages.dev "
     "neocloud/vast-ai/06-hardware-and-tiers.html, 2026)"},
    {"GeForce RTX 4090", 0.78,
     "vast.ai on-demand RTX 4090 0.682..0.875 USD/h captured June 2026, midpoint "
     "(usagepricing.com/blueprint/vast-ai)"},
};

}  // namespace

std::string NormaliseGpuName(std::string_view name) {
  std::string lower = ToLower(Trim(name));
  for (const char* prefix : {"nvidia ", "amd "}) {
    if (lower.rfind(prefix, 0) == 0) lower = lower.substr(std::string_view(prefix).size());
  }
  for (const char* prefix : {"geforce ", "tesla ", "radeon ", "instinct "}) {
    if (lower.rfind(prefix, 0) == 0) lower = lower.substr(std::string_view(prefix).size());
  }
  std::string out;
  for (char c : lower) {
    if (c != ' ' && c != '-' && c != '_') out.push_back(c);
  }
  return out;
}

std::optional<GpuHourPrice> FindGpuHourPrice(const GpuHourPriceTable& table,
                                             std::string_view model_name) {
  if (auto it = table.by_model.find(std::string(model_name)); it != table.by_model.end()) {
    return it->second;
  }
  std::string key = NormaliseGpuName(model_name);
  if (key.empty()) return std::nullopt;
  for (const auto& [name, price] : table.by_model) {
    if (NormaliseGpuName(name) == key) return price;
  }
  return std::nullopt;
}

GpuHourPrice GpuHourPriceCurve(double tflops, double memory_gb) {
  if (!std::isfinite(tflops) || tflops < 0.1) tflops = 0.1;
  if (!std::isfinite(memory_gb) || memory_gb < 1) memory_gb = 1;
  tflops = std::min(tflops, 1e6);
  memory_gb = std::min(memory_gb, 1e5);
  double usd = 0.0101 * std::pow(tflops, 0.731) * std::pow(memory_gb, 0.196);
  return UsdPerGpuHour(std::max(usd, 0.02));
}

GpuHourPrice GpuHourPriceFor(std::string_view model_name, double bf16_or_fp16_tflops,
                             double memory_gb, const GpuHourPriceTable& table) {
  if (auto p = FindGpuHourPrice(table, model_name)) return *p;
  return GpuHourPriceCurve(bf16_or_fp16_tflops, memory_gb);
}

const GpuHourPriceTable& DefaultGpuHourPrices() {
  static const GpuHourPriceTable kTable = [] {
    GpuHourPriceTable t;
    t.source = std::string("rigshift default GPU-hour prices (docs/market-data.md): ") + kSnippets +
               "; consumer cards from vast.ai marketplace figures; others by the curve";
    for (const DefaultRow& r : kDefaultRows) {
      t.by_model[r.model] = UsdPerGpuHour(r.usd_per_hour);
      t.row_source[r.model] = r.source;
    }
    return t;
  }();
  return kTable;
}

Result<GpuHourPriceTable> ParseGpuPriceCsv(std::string_view text, const std::string& source) {
  if (Trim(text).empty()) {
    return Status::InvalidArgument(source + ": empty file (expected a header 'gpu,usd_per_hour')");
  }
  ASSIGN_OR_RETURN(auto rows, ParseCsv(text, source));
  if (rows.empty()) {
    return Status::InvalidArgument(source + ": empty file (expected a header 'gpu,usd_per_hour')");
  }
  std::vector<std::string> cols;
  for (const auto& f : rows[0].fields) cols.push_back(ToLower(Trim(f)));
  auto find = [&](std::initializer_list<const char*> names) {
    for (const char* n : names) {
      auto it = std::find(cols.begin(), cols.end(), n);
      if (it != cols.end()) return static_cast<int>(it - cols.begin());
    }
    return -1;
  };
  int model_col = find({"gpu", "model", "gpu_model"});
  int price_col = find({"usd_per_hour", "usd_per_gpu_hour", "price_usd_per_hour"});
  int source_col = find({"source", "notes"});
  if (model_col < 0) {
    return RowError(source, rows[0].line, "header", "no model column (expected 'gpu' or 'model')");
  }
  if (price_col < 0) return RowError(source, rows[0].line, "header", "no 'usd_per_hour' column");
  if (rows.size() == 1) {
    return Status::InvalidArgument(Location(source, rows[0].line) + ": no rows after the header");
  }
  GpuHourPriceTable table;
  table.source = source;
  std::map<std::string, int> seen;  // normalised name -> line
  for (size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& row = rows[i];
    if (row.fields.size() != cols.size()) {
      return Status::InvalidArgument(
          Location(source, row.line) + ": expected " + std::to_string(cols.size()) +
          " columns as in the header, found " + std::to_string(row.fields.size()));
    }
    std::string model(Trim(row.fields[model_col]));
    if (model.empty()) return RowError(source, row.line, cols[model_col], "empty model name");
    auto price = ParseDouble(row.fields[price_col]);
    if (!price.ok()) return RowError(source, row.line, cols[price_col], price.status().message());
    if (*price <= 0 || *price > kMaxUsdPerGpuHour) {
      return RowError(source, row.line, cols[price_col],
                      "'" + std::string(Trim(row.fields[price_col])) +
                          "' is outside (0, 1000] USD per GPU-hour");
    }
    std::string key = NormaliseGpuName(model);
    if (auto it = seen.find(key); it != seen.end()) {
      return RowError(source, row.line, cols[model_col],
                      "'" + model + "' is listed twice (first on line " +
                          std::to_string(it->second) + "); give one price per model");
    }
    seen[key] = row.line;
    table.by_model[model] = UsdPerGpuHour(*price);
    table.row_source[model] = source_col >= 0 && !Trim(row.fields[source_col]).empty()
                                  ? std::string(Trim(row.fields[source_col]))
                                  : Location(source, row.line);
  }
  return table;
}

Result<GpuHourPriceTable> LoadGpuPriceFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseGpuPriceCsv(text, path);
}

}  // namespace rigshift::market
