// What one device earns and costs in a mode over an interval: the arithmetic every policy, the
// assessment and the simulator share, so that they can never disagree about money.
//
// Pure and exact: fixed-point in, fixed-point out; no I/O, no clock.
// Conventions (documented defaults in PowerModel, overridable):
//   - a device's IT power in a mode: AI = TDP x ai_draw, mining = the catalogue profile's watts
//     (an ASIC's power mode), idle = TDP x idle_draw (GPUs) or the ASIC's sleep draw, off = 0;
//   - the facility draws IT power x PUE; energy is paid at (market price + adder) per MWh;
//   - mining earns hashrate x hashprice (per TH/s per day) pro rata; AI earns the GPU-hour price.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "catalog/catalog.h"
#include "core/quantity.h"
#include "fleet/model.h"
#include "market/series.h"

namespace rigshift::econ {

enum class Mode : uint8_t { kOff = 0, kIdle = 1, kMine = 2, kAi = 3 };
const char* ModeName(Mode m);  // "off", "idle", "mine", "ai"

struct PowerModel {
  int64_t gpu_ai_draw_permille = 850;   // mean draw of a GPU under training/inference, of TDP
  int64_t gpu_idle_draw_permille = 80;  // an idle GPU with its fans, of TDP
  Power asic_sleep_power = Watts(10);   // control board of a sleeping ASIC
};

// IT power of one device of the flat fleet in a mode (excludes host share and PUE).
Power DevicePower(const fleet::FlatFleet& fleet, size_t device, Mode mode, const PowerModel& pm);

// Mining hashrate of one device and the algorithm it mines ("SHA-256" for ASICs; for a GPU the
// catalogue profile that earns most at the given market, or empty when it has none).
struct MiningChoice {
  std::string algorithm;
  Hashrate hashrate;
  Power power;
};
MiningChoice BestMining(const fleet::FlatFleet& fleet, size_t device, const market::MarketData& m,
                        TimePoint t, const PowerModel& pm);

// The prices that hold at one instant for one site.
struct SitePrices {
  EnergyPrice energy;  // market price + the tariff's adder, per MWh at the meter
  int64_t pue_milli = 1000;
  HashPrice hashprice;  // SHA-256
};
SitePrices PricesAt(const fleet::Site& site, const market::MarketData& m, TimePoint t);

// Money of an interval.
struct IntervalValue {
  Money revenue;
  Money energy_cost;
  Money margin() const { return revenue - energy_cost; }
};

// Energy cost of drawing `it_power` for `seconds` at a site: IT x PUE x (price + adder).
Money EnergyCost(Power it_power, Duration seconds, const SitePrices& p);

// Value of one device in `mode` for `seconds` starting at `t` (prices held constant over it).
// AI revenue uses `gpu_hour_price` (what the job pays per GPU-hour).
IntervalValue DeviceValue(const fleet::FlatFleet& fleet, size_t device, Mode mode,
                          const fleet::Site& site, const market::MarketData& m, TimePoint t,
                          Duration seconds, GpuHourPrice gpu_hour_price, const PowerModel& pm);

// Default GPU-hour price for a GPU model from the market's table (by model, else a curve on
// BF16/FP16 TFLOPS and memory, documented in econ/value.cc).
GpuHourPrice DefaultGpuHourPrice(const catalog::GpuModel& gpu, const market::GpuHourPriceTable& t);

}  // namespace rigshift::econ
