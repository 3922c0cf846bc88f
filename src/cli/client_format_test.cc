#include "cli/client_format.h"

#include <gtest/gtest.h>

namespace rigshift::cli {
namespace {

using nlohmann::json;

const json kJob = json::parse(R"({"id": 7, "tenant": "alice", "name": "train", "state": "queued",
  "gpus": 2, "price_usd_per_gpu_hour": 0.8, "submitted": "2026-12-07T00:00:00Z", "started": null,
  "ended": null, "deadline": null, "devices": [], "charged_usd": 0, "command": ""})");

TEST(ClientFormatTest, JobLine) {
  EXPECT_EQ(FormatJobLine(kJob), "job 7 queued: 2 GPUs at 0.80 USD/GPU-h, \"train\" (alice)\n");
}

TEST(ClientFormatTest, JobsTableWithNextPageHint) {
  EXPECT_EQ(FormatJobsTable(json{{"items", json::array()}}), "no jobs\n");
  const std::string table = FormatJobsTable(json{{"items", {kJob}}, {"next", "7"}});
  EXPECT_EQ(table,
            "ID      STATE      GPUS  USD/GPU-H  TENANT      SUBMITTED             NAME\n"
            "7       queued     2     0.80       alice       2026-12-07T00:00:00Z  train\n"
            "(more jobs: --after 7)\n");
}

TEST(ClientFormatTest, DecisionsTable) {
  const json page = json::parse(R"({"items": [{"id": 1, "time": "2026-12-06T23:00:00Z",
    "device": "tx1/hall-a/r#0/n#0/d1", "site": "tx1", "mode": "off", "job": null,
    "reason": "mining pays 0.9 USD/h < power 1.4 USD/h: off", "plan_id": 7}]})");
  EXPECT_EQ(FormatDecisionsTable(page),
            "TIME                  DEVICE                      MODE  JOB    REASON\n"
            "2026-12-06T23:00:00Z  tx1/hall-a/r#0/n#0/d1       off   -      mining pays 0.9 USD/h "
            "< power 1.4 USD/h: off\n");
}

// Power against the cap with its share, the split, modes, prices, revenue per site; then totals.
TEST(ClientFormatTest, Status) {
  const json fleet = json::parse(R"({"name": "Example", "policy": "rigshift", "devices": 5,
    "devices_by_mode": {"ai": 2, "mine": 3}, "jobs_queued": 4, "jobs_running": 1})");
  const json sites = json::parse(R"({"items": [{"id": "tx1", "name": "West Texas",
    "market": "ercot", "grid_cap_kw": 2000, "facility_power_kw": 1350,
    "power_kw": {"ai": 300, "mining": 650, "hosts": 40, "idle": 10}, "cooling": "air", "pue": 1.35,
    "price_usd_per_mwh": 31.5, "hashprice_usd_per_th_day": 0.052,
    "devices_by_mode": {"ai": 2, "mine": 3}}]})");
  const json revenue =
      json::parse(R"({"items": [{"site": "tx1", "mode": "ai", "revenue_usd": 1250.5,
    "energy_cost_usd": 310.25, "net_usd": 940.25}]})");
  EXPECT_EQ(FormatStatus(fleet, sites, revenue),
            "Fleet Example (policy rigshift)\n"
            "Site tx1 \"West Texas\"\n"
            "  power           1350.0 kW of 2000.0 kW cap (67.5%)\n"
            "  split           AI 300.0 kW, mining 650.0 kW, hosts 40.0 kW, idle 10.0 kW\n"
            "  devices         ai 2, mine 3\n"
            "  price           31.50 USD/MWh (ercot), hashprice 0.0520 USD/TH/day\n"
            "  revenue         ai 1250.50 USD (net 940.25)\n"
            "Total\n"
            "  devices         5 (ai 2, mine 3)\n"
            "  jobs            4 queued, 1 running\n");
  // Without revenue (a tenant), no revenue line.
  EXPECT_EQ(FormatStatus(fleet, sites, json()).find("revenue"), std::string::npos);
}

TEST(ClientFormatTest, ApiErrors) {
  EXPECT_EQ(FormatApiError(400, R"({"error": {"code": "invalid_argument",
    "message": "gpus: must be an integer from 1 to 4096, got 0", "field": "gpus"}})"),
            "server answered 400 invalid_argument: gpus: must be an integer from 1 to 4096, got 0 "
            "(field gpus)");
  EXPECT_EQ(FormatApiError(404, R"({"error": {"code": "not_found", "message": "no job 9"}})"),
            "server answered 404 not_found: no job 9");
  EXPECT_EQ(FormatApiError(502, "Bad Gateway\nmore"), "server answered 502: Bad Gateway");
  EXPECT_EQ(FormatApiError(500, ""), "server answered 500");
}

}  // namespace
}  // namespace rigshift::cli
