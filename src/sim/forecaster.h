// What simulated policies may know about prices: forecasts built from past data only
// (market::ForecastMarket: the same hour over the last 7 known days), or, for comparison, perfect
// foresight of the true prices. The engine asks SimInputs::forecast at each decision; a
// MarketForecaster answers with the forecast made at the start of that decision's hour, cached
// until the hour changes (ForecastMarket reads nothing after `now`, so a decision later in the
// same hour sees the same forecast a decision at its start would).
//
// Thread-safety: a MarketForecaster is used by one engine run; not safe to share between threads.
#pragma once

#include <functional>
#include <optional>

#include "core/time.h"
#include "market/forecast.h"
#include "market/series.h"

namespace rigshift::sim {

enum class PriceKnowledge : uint8_t {
  kForecast = 0,          // policies see forecasts from past data (the default)
  kPerfectForesight = 1,  // policies see the true future prices (an upper bound on planning)
};
const char* PriceKnowledgeName(PriceKnowledge k);  // "forecast from past prices", ...

class MarketForecaster {
 public:
  // `market` must outlive the forecaster. `horizon`: how far ahead the policies plan.
  MarketForecaster(const market::MarketData& market, Duration horizon,
                   market::ForecastOptions options = {});
  // The market as known at `now`: the true value of the hour containing `now`, forecasts after.
  const market::MarketData* At(TimePoint now);
  // A callable for SimInputs::forecast that calls At() on this object (which must outlive it).
  std::function<const market::MarketData*(TimePoint)> Callback();

 private:
  const market::MarketData& market_;
  Duration horizon_;
  market::ForecastOptions options_;
  std::optional<TimePoint> hour_;
  market::MarketData cached_;
};

}  // namespace rigshift::sim
