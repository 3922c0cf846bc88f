#include "server/metrics.h"

#include <prometheus/text_serializer.h>

#include "core/status.h"

namespace rigshift::server {

namespace {

prometheus::Family<prometheus::Gauge>& Gauges(prometheus::Registry& r, const char* name,
                                              const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Counter>& Counters(prometheus::Registry& r, const char* name,
                                                  const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Histogram>& Histograms(prometheus::Registry& r, const char* name,
                                                      const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}

// Policy rounds take milliseconds to seconds; HTTP requests a fraction of a millisecond to the
// 100 ms the load target allows, and beyond for stalls.
const prometheus::Histogram::BucketBoundaries kDecisionBuckets = {0.001, 0.005, 0.01, 0.05, 0.1,
                                                                  0.5,   1,     5,    30};
const prometheus::Histogram::BucketBoundaries kHttpBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                              0.025,  0.05,  0.1,    0.5,   2};

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      device_modes_(
          Gauges(*registry_, "rigshift_device_mode_count", "Devices in each mode per site")),
      site_power_(
          Gauges(*registry_, "rigshift_site_power_watts", "Facility power drawn now (IT x PUE)")),
      site_cap_(
          Gauges(*registry_, "rigshift_site_grid_cap_watts", "Grid connection cap of the site")),
      site_price_(Gauges(*registry_, "rigshift_site_price_usd_per_mwh",
                         "Electricity price now, with the tariff's adders")),
      site_hashprice_(Gauges(*registry_, "rigshift_site_hashprice_usd_per_th_day",
                             "Hashprice now as the site sees it")),
      jobs_queued_(Gauges(*registry_, "rigshift_jobs_queued", "AI jobs waiting").Add({})),
      jobs_running_(Gauges(*registry_, "rigshift_jobs_running", "AI jobs running").Add({})),
      revenue_(Counters(*registry_, "rigshift_revenue_usd_total",
                        "Gross revenue earned so far per site and mode")),
      decision_latency_(
          Histograms(*registry_, "rigshift_decision_latency_seconds", "Wall time of a policy round")
              .Add({}, kDecisionBuckets)),
      actions_pending_(Gauges(*registry_, "rigshift_actions_pending",
                              "Backend actions sent and not yet confirmed")
                           .Add({})),
      actions_confirmed_(Counters(*registry_, "rigshift_actions_confirmed_total",
                                  "Backend actions confirmed by observed state")
                             .Add({})),
      actions_drifted_(Counters(*registry_, "rigshift_actions_drifted_total",
                                "Devices found in another state than the plan wants")
                           .Add({})),
      backend_errors_(
          Counters(*registry_, "rigshift_backend_errors_total", "Errors reported by backends")),
      http_requests_(Counters(*registry_, "rigshift_http_requests_total",
                              "HTTP requests by route template, method and status code")),
      http_latency_(Histograms(*registry_, "rigshift_http_request_duration_seconds",
                               "Time to handle an HTTP request (excluding network transfer)")) {}

void Metrics::SetDeviceModeCount(const std::string& site, const std::string& mode, int64_t count) {
  device_modes_.Add({{"site", site}, {"mode", mode}}).Set(static_cast<double>(count));
}

void Metrics::SetSitePower(const std::string& site, Power facility_power, Power grid_cap) {
  site_power_.Add({{"site", site}}).Set(ToWatts(facility_power));
  site_cap_.Add({{"site", site}}).Set(ToWatts(grid_cap));
}

void Metrics::SetSitePrice(const std::string& site, EnergyPrice price, HashPrice hashprice) {
  site_price_.Add({{"site", site}}).Set(ToUsdPerMwh(price));
  site_hashprice_.Add({{"site", site}}).Set(ToUsdPerThsDay(hashprice));
}

void Metrics::SetQueue(int64_t queued, int64_t running) {
  jobs_queued_.Set(static_cast<double>(queued));
  jobs_running_.Set(static_cast<double>(running));
}

void Metrics::AddRevenue(const std::string& site, const std::string& mode, Money earned) {
  RS_CHECK(!earned.IsNegative());
  revenue_.Add({{"site", site}, {"mode", mode}}).Increment(ToUsd(earned));
}

void Metrics::ObserveDecisionLatency(double seconds) { decision_latency_.Observe(seconds); }

void Metrics::SetActionsPending(int64_t pending) {
  actions_pending_.Set(static_cast<double>(pending));
}

void Metrics::AddActionsConfirmed(int64_t count) {
  actions_confirmed_.Increment(static_cast<double>(count));
}

void Metrics::AddActionsDrifted(int64_t count) {
  actions_drifted_.Increment(static_cast<double>(count));
}

void Metrics::AddBackendError(const std::string& backend) {
  backend_errors_.Add({{"backend", backend}}).Increment();
}

void Metrics::ObserveHttpRequest(const std::string& route, const std::string& method, int status,
                                 double seconds) {
  http_requests_.Add({{"route", route}, {"method", method}, {"code", std::to_string(status)}})
      .Increment();
  http_latency_.Add({{"route", route}}, kHttpBuckets).Observe(seconds);
}

std::string Metrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace rigshift::server
