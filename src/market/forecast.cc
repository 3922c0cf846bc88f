#include "market/forecast.h"

#include <algorithm>

#include "core/time.h"

namespace rigshift::market {
namespace {

template <typename T>
StepSeries<T> KnownPlusForecast(const StepSeries<T>& s, TimePoint now, Duration horizon,
                                const ForecastOptions& options) {
  if (s.values.empty() || s.step <= 0) return s;
  // Steps starting in (now, now + horizon]: ceil over the step grid.
  const int64_t known = now < s.start ? 0 : (now - s.start) / s.step;
  const int64_t known_index = std::min<int64_t>(known, static_cast<int64_t>(s.values.size()) - 1);
  const TimePoint next = s.start + (known + 1) * s.step;
  int64_t steps = horizon <= 0 || now + horizon < next ? 0 : (now + horizon - next) / s.step + 1;
  StepSeries<T> f = Forecast(s, now, static_cast<int>(std::min<int64_t>(steps, 1 << 20)), options);
  StepSeries<T> out;
  out.name = f.name;
  out.step = s.step;
  out.start = f.start - s.step;
  out.values.reserve(f.values.size() + 1);
  out.values.push_back(s.values[static_cast<size_t>(known_index)]);
  out.values.insert(out.values.end(), f.values.begin(), f.values.end());
  return out;
}

}  // namespace

MarketData ForecastMarket(const MarketData& m, TimePoint now, Duration horizon,
                          const ForecastOptions& options) {
  MarketData out;
  for (const auto& [name, s] : m.electricity) {
    out.electricity[name] = KnownPlusForecast(s, now, horizon, options);
  }
  out.hashprice = KnownPlusForecast(m.hashprice, now, horizon, options);
  for (const auto& [algo, s] : m.gpu_mining) {
    out.gpu_mining[algo] = KnownPlusForecast(s, now, horizon, options);
  }
  out.gpu_prices = m.gpu_prices;
  out.description = m.description + " (forecast at " + FormatTimestamp(now) + ")";
  return out;
}

}  // namespace rigshift::market
