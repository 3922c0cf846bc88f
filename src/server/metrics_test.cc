#include "server/metrics.h"

#include <gtest/gtest.h>

#include "server/testing/router_harness.h"

namespace rigshift::server {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

// Every family the daemon sets shows up with its labels and value in the text format.
TEST(MetricsTest, DaemonFamiliesSerialise) {
  Metrics m;
  m.SetDeviceModeCount("tx1", "ai", 12);
  m.SetSitePower("tx1", Kilowatts(1500), Megawatts(2));
  m.SetSitePrice("tx1", UsdPerMwh(31.5), UsdPerThsDay(0.05));
  m.SetQueue(4, 2);
  m.AddRevenue("tx1", "ai", Usd(10.5));
  m.AddRevenue("tx1", "ai", Usd(2));
  m.ObserveDecisionLatency(0.02);
  m.SetActionsPending(3);
  m.AddActionsConfirmed(5);
  m.AddActionsDrifted(1);
  m.AddBackendError("simulated");
  const std::string text = m.Serialize();
  EXPECT_TRUE(Has(text, "rigshift_device_mode_count{mode=\"ai\",site=\"tx1\"} 12")) << text;
  EXPECT_TRUE(Has(text, "rigshift_site_power_watts{site=\"tx1\"} 1500000"));
  EXPECT_TRUE(Has(text, "rigshift_site_grid_cap_watts{site=\"tx1\"} 2000000"));
  EXPECT_TRUE(Has(text, "rigshift_site_price_usd_per_mwh{site=\"tx1\"} 31.5"));
  EXPECT_TRUE(Has(text, "rigshift_site_hashprice_usd_per_th_day{site=\"tx1\"} 0.05"));
  EXPECT_TRUE(Has(text, "rigshift_jobs_queued 4"));
  EXPECT_TRUE(Has(text, "rigshift_jobs_running 2"));
  EXPECT_TRUE(Has(text, "rigshift_revenue_usd_total{mode=\"ai\",site=\"tx1\"} 12.5"));
  EXPECT_TRUE(Has(text, "rigshift_decision_latency_seconds_count 1"));
  EXPECT_TRUE(Has(text, "rigshift_decision_latency_seconds_bucket{le=\"0.05\"} 1"));
  EXPECT_TRUE(Has(text, "rigshift_decision_latency_seconds_bucket{le=\"0.01\"} 0"));
  EXPECT_TRUE(Has(text, "rigshift_actions_pending 3"));
  EXPECT_TRUE(Has(text, "rigshift_actions_confirmed_total 5"));
  EXPECT_TRUE(Has(text, "rigshift_actions_drifted_total 1"));
  EXPECT_TRUE(Has(text, "rigshift_backend_errors_total{backend=\"simulated\"} 1"));
}

// The router counts requests by route template (not the raw path) and status.
TEST(MetricsTest, RouterCountsRequestsByTemplate) {
  testing::RouterHarness h;
  h.Get("/v1/jobs/1");
  h.Get("/v1/jobs/2");
  h.Get("/nowhere");
  const std::string text = h.metrics().Serialize();
  EXPECT_TRUE(Has(
      text, "rigshift_http_requests_total{code=\"404\",method=\"GET\",route=\"/v1/jobs/{id}\"} 2"))
      << text;
  EXPECT_TRUE(
      Has(text, "rigshift_http_requests_total{code=\"404\",method=\"GET\",route=\"unmatched\"} 1"));
  EXPECT_TRUE(Has(text, "rigshift_http_request_duration_seconds_count{route=\"/v1/jobs/{id}\"} 2"));
}

}  // namespace
}  // namespace rigshift::server
