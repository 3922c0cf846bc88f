#include "core/quantity.h"

// 128-bit intermediates are a GCC/Clang extension; pedantic would reject the type name.
__extension__ typedef __int128 int128_t;

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace rigshift {
namespace internal {

void QuantityOverflow(const char* op) {
  std::fprintf(stderr, "fixed-point quantity overflow in %s\n", op);
  std::abort();
}

int64_t RoundToInt64(double v) {
  if (!std::isfinite(v) || v >= 9.2e18 || v <= -9.2e18) QuantityOverflow("from double");
  return static_cast<int64_t>(std::llround(v));
}

}  // namespace internal

int64_t MulDiv(int64_t a, int64_t b, int64_t c) {
  RS_CHECK(c != 0);
  int128_t num = static_cast<int128_t>(a) * b;
  int128_t q = num / c;
  int128_t r = num % c;
  // Round half away from zero.
  int128_t abs_r2 = (r < 0 ? -r : r) * 2;
  int128_t abs_c = c < 0 ? -static_cast<int128_t>(c) : c;
  if (abs_r2 >= abs_c) q += ((num < 0) != (c < 0)) ? -1 : 1;
  if (q > std::numeric_limits<int64_t>::max() || q < std::numeric_limits<int64_t>::min()) {
    internal::QuantityOverflow("muldiv");
  }
  return static_cast<int64_t>(q);
}

Energy EnergyOver(Power power, Duration seconds) {
  // mW * s / 3600 = mWh
  return Energy::FromRaw(MulDiv(power.raw(), seconds, 3600));
}

Money CostOf(Energy energy, EnergyPrice price) {
  // mWh * uUSD/MWh / 1e9 (mWh per MWh) = uUSD
  return Money::FromRaw(MulDiv(energy.raw(), price.raw(), 1'000'000'000));
}

Money CostOf(Power power, Duration seconds, EnergyPrice price) {
  // mW * s * uUSD/MWh / (3600 * 1e9)
  int128_t num = static_cast<int128_t>(power.raw()) * seconds;
  // Fold the first product into the second MulDiv without an intermediate rounding when it fits.
  if (num <= std::numeric_limits<int64_t>::max() && num >= std::numeric_limits<int64_t>::min()) {
    return Money::FromRaw(MulDiv(static_cast<int64_t>(num), price.raw(), 3'600'000'000'000LL));
  }
  return CostOf(EnergyOver(power, seconds), price);
}

Money MiningRevenue(Hashrate hashrate, Duration seconds, HashPrice hashprice) {
  // kH/s -> TH/s is /1e9; seconds -> days is /86400
  int128_t num = static_cast<int128_t>(hashrate.raw()) * seconds;
  if (num <= std::numeric_limits<int64_t>::max() && num >= std::numeric_limits<int64_t>::min()) {
    return Money::FromRaw(MulDiv(static_cast<int64_t>(num), hashprice.raw(), 86'400'000'000'000LL));
  }
  int64_t ths_days_milli = MulDiv(hashrate.raw(), seconds, 86'400'000'000LL);  // 1e-3 TH*day
  return Money::FromRaw(MulDiv(ths_days_milli, hashprice.raw(), 1000));
}

Money RentalRevenue(int64_t gpus, Duration seconds, GpuHourPrice price) {
  return Money::FromRaw(MulDiv(internal::MulChecked(gpus, seconds), price.raw(), 3600));
}

Power AveragePower(Energy energy, Duration seconds) {
  RS_CHECK(seconds > 0);
  return Power::FromRaw(MulDiv(energy.raw(), 3600, seconds));
}

Money HourlyEnergyCost(Power power, EnergyPrice price) { return CostOf(power, kHour, price); }

std::string FormatUsd(Money m, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f USD", decimals, ToUsd(m));
  return buf;
}

std::string FormatPower(Power p) {
  char buf[64];
  double w = ToWatts(p);
  double a = w < 0 ? -w : w;
  if (a >= 1e6) std::snprintf(buf, sizeof buf, "%.2f MW", w / 1e6);
  else if (a >= 1e3) std::snprintf(buf, sizeof buf, "%.2f kW", w / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f W", w);
  return buf;
}

std::string FormatEnergy(Energy e) {
  char buf[64];
  double wh = ToWattHours(e);
  double a = wh < 0 ? -wh : wh;
  if (a >= 1e6) std::snprintf(buf, sizeof buf, "%.2f MWh", wh / 1e6);
  else if (a >= 1e3) std::snprintf(buf, sizeof buf, "%.2f kWh", wh / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f Wh", wh);
  return buf;
}

}  // namespace rigshift
