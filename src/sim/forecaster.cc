#include "sim/forecaster.h"

namespace rigshift::sim {

const char* PriceKnowledgeName(PriceKnowledge k) {
  switch (k) {
    case PriceKnowledge::kForecast:
      return "forecast from past prices (same hour, last 7 days)";
    case PriceKnowledge::kPerfectForesight:
      return "perfect foresight (policies see the true future prices)";
  }
  return "?";
}

MarketForecaster::MarketForecaster(const market::MarketData& market, Duration horizon,
                                   market::ForecastOptions options)
    : market_(market), horizon_(horizon), options_(options) {}

const market::MarketData* MarketForecaster::At(TimePoint now) {
  const TimePoint hour = now - (((now % kHour) + kHour) % kHour);
  if (!hour_ || *hour_ != hour) {
    cached_ = market::ForecastMarket(market_, hour, horizon_, options_);
    hour_ = hour;
  }
  return &cached_;
}

std::function<const market::MarketData*(TimePoint)> MarketForecaster::Callback() {
  return [this](TimePoint now) { return At(now); };
}

}  // namespace rigshift::sim
