// GPU-hour prices: what an AI customer pays per GPU-hour, by GPU model.
//
// Two sources:
//  - a user-supplied CSV table, header with a model column (`gpu`, `model` or `gpu_model`) and
//    `usd_per_hour`, optionally `source`/`notes`; one row per model, names as in the catalogue
//    or any alias ("RTX 3090", "H100 SXM5 80GB");
//  - DefaultGpuHourPrices(): the documented default (docs/market-data.md), datacentre parts
//    anchored on the list prices in ../shared/data/markets/gpu_rental/gpu_cloud_prices_snippets.csv
//    and two consumer cards on cited marketplace figures; every row carries its citation.
// Models absent from a table get GpuHourPriceCurve(): a power law in dense BF16/FP16 TFLOPS and
// memory, least-squares fitted (in log space) on the seven anchored rows of the default table:
//     USD per GPU-hour = 0.0101 x TFLOPS^0.731 x GB^0.196   (floor 0.02 USD/h)
// It reproduces the anchors within a factor 0.6..1.7: an order of magnitude, not a quote. Users
// who rent GPUs out should supply their own table (rigshift's --gpu-prices).
//
// Thread-safety: pure functions; DefaultGpuHourPrices() returns an immutable static.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/quantity.h"
#include "core/status.h"
#include "market/series.h"

namespace rigshift::market {

// Parses a user table. `source` names the input in messages ("prices.csv:4: usd_per_hour: ...").
Result<GpuHourPriceTable> ParseGpuPriceCsv(std::string_view text, const std::string& source);
Result<GpuHourPriceTable> LoadGpuPriceFile(const std::string& path);

// The embedded default table (catalogue canonical names; see docs/market-data.md).
const GpuHourPriceTable& DefaultGpuHourPrices();

// Lower case with spaces, '-', '_' and a leading vendor/brand word ("nvidia", "geforce",
// "tesla", "amd", "radeon", "instinct") removed: "NVIDIA GeForce RTX-3090" -> "rtx3090".
std::string NormaliseGpuName(std::string_view name);

// The table's price for a model: exact name first, then by NormaliseGpuName.
std::optional<GpuHourPrice> FindGpuHourPrice(const GpuHourPriceTable& table,
                                             std::string_view model_name);

// The fallback curve above; tflops is dense BF16 (else FP16 tensor, else FP32) TFLOPS.
GpuHourPrice GpuHourPriceCurve(double bf16_or_fp16_tflops, double memory_gb);

// FindGpuHourPrice, else the curve.
GpuHourPrice GpuHourPriceFor(std::string_view model_name, double bf16_or_fp16_tflops,
                             double memory_gb, const GpuHourPriceTable& table);

}  // namespace rigshift::market
