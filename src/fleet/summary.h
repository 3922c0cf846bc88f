// FleetSummary: what a fleet holds, per site and in total, at nameplate: devices by class (GPUs by
// model and by market segment, ASICs by model), IT and facility power against the grid cap, GPU
// memory, 16-bit AI throughput and hashrate. `rigshift fleet` prints it; assess starts from it.
//
// Summarize() is pure (no I/O); the renderers turn a summary into text for people or JSON for
// tools. Power and hashrate are fixed-point (exact sums); memory and TFLOPS are doubles because
// they are capability figures, never accounted money or energy.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/quantity.h"
#include "fleet/model.h"

namespace rigshift::fleet {

struct ModelCount {
  std::string model;  // canonical catalogue name
  int64_t count = 0;
};

struct SegmentCount {
  catalog::GpuSegment segment = catalog::GpuSegment::kConsumer;
  int64_t count = 0;
};

// What the fleet's GPUs could mine if every card with a profile for the algorithm mined it.
struct AlgorithmHashrate {
  std::string algorithm;
  Hashrate hashrate;  // in kH/s (the algorithm's own hash unit)
  Power power;        // the profiles' wall power for that hashrate
  int64_t gpus = 0;   // cards with a profile for the algorithm
};

struct SiteSummary {
  std::string id;  // "" for the fleet total
  std::string name;
  std::string location;
  std::string market;  // tariff market ("ercot", ...); "" for the total
  CoolingKind cooling = CoolingKind::kAir;
  int64_t pue_milli = 0;  // 0 for the total (sites differ)

  int64_t racks = 0;
  int64_t nodes = 0;
  int64_t gpus = 0;
  int64_t asics = 0;
  std::vector<ModelCount> gpus_by_model;      // most numerous first, then by name
  std::vector<SegmentCount> gpus_by_segment;  // in enum order, only segments present
  std::vector<ModelCount> asics_by_model;

  Power gpu_power;       // GPU TDPs
  Power asic_power;      // ASICs in their configured power mode
  Power host_power;      // hosts (CPU, fans, PSU losses)
  Power it_power;        // gpu + asic + host
  Power facility_power;  // IT x PUE (per site; summed for the total)
  Power grid_cap;
  Power headroom;                   // grid_cap - facility_power; negative when over the cap
  Power cooling_capacity;           // zero when not given
  int64_t sites_over_grid_cap = 0;  // 1 for a site over its cap; the count for the total

  double gpu_memory_gb = 0;
  double bf16_tflops = 0;  // cards that support BF16
  int64_t gpus_with_bf16 = 0;
  double fp16_tflops_without_bf16 = 0;  // FP16 of cards that lack BF16 (Pascal..Turing, AMD RDNA)
  Hashrate sha256_hashrate;             // ASICs, configured mode
  std::vector<AlgorithmHashrate> gpu_hashrate;  // by algorithm name
};

struct FleetSummary {
  std::string fleet_name;
  std::string source_file;
  std::vector<SiteSummary> sites;
  SiteSummary total;
};

FleetSummary Summarize(const Fleet& fleet);

// Human-readable report (several lines per site, then the total).
std::string RenderSummaryText(const FleetSummary& summary);
// Pretty-printed JSON; power in W (and MW), hashrate in TH/s (SHA-256) or H/s (GPU algorithms).
std::string RenderSummaryJson(const FleetSummary& summary);

}  // namespace rigshift::fleet
