#include "server/metrics.h"

#include <prometheus/text_serializer.h>

#include "core/status.h"

namespace rigshift::server {

namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

// Policy rounds take milliseconds to seconds; HTTP requests a fraction of a millisecond to the
// 100 ms the load target allows, and beyond for stalls.
const prometheus::Histogram::BucketBoundaries kDecisionBuckets = {0.001, 0.005, 0.01, 0.05, 0.1,
                                                                  0.5,   1,     5,    30};
const prometheus::Histogram::BucketBoundaries kHttpBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                              0.025,  0.05,  0.1,    0.5,   2};

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      device_modes_(BuildGauge()
                        .Name("rigshift_device_mode_count")
                        .Help("Devices in each mode per site")
                        .Register(*registry_)),
      site_power_(BuildGauge()
                      .Name("rigshift_site_power_watts")
                      .Help("Facility power drawn now (IT x PUE)")
                      .Register(*registry_)),
      site_cap_(BuildGauge()
                    .Name("rigshift_site_grid_cap_watts")
                    .Help("Grid connection cap of the site")
                    .Register(*registry_)),
      site_price_(BuildGauge()
                      .Name("rigshift_site_price_usd_per_mwh")
                      .Help("Electricity price now, with the tariff's adders")
                      .Register(*registry_)),
      site_hashprice_(BuildGauge()
                          .Name("rigshift_site_hashprice_usd_per_th_day")
                          .Help("Hashprice now as the site sees it")
                          .Register(*registry_)),
      jobs_queued_(BuildGauge()
                       .Name("rigshift_jobs_queued")
                       .Help("AI jobs waiting")
                       .Register(*registry_)
                       .Add({})),
      jobs_running_(BuildGauge()
                        .Name("rigshift_jobs_running")
                        .Help("AI jobs running")
                        .Register(*registry_)
                        .Add({})),
      revenue_(BuildCounter()
                   .Name("rigshift_revenue_usd_total")
                   .Help("Gross revenue earned so far per site and mode")
                   .Register(*registry_)),
      decision_latency_(BuildHistogram()
                            .Name("rigshift_decision_latency_seconds")
                            .Help("Wall time of a policy round")
                            .Register(*registry_)
                            .Add({}, kDecisionBuckets)),
      actions_pending_(BuildGauge()
                           .Name("rigshift_actions_pending")
                           .Help("Backend actions sent and not yet confirmed")
                           .Register(*registry_)
                           .Add({})),
      actions_confirmed_(BuildCounter()
                             .Name("rigshift_actions_confirmed_total")
                             .Help("Backend actions confirmed by observed state")
                             .Register(*registry_)
                             .Add({})),
      actions_drifted_(BuildCounter()
                           .Name("rigshift_actions_drifted_total")
                           .Help("Devices found in another state than the plan wants")
                           .Register(*registry_)
                           .Add({})),
      backend_errors_(BuildCounter()
                          .Name("rigshift_backend_errors_total")
                          .Help("Errors reported by backends")
                          .Register(*registry_)),
      http_requests_(BuildCounter()
                         .Name("rigshift_http_requests_total")
                         .Help("HTTP requests by route template, method and status code")
                         .Register(*registry_)),
      http_latency_(BuildHistogram()
                        .Name("rigshift_http_request_duration_seconds")
                        .Help("Time to handle an HTTP request (excluding network transfer)")
                        .Register(*registry_)) {}

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
