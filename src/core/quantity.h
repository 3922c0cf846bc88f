// Fixed-point quantities for the core: power, energy, money, durations, prices and hashrate.
//
// Why: accounting in doubles drifts and cannot be compared exactly across runs; scaled int64s add
// and subtract exactly (Ray's FixedPoint). Each quantity is a distinct type so that watts cannot be
// added to dollars. Every operation checks for overflow and aborts on it (an overflow is a bug:
// ranges below are sized for a 100,000-device fleet over decades), so nothing overflows silently.
// Products of two quantities go through MulDiv on 128-bit intermediates.
//
// Units (raw int64):
//   Power        milliwatts (mW)
//   Energy       milliwatt-hours (mWh)
//   Money        micro-US-dollars (uUSD)
//   Duration     seconds
//   EnergyPrice  uUSD per MWh      (electricity tariffs, 1 USD/MWh = 1e6)
//   Hashrate     kilo-hashes/s     (1 TH/s = 1e9)
//   HashPrice    uUSD per TH/s per day
//   GpuHourPrice uUSD per GPU-hour
// Doubles appear only at the edges (parsing, printing, handing an LP to a solver).
//
// Thread-safety: plain values.
#pragma once

#include <cmath>
#include <compare>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace rigshift {

namespace internal {
[[noreturn]] void QuantityOverflow(const char* op);

inline int64_t AddChecked(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) QuantityOverflow("add");
  return r;
}
inline int64_t SubChecked(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) QuantityOverflow("sub");
  return r;
}
inline int64_t MulChecked(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) QuantityOverflow("mul");
  return r;
}
// Rounds a double to int64, aborting when it does not fit or is not finite.
int64_t RoundToInt64(double v);
}  // namespace internal

// a * b / c rounded to nearest (halves away from zero), via 128-bit intermediates. c != 0.
int64_t MulDiv(int64_t a, int64_t b, int64_t c);

template <typename Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  static constexpr Quantity FromRaw(int64_t raw) { return Quantity(raw); }
  constexpr int64_t raw() const { return raw_; }

  friend Quantity operator+(Quantity a, Quantity b) {
    return Quantity(internal::AddChecked(a.raw_, b.raw_));
  }
  friend Quantity operator-(Quantity a, Quantity b) {
    return Quantity(internal::SubChecked(a.raw_, b.raw_));
  }
  friend Quantity operator-(Quantity a) { return Quantity(internal::SubChecked(0, a.raw_)); }
  friend Quantity operator*(Quantity a, int64_t k) {
    return Quantity(internal::MulChecked(a.raw_, k));
  }
  friend Quantity operator*(int64_t k, Quantity a) { return a * k; }
  Quantity& operator+=(Quantity o) { return *this = *this + o; }
  Quantity& operator-=(Quantity o) { return *this = *this - o; }
  Quantity& operator*=(int64_t k) { return *this = *this * k; }
  // Scales by num/den with rounding to nearest (e.g. PUE 1.35 as 135/100).
  Quantity Scaled(int64_t num, int64_t den) const { return Quantity(MulDiv(raw_, num, den)); }
  friend constexpr auto operator<=>(Quantity a, Quantity b) = default;
  constexpr bool IsZero() const { return raw_ == 0; }
  constexpr bool IsNegative() const { return raw_ < 0; }

 private:
  constexpr explicit Quantity(int64_t raw) : raw_(raw) {}
  int64_t raw_ = 0;
};

struct PowerTag {};
struct EnergyTag {};
struct MoneyTag {};
struct EnergyPriceTag {};
struct HashrateTag {};
struct HashPriceTag {};
struct GpuHourPriceTag {};

using Power = Quantity<PowerTag>;
using Energy = Quantity<EnergyTag>;
using Money = Quantity<MoneyTag>;
using EnergyPrice = Quantity<EnergyPriceTag>;
using Hashrate = Quantity<HashrateTag>;
using HashPrice = Quantity<HashPriceTag>;
using GpuHourPrice = Quantity<GpuHourPriceTag>;

// Durations are plain seconds; they are also the unit of TimePoint arithmetic (core/time.h).
using Duration = int64_t;
inline constexpr Duration kSecond = 1;
inline constexpr Duration kMinute = 60;
inline constexpr Duration kHour = 3600;
inline constexpr Duration kDay = 86400;

