#include "econ/value.h"

#include <algorithm>

namespace rigshift::econ {
namespace {

__extension__ typedef __int128 int128_t;

// a * b * c / d rounded to nearest, halves away from zero, on 128-bit intermediates. Aborts (as
// every quantity overflow does) when the result does not fit an int64.
int64_t MulMulDiv(int64_t a, int64_t b, int64_t c, int128_t d) {
  int128_t n = static_cast<int128_t>(a) * b;
  n *= c;
  int128_t q = n / d;
  int128_t r = n % d;
  int128_t twice = r < 0 ? -2 * r : 2 * r;
  int128_t ad = d < 0 ? -d : d;
  if (twice >= ad) q += ((n < 0) != (d < 0)) ? -1 : 1;
  if (q > INT64_MAX || q < INT64_MIN) internal::QuantityOverflow("EnergyCost");
  return static_cast<int64_t>(q);
}

// GPU power in a mode that scales the TDP.
Power GpuDraw(const catalog::GpuModel& gpu, int64_t permille) {
  return gpu.tdp.Scaled(permille, 1000);
}

// Highest draw among a GPU's mining profiles: the envelope figure when no market is given.
Power MaxMiningPower(const catalog::GpuModel& gpu) {
  Power best;
  for (const auto& p : gpu.mining) best = std::max(best, p.power);
  return best;
}

}  // namespace

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kOff:
      return "off";
    case Mode::kIdle:
      return "idle";
    case Mode::kMine:
      return "mine";
    case Mode::kAi:
      return "ai";
  }
  return "?";
}

// Conventions beyond the header:
//   - a GPU in kMine without a market to choose its algorithm draws its hungriest profile's watts
//     (conservative for the power envelope); DeviceValue uses the chosen profile's own watts;
//   - a GPU with no mining profile cannot mine: kMine draws its idle power and earns nothing;
//   - an ASIC cannot run AI work: kAi is treated as sleep (its control board only).
Power DevicePower(const fleet::FlatFleet& fleet, size_t device, Mode mode, const PowerModel& pm) {
  if (mode == Mode::kOff) return Power();
  if (fleet.kind[device] == catalog::DeviceKind::kAsic) {
    const catalog::AsicModel* asic = fleet.asic[device];
    if (mode == Mode::kMine) return asic != nullptr ? asic->power : fleet.nameplate_power[device];
    return pm.asic_sleep_power;
  }
  const catalog::GpuModel* gpu = fleet.gpu[device];
  if (gpu == nullptr) return Power();
  switch (mode) {
    case Mode::kAi:
      return GpuDraw(*gpu, pm.gpu_ai_draw_permille);
    case Mode::kIdle:
      return GpuDraw(*gpu, pm.gpu_idle_draw_permille);
    case Mode::kMine:
      return gpu->mining.empty() ? GpuDraw(*gpu, pm.gpu_idle_draw_permille) : MaxMiningPower(*gpu);
    case Mode::kOff:
      break;
  }
  return Power();
}

// A GPU mines the profile whose algorithm earns most per day at the market's price at `t`
// (revenue, not margin: the algorithms' draws differ little and the energy price is the site's,
// which this function does not know). Ties go to the lower draw, then to catalogue order.
// Algorithms with no revenue series in the market are not chosen: their revenue is unknown.
MiningChoice BestMining(const fleet::FlatFleet& fleet, size_t device, const market::MarketData& m,
                        TimePoint t, const PowerModel& pm) {
  (void)pm;
  MiningChoice choice;
  if (fleet.kind[device] == catalog::DeviceKind::kAsic) {
    const catalog::AsicModel* asic = fleet.asic[device];
    if (asic == nullptr) return choice;
    choice.algorithm = asic->algorithm.empty() ? "SHA-256" : asic->algorithm;
    choice.hashrate = asic->hashrate;
    choice.power = asic->power;
    return choice;
  }
  const catalog::GpuModel* gpu = fleet.gpu[device];
  if (gpu == nullptr) return choice;
  Money best_revenue = MicroUsd(-1);
  for (const auto& profile : gpu->mining) {
    auto it = m.gpu_mining.find(profile.algorithm);
    if (it == m.gpu_mining.end() || it->second.empty()) continue;
    Money revenue = MiningRevenue(profile.hashrate, kDay, it->second.At(t));
    if (revenue > best_revenue || (revenue == best_revenue && profile.power < choice.power)) {
      best_revenue = revenue;
      choice.algorithm = profile.algorithm;
      choice.hashrate = profile.hashrate;
      choice.power = profile.power;
    }
  }
  return choice;
}

