// A simple, documented price forecaster for the scheduler's MarketView (now + forecast).
//
// Methods (ForecastOptions::method):
//   - kSamePeriodMean (default): the value for a future step is the mean of the values at the
//     same time of day on the last `lookback_days` days that are already known (for an hourly
//     series: the same hour over the last 7 days; for a daily series: the last 7 days). This is
//     the "seasonal naive, averaged" forecast; it carries the daily shape and damps one-off spikes.
//   - kPersistence: every future step takes the last known value.
// What is known at `now`: every step that starts at or before `now` (day-ahead prices for the
// current hour are published the day before). Nothing after `now` is read, so a simulator that
// hands in the full history cannot leak the future into a policy. When no same-period value is
// known (the series starts less than a day before `now`), the forecast falls back to persistence.
// Exact integer arithmetic (means round to nearest), so the same inputs give the same plan.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "core/quantity.h"
#include "market/series.h"

namespace rigshift::market {

enum class ForecastMethod { kSamePeriodMean, kPersistence };

struct ForecastOptions {
  ForecastMethod method = ForecastMethod::kSamePeriodMean;
  int lookback_days = 7;
};

// Forecast of the `horizon` steps that follow the step containing `now`. The result starts at
// that next step. An empty input series gives an empty forecast; `now` before the series start
// gives a forecast of the first value (nothing is known: documented clamp, like At()).
template <typename T>
StepSeries<T> Forecast(const StepSeries<T>& series, TimePoint now, int horizon,
                       const ForecastOptions& options = {}) {
  StepSeries<T> out;
  out.name = series.name + " (forecast)";
  out.step = series.step;
  if (series.values.empty() || horizon <= 0 || series.step <= 0) return out;
  // Index of the last known step (the one containing `now`), clamped to the series.
  int64_t known = now < series.start ? 0 : (now - series.start) / series.step;
  const int64_t size = static_cast<int64_t>(series.values.size());
  if (known >= size) known = size - 1;
  out.start = series.start + (known + 1) * series.step;
  const int64_t period = series.step >= kDay ? 1 : kDay / series.step;  // steps per day
  const T last = series.values[static_cast<size_t>(known)];
  for (int k = 1; k <= horizon; ++k) {
    const int64_t target = known + k;
    if (options.method == ForecastMethod::kPersistence || options.lookback_days <= 0) {
      out.values.push_back(last);
      continue;
    }
    // Same period on earlier days, only indices <= known.
    int64_t back = (k + period - 1) / period;  // first whole day back that is known
    int64_t sum = 0;
    int64_t n = 0;
    for (int64_t d = back; n < options.lookback_days; ++d) {
      int64_t idx = target - d * period;
      if (idx < 0) break;
      sum = internal::AddChecked(sum, series.values[static_cast<size_t>(idx)].raw());
      ++n;
    }
    out.values.push_back(n == 0 ? last : T::FromRaw(MulDiv(sum, 1, n)));
  }
  return out;
}

// The market as a policy may see it at `now` (sched::PolicyInput::forecast): every series of `m`
// (electricity, hashprice, GPU mining) holds the known value of the step containing `now`
// followed by Forecast() over the steps that start within (now, now + horizon]; At() clamps
// outside that window. GPU-hour prices and the description are copied. Cheap enough to call every
// simulated hour (horizon x lookback additions per series; no history is copied).
MarketData ForecastMarket(const MarketData& m, TimePoint now, Duration horizon,
                          const ForecastOptions& options = {});

}  // namespace rigshift::market