// --- Constructors from human units (doubles only at the edge) ---
inline Power Milliwatts(int64_t mw) { return Power::FromRaw(mw); }
inline Power Watts(double w) { return Power::FromRaw(internal::RoundToInt64(w * 1e3)); }
inline Power Kilowatts(double kw) { return Power::FromRaw(internal::RoundToInt64(kw * 1e6)); }
inline Power Megawatts(double mw) { return Power::FromRaw(internal::RoundToInt64(mw * 1e9)); }
inline Energy MilliwattHours(int64_t mwh) { return Energy::FromRaw(mwh); }
inline Energy WattHours(double wh) { return Energy::FromRaw(internal::RoundToInt64(wh * 1e3)); }
inline Energy MegawattHours(double mwh) { return Energy::FromRaw(internal::RoundToInt64(mwh * 1e9)); }
inline Money MicroUsd(int64_t u) { return Money::FromRaw(u); }
inline Money Usd(double usd) { return Money::FromRaw(internal::RoundToInt64(usd * 1e6)); }
inline EnergyPrice UsdPerMwh(double p) { return EnergyPrice::FromRaw(internal::RoundToInt64(p * 1e6)); }
inline Hashrate KiloHashPerSecond(int64_t khs) { return Hashrate::FromRaw(khs); }
inline Hashrate TerahashPerSecond(double ths) { return Hashrate::FromRaw(internal::RoundToInt64(ths * 1e9)); }
inline Hashrate MegahashPerSecond(double mhs) { return Hashrate::FromRaw(internal::RoundToInt64(mhs * 1e3)); }
inline HashPrice UsdPerThsDay(double p) { return HashPrice::FromRaw(internal::RoundToInt64(p * 1e6)); }
inline GpuHourPrice UsdPerGpuHour(double p) { return GpuHourPrice::FromRaw(internal::RoundToInt64(p * 1e6)); }

// --- To human units (for printing and solvers) ---
inline double ToWatts(Power p) { return static_cast<double>(p.raw()) / 1e3; }
inline double ToKilowatts(Power p) { return static_cast<double>(p.raw()) / 1e6; }
inline double ToMegawatts(Power p) { return static_cast<double>(p.raw()) / 1e9; }
inline double ToWattHours(Energy e) { return static_cast<double>(e.raw()) / 1e3; }
inline double ToMegawattHours(Energy e) { return static_cast<double>(e.raw()) / 1e9; }
inline double ToUsd(Money m) { return static_cast<double>(m.raw()) / 1e6; }
inline double ToUsdPerMwh(EnergyPrice p) { return static_cast<double>(p.raw()) / 1e6; }
inline double ToTerahash(Hashrate h) { return static_cast<double>(h.raw()) / 1e9; }
inline double ToMegahash(Hashrate h) { return static_cast<double>(h.raw()) / 1e3; }
inline double ToUsdPerThsDay(HashPrice p) { return static_cast<double>(p.raw()) / 1e6; }
inline double ToUsdPerGpuHour(GpuHourPrice p) { return static_cast<double>(p.raw()) / 1e6; }

// --- Products of quantities (exact up to one rounding) ---
// Energy drawn at `power` for `seconds`.
Energy EnergyOver(Power power, Duration seconds);
// Cost of `energy` at `price`.
Money CostOf(Energy energy, EnergyPrice price);
// Cost of drawing `power` for `seconds` at `price` (one rounding, not two).
Money CostOf(Power power, Duration seconds, EnergyPrice price);
// Mining revenue of `hashrate` for `seconds` at `hashprice` (USD per TH/s per day).
Money MiningRevenue(Hashrate hashrate, Duration seconds, HashPrice hashprice);
// Rental revenue of `gpus` GPUs for `seconds` at `price` per GPU-hour.
Money RentalRevenue(int64_t gpus, Duration seconds, GpuHourPrice price);
// Average power over an interval that used `energy` (seconds > 0).
Power AveragePower(Energy energy, Duration seconds);
// Money per hour at which a device drawing `power` breaks even: the price of one hour of power.
Money HourlyEnergyCost(Power power, EnergyPrice price);

// "12.35 USD", "1.20 kW", "3.4 MWh": short human strings for reports.
std::string FormatUsd(Money m, int decimals = 2);
std::string FormatPower(Power p);
std::string FormatEnergy(Energy e);

}  // namespace rigshift