// A site whose tariff names a market missing from `m` pays the tariff's fixed price (zero unless
// set) plus the adder; callers check coverage first (assess::Assess reports it as a warning).
SitePrices PricesAt(const fleet::Site& site, const market::MarketData& m, TimePoint t) {
  SitePrices p;
  EnergyPrice base = site.tariff.fixed_price;
  if (site.tariff.market != "fixed") {
    auto it = m.electricity.find(site.tariff.market);
    if (it != m.electricity.end() && !it->second.empty()) base = it->second.At(t);
  }
  p.energy = base + site.tariff.adder;
  p.pue_milli = site.pue_milli;
  p.hashprice = m.hashprice.At(t);
  return p;
}

// cost [uUSD] = P[mW] x PUE[milli]/1000 x s/3600 [h] x price[uUSD/MWh] / 1e9 [mWh per MWh],
// computed as one 128-bit product and one rounding.
Money EnergyCost(Power it_power, Duration seconds, const SitePrices& p) {
  static constexpr int128_t kDen = static_cast<int128_t>(1000) * 3600 * 1000000000LL;
  int128_t n_scale = static_cast<int128_t>(p.pue_milli) * seconds;
  if (n_scale > INT64_MAX || n_scale < INT64_MIN) internal::QuantityOverflow("EnergyCost");
  return MicroUsd(MulMulDiv(it_power.raw(), static_cast<int64_t>(n_scale), p.energy.raw(), kDen));
}

IntervalValue DeviceValue(const fleet::FlatFleet& fleet, size_t device, Mode mode,
                          const fleet::Site& site, const market::MarketData& m, TimePoint t,
                          Duration seconds, GpuHourPrice gpu_hour_price, const PowerModel& pm) {
  IntervalValue v;
  SitePrices prices = PricesAt(site, m, t);
  Power power = DevicePower(fleet, device, mode, pm);
  const bool is_asic = fleet.kind[device] == catalog::DeviceKind::kAsic;
  if (mode == Mode::kMine) {
    MiningChoice choice = BestMining(fleet, device, m, t, pm);
    if (!choice.algorithm.empty()) {
      power = choice.power;
      HashPrice price = prices.hashprice;
      if (!is_asic) price = m.gpu_mining.at(choice.algorithm).At(t);
      v.revenue = MiningRevenue(choice.hashrate, seconds, price);
    } else if (!is_asic && fleet.gpu[device] != nullptr && !fleet.gpu[device]->mining.empty()) {
      // Profiles exist but none has a price: the card mines blind, at its first profile's draw.
      power = fleet.gpu[device]->mining.front().power;
    }
  } else if (mode == Mode::kAi && !is_asic) {
    v.revenue = RentalRevenue(1, seconds, gpu_hour_price);
  }
  v.energy_cost = EnergyCost(power, seconds, prices);
  return v;
}

// The fallback curve for models absent from the table, fitted by eye to 2024 on-demand list
// prices (H100 SXM 2.49..3.24, A100 80GB 1.3..2.7, L40S ~1.0..2.0 USD/h in
// ../shared/data/markets/gpu_rental and public cloud pages) and to community marketplace prices
// of consumer cards (RTX 3090 ~0.2..0.4, RTX 4090 ~0.35..0.6 USD/h):
//   USD per GPU-hour = 0.0015 x dense BF16 (else FP16, else FP32) TFLOPS + 0.010 x memory GB,
// then x0.6 for consumer and mining parts (no ECC, no datacentre driver licence, no NVLink),
// with a floor of 0.02 USD/h. Order of magnitude only: users supply their own table.
GpuHourPrice DefaultGpuHourPrice(const catalog::GpuModel& gpu, const market::GpuHourPriceTable& t) {
  auto it = t.by_model.find(gpu.name);
  if (it != t.by_model.end()) return it->second;
  for (const auto& alias : gpu.aliases) {
    it = t.by_model.find(alias);
    if (it != t.by_model.end()) return it->second;
  }
  double tflops = gpu.bf16_tflops.value_or(0.0);
  if (tflops <= 0) tflops = gpu.fp16_tflops;
  if (tflops <= 0) tflops = gpu.fp32_tflops;
  tflops = std::max(tflops, gpu.fp32_tflops);
  // Fixed point from here: micro-USD per TFLOPS and per GB.
  int64_t tflops_milli = internal::RoundToInt64(std::max(0.0, tflops) * 1000.0);
  int64_t mem_milli = internal::RoundToInt64(std::max(0.0, gpu.memory_gb) * 1000.0);
  int64_t price = MulDiv(tflops_milli, 1500, 1000) + MulDiv(mem_milli, 10000, 1000);
  if (gpu.segment == catalog::GpuSegment::kConsumer ||
      gpu.segment == catalog::GpuSegment::kMining) {
    price = MulDiv(price, 6, 10);
  }
  return GpuHourPrice::FromRaw(std::max<int64_t>(price, 20000));
}

}  // namespace rigshift::econ
