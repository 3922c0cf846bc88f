// Prometheus metrics of `rigshift serve`: one registry with the families the daemon updates and
// the HTTP layer's own, serialised in the text format on GET /metrics (no separate exposer port).
//
// Families (all prefixed rigshift_):
//   device_mode_count{site,mode}           gauge    devices in each mode
//   site_power_watts{site}, site_grid_cap_watts{site}   gauges: facility power against the cap
//   site_price_usd_per_mwh{site}, site_hashprice_usd_per_th_day{site}
//   jobs_queued, jobs_running               gauges
//   revenue_usd_total{site,mode}            counter  gross revenue so far
//   decision_latency_seconds                histogram  policy round wall time
//   actions_pending (gauge), actions_confirmed_total, actions_drifted_total (counters)
//   backend_errors_total{backend}           counter
//   http_requests_total{route,method,code}  counter; route is the template ("/v1/jobs/{id}")
//   http_request_duration_seconds{route}    histogram
// Thread-safety: every method may be called from any thread (prometheus-cpp locks per family).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/quantity.h"

namespace rigshift::server {

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void SetDeviceModeCount(const std::string& site, const std::string& mode, int64_t count);
  void SetSitePower(const std::string& site, Power facility_power, Power grid_cap);
  void SetSitePrice(const std::string& site, EnergyPrice price, HashPrice hashprice);
  void SetQueue(int64_t queued, int64_t running);
  // Adds gross revenue earned; `earned` is never negative.
  void AddRevenue(const std::string& site, const std::string& mode, Money earned);
  void ObserveDecisionLatency(double seconds);
  void SetActionsPending(int64_t pending);
  void AddActionsConfirmed(int64_t count);
  void AddActionsDrifted(int64_t count);
  void AddBackendError(const std::string& backend);
  void ObserveHttpRequest(const std::string& route, const std::string& method, int status,
                          double seconds);

  // The Prometheus text exposition format (version 0.0.4).
  std::string Serialize() const;
  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& device_modes_;
  prometheus::Family<prometheus::Gauge>& site_power_;
  prometheus::Family<prometheus::Gauge>& site_cap_;
  prometheus::Family<prometheus::Gauge>& site_price_;
  prometheus::Family<prometheus::Gauge>& site_hashprice_;
  prometheus::Gauge& jobs_queued_;
  prometheus::Gauge& jobs_running_;
  prometheus::Family<prometheus::Counter>& revenue_;
  prometheus::Histogram& decision_latency_;
  prometheus::Gauge& actions_pending_;
  prometheus::Counter& actions_confirmed_;
  prometheus::Counter& actions_drifted_;
  prometheus::Family<prometheus::Counter>& backend_errors_;
  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Family<prometheus::Histogram>& http_latency_;
};

}  // namespace rigshift::server
