#include "server/router.h"

#include <gtest/gtest.h>

#include "server/testing/router_harness.h"

namespace rigshift::server {
namespace {

using nlohmann::json;
using testing::BodyOf;
using testing::JobBody;
using testing::kAliceToken;
using testing::kBobToken;
using testing::kOperatorToken;

class RouterTest : public ::testing::Test {
 protected:
  // The error object of a response with `status`.
  json ErrorOf(const HttpResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    json body = BodyOf(r);
    EXPECT_TRUE(body.contains("error")) << r.body;
    return body["error"];
  }
  int64_t Submit(const std::string& token, const std::string& body = JobBody()) {
    HttpResponse r = h.Post("/v1/jobs", body, token);
    EXPECT_EQ(r.status, 201) << r.body;
    return BodyOf(r)["id"].get<int64_t>();
  }
  testing::RouterHarness h;
};

// /healthz needs nothing; /readyz and /metrics are open from loopback only.
TEST_F(RouterTest, HealthReadinessMetricsAccess) {
  EXPECT_EQ(h.Get("/healthz", "").status, 200);
  EXPECT_EQ(h.Send("GET", "/readyz", "", "", {}, "127.0.0.1").status, 200);
  EXPECT_EQ(ErrorOf(h.Get("/readyz", ""), 401)["code"], "unauthenticated");
  EXPECT_EQ(ErrorOf(h.Get("/readyz", kAliceToken), 403)["code"], "permission_denied");
  EXPECT_EQ(h.Get("/readyz", kOperatorToken).status, 200);
  h.service().set_ready(false);
  EXPECT_EQ(ErrorOf(h.Get("/readyz"), 503)["code"], "unavailable");

  HttpResponse metrics = h.Send("GET", "/metrics", "", "", {}, "::1");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(metrics.body.find("rigshift_http_requests_total"), std::string::npos);
  EXPECT_EQ(h.Get("/metrics", "").status, 401);
}

// No token, a malformed header and an unknown token are all 401 with the API's error shape.
TEST_F(RouterTest, AuthenticationFailures) {
  EXPECT_EQ(ErrorOf(h.Get("/v1/fleet", ""), 401)["code"], "unauthenticated");
  EXPECT_EQ(ErrorOf(h.Get("/v1/fleet", "wrong-token"), 401)["message"], "unknown token");
  HttpResponse basic = h.Send("GET", "/v1/fleet", "", "", {{"authorization", "Basic abc"}});
  EXPECT_EQ(basic.status, 401);
  HttpResponse empty = h.Send("GET", "/v1/fleet", "", "", {{"authorization", "Bearer "}});
  EXPECT_EQ(empty.status, 401);
  // The anonymous caller learns nothing about parameters: 401 before 400.
  EXPECT_EQ(h.Get("/v1/jobs?bogus=1", "").status, 401);
}

TEST_F(RouterTest, FleetSitesMarketPolicy) {
  json fleet = BodyOf(h.Get("/v1/fleet", kAliceToken));
  EXPECT_EQ(fleet["devices"], 6);
  EXPECT_EQ(fleet["devices_by_kind"]["gpu"], 4);
  EXPECT_EQ(fleet["sites"], json({"tx1", "ny1"}));

  json sites = BodyOf(h.Get("/v1/sites"));
  ASSERT_EQ(sites["items"].size(), 2u);
  EXPECT_DOUBLE_EQ(sites["items"][0]["grid_cap_kw"].get<double>(), 2000);
  EXPECT_DOUBLE_EQ(sites["items"][0]["pue"].get<double>(), 1.35);
  EXPECT_EQ(BodyOf(h.Get("/v1/sites/ny1"))["name"], "Upstate New York");
  EXPECT_EQ(ErrorOf(h.Get("/v1/sites/nowhere"), 404)["code"], "not_found");

  json market = BodyOf(h.Get("/v1/market", kAliceToken));
  EXPECT_DOUBLE_EQ(market["sites"][0]["price_usd_per_mwh"].get<double>(), 31.5);
  EXPECT_EQ(market["sites"][0]["time"], "2026-12-07T00:00:00Z");
  EXPECT_EQ(BodyOf(h.Get("/v1/policy"))["options"]["queue"], "fifo");
}

// Devices page by cursor and filter; ids with '/' and '#' travel URL-encoded in one segment.
TEST_F(RouterTest, DevicesPagesFiltersAndEncodedIds) {
  json first = BodyOf(h.Get("/v1/devices?limit=4"));
  ASSERT_EQ(first["items"].size(), 4u);
  ASSERT_TRUE(first.contains("next"));
  json second = BodyOf(h.Get("/v1/devices?limit=4&after=" + first["next"].get<std::string>()));
  EXPECT_EQ(second["items"].size(), 2u);
  EXPECT_FALSE(second.contains("next"));

  json asics = BodyOf(h.Get("/v1/devices?kind=asic&site=tx1"));
  ASSERT_EQ(asics["items"].size(), 1u);
  EXPECT_EQ(asics["items"][0]["up"], false);

  HttpResponse one = h.Get("/v1/devices/tx1%2Fhall-a%2Fr%230%2Fn%231%2Fd1");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(BodyOf(one)["id"], "tx1/hall-a/r#0/n#1/d1");
  EXPECT_EQ(BodyOf(one)["mode"], "mine");
  // Unencoded, the id is several segments and matches no route.
  EXPECT_EQ(h.Get("/v1/devices/tx1/hall-a/r").status, 404);
  EXPECT_EQ(ErrorOf(h.Get("/v1/devices/nope"), 404)["message"], "no device 'nope'");
  EXPECT_EQ(ErrorOf(h.Get("/v1/devices/%zz"), 400)["code"], "invalid_argument");

  EXPECT_EQ(ErrorOf(h.Get("/v1/devices?limit=0"), 400)["field"], "limit");
  EXPECT_EQ(ErrorOf(h.Get("/v1/devices?limit=abc"), 400)["field"], "limit");
  EXPECT_EQ(ErrorOf(h.Get("/v1/devices?colour=red"), 400)["field"], "colour");
  EXPECT_EQ(ErrorOf(h.Get("/v1/devices", kAliceToken), 403)["code"], "permission_denied");
}

// Submit answers 201 with Location; the same Idempotency-Key replays, another body conflicts.
TEST_F(RouterTest, SubmitWithIdempotencyKey) {
  HttpResponse r = h.Post("/v1/jobs", JobBody(2), kAliceToken, {{"idempotency-key", "k-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json job = BodyOf(r);
  EXPECT_EQ(job["state"], "queued");
  EXPECT_EQ(job["tenant"], "alice");
  EXPECT_DOUBLE_EQ(job["price_usd_per_gpu_hour"].get<double>(), 0.8);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], std::make_pair(std::string("Location"),
                                         "/v1/jobs/" + std::to_string(job["id"].get<int64_t>())));

  HttpResponse again = h.Post("/v1/jobs", JobBody(2), kAliceToken, {{"idempotency-key", "k-1"}});
  EXPECT_EQ(BodyOf(again)["id"], job["id"]);
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", JobBody(3), kAliceToken, {{"idempotency-key", "k-1"}}),
                    409)["code"],
            "already_exists");
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", JobBody(), kAliceToken,
                           {{"idempotency-key", std::string(129, 'k')}}),
                    400)["field"],
            "Idempotency-Key");
  // Without a key every submission is a new job.
  EXPECT_NE(Submit(kAliceToken), Submit(kAliceToken));
}

// Bad bodies are 400 naming the field; a service's own field errors keep their field.
TEST_F(RouterTest, SubmitRejectsBadBodies) {
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", "{", kAliceToken), 400)["code"], "invalid_argument");
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", R"({"gpus": "two"})", kAliceToken), 400)["field"], "gpus");
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", R"({"gpus": NaN})", kAliceToken), 400)["field"], "gpus");
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", R"({"gpus": 1e300})", kAliceToken), 400)["field"], "gpus");
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", R"({"gpus": 1, "colour": 1})", kAliceToken), 400)["field"],
            "colour");
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", "", kAliceToken), 400)["message"],
            "the request body is empty (expected JSON)");
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", JobBody(100), kAliceToken), 400)["field"], "gpus");
  EXPECT_EQ(ErrorOf(h.Post("/v1/jobs", std::string((1 << 20) + 1, ' '), kAliceToken), 413)["code"],
            "resource_exhausted");
  h.service().set_read_only(true);
  json full = ErrorOf(h.Post("/v1/jobs", JobBody(), kAliceToken), 503);
  EXPECT_EQ(full["message"], "the store is read-only (disk full)");
  EXPECT_EQ(h.Get("/v1/jobs", kAliceToken).status, 200);  // reads keep working
}

// A tenant sees and cancels only its own jobs; another tenant's job reads as missing.
TEST_F(RouterTest, TenantsAreScoped) {
  const int64_t alice_job = Submit(kAliceToken);
  const int64_t bob_job = Submit(kBobToken);
  const std::string bob_path = "/v1/jobs/" + std::to_string(bob_job);

  json alice_jobs = BodyOf(h.Get("/v1/jobs", kAliceToken));
  ASSERT_EQ(alice_jobs["items"].size(), 1u);
  EXPECT_EQ(alice_jobs["items"][0]["id"], alice_job);
  EXPECT_EQ(ErrorOf(h.Get("/v1/jobs?tenant=bob", kAliceToken), 403)["code"], "permission_denied");
  EXPECT_EQ(BodyOf(h.Get("/v1/jobs?tenant=bob"))["items"].size(), 1u);
  EXPECT_EQ(BodyOf(h.Get("/v1/jobs"))["items"].size(), 2u);

  EXPECT_EQ(ErrorOf(h.Get(bob_path, kAliceToken), 404)["code"], "not_found");
  EXPECT_EQ(h.Post(bob_path + "/cancel", "", kAliceToken).status, 404);
  EXPECT_EQ(h.Send("DELETE", bob_path, kAliceToken).status, 404);
  EXPECT_EQ(BodyOf(h.Get(bob_path, kBobToken))["state"], "queued");

  EXPECT_EQ(ErrorOf(h.Post("/v1/market/prices", "{}", kAliceToken), 403)["code"],
            "permission_denied");
  EXPECT_EQ(h.Get("/v1/decisions", kAliceToken).status, 403);
  EXPECT_EQ(h.Get("/v1/revenue", kAliceToken).status, 403);
}

// Cancel works once by POST or DELETE; a second cancel is a 409; bad ids are 404.
TEST_F(RouterTest, CancelAndJobLookups) {
  const int64_t id = Submit(kAliceToken);
  const std::string path = "/v1/jobs/" + std::to_string(id);
  EXPECT_EQ(BodyOf(h.Get(path, kAliceToken))["state"], "queued");
  HttpResponse cancelled = h.Post(path + "/cancel", "", kAliceToken);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(BodyOf(cancelled)["state"], "cancelled");
  EXPECT_EQ(BodyOf(cancelled)["ended"], "2026-12-07T00:00:00Z");
  EXPECT_EQ(ErrorOf(h.Send("DELETE", path, kAliceToken), 409)["code"], "failed_precondition");

  const int64_t other = Submit(kAliceToken);
  EXPECT_EQ(h.Send("DELETE", "/v1/jobs/" + std::to_string(other), kAliceToken).status, 200);
  EXPECT_EQ(BodyOf(h.Get("/v1/jobs?state=cancelled", kAliceToken))["items"].size(), 2u);
  EXPECT_EQ(BodyOf(h.Get("/v1/jobs?state=queued", kAliceToken))["items"].size(), 0u);
  EXPECT_EQ(ErrorOf(h.Get("/v1/jobs?state=lost"), 400)["field"], "state");

  EXPECT_EQ(h.Get("/v1/jobs/999").status, 404);
  EXPECT_EQ(h.Get("/v1/jobs/abc").status, 404);
  EXPECT_EQ(h.Get("/v1/jobs/-1").status, 404);
  EXPECT_EQ(h.Get("/v1/jobs/99999999999999999999999").status, 404);
}

// Jobs page by id cursor.
TEST_F(RouterTest, JobsPage) {
  for (int i = 0; i < 5; ++i) Submit(kAliceToken);
  json first = BodyOf(h.Get("/v1/jobs?limit=3", kAliceToken));
  ASSERT_EQ(first["items"].size(), 3u);
  EXPECT_EQ(first["next"], "3");
  json rest = BodyOf(h.Get("/v1/jobs?limit=3&after=3", kAliceToken));
  EXPECT_EQ(rest["items"].size(), 2u);
  EXPECT_EQ(rest["items"][0]["id"], 4);
  EXPECT_EQ(ErrorOf(h.Get("/v1/jobs?after=x", kAliceToken), 400)["field"], "after");
}

TEST_F(RouterTest, DecisionsFilters) {
  json all = BodyOf(h.Get("/v1/decisions"));
  ASSERT_EQ(all["items"].size(), 3u);
  EXPECT_EQ(all["items"][2]["reason"], "mining pays 0.9 USD/h < power 1.4 USD/h: off");
  const std::string device = all["items"][0]["device"];
  EXPECT_EQ(BodyOf(h.Get("/v1/decisions?device=" + device))["items"].size(), 1u);
  EXPECT_EQ(BodyOf(h.Get("/v1/decisions?from=2026-12-06T23:10:00Z"))["items"].size(), 2u);
  EXPECT_EQ(BodyOf(h.Get("/v1/decisions?to=2026-12-06T23:10:00Z"))["items"].size(), 1u);
  EXPECT_EQ(BodyOf(h.Get("/v1/decisions?limit=1&after=1"))["next"], "2");
  EXPECT_EQ(ErrorOf(h.Get("/v1/decisions?from=yesterday"), 400)["field"], "from");
  EXPECT_EQ(ErrorOf(h.Get("/v1/decisions?job=0"), 400)["field"], "job");
}

// Prices are validated entry by entry; the service's field errors keep their path.
TEST_F(RouterTest, PushPrices) {
  const std::string body =
      R"({"prices": [{"site": "tx1", "time": "2026-12-07T01:00:00Z", "usd_per_mwh": -12.5}]})";
  HttpResponse r = h.Post("/v1/market/prices", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(BodyOf(r)["accepted"], 1);
  ASSERT_EQ(h.service().pushed_prices().size(), 1u);
  EXPECT_EQ(h.service().pushed_prices()[0].price, UsdPerMwh(-12.5));

  EXPECT_EQ(ErrorOf(h.Post("/v1/market/prices", R"({"prices": []})"), 400)["field"], "prices");
  EXPECT_EQ(ErrorOf(h.Post("/v1/market/prices",
                           R"({"prices": [{"site": "tx1", "time": "2026-12-07T01:00:00Z",
                               "usd_per_mwh": 1e300}]})"),
                    400)["field"],
            "prices[0].usd_per_mwh");
  EXPECT_EQ(ErrorOf(h.Post("/v1/market/prices",
                           R"({"prices": [{"site": "tx1", "time": "2026-12-07T01:00:00Z",
                               "usd_per_mwh": 1}, {"site": "mars", "time": "2026-12-07T01:00:00Z",
                               "usd_per_mwh": 1}]})"),
                    400)["field"],
            "prices[1].site");
  EXPECT_EQ(ErrorOf(h.Post("/v1/market/prices", R"({"prices": [{"site": "tx1"}]})"), 400)["field"],
            "prices[0].time");
  EXPECT_EQ(ErrorOf(h.Post("/v1/market/prices", R"({"prices": [], "extra": 1})"), 400)["field"],
            "extra");
}

TEST_F(RouterTest, Revenue) {
  json revenue = BodyOf(h.Get("/v1/revenue"));
  ASSERT_EQ(revenue["items"].size(), 3u);
  EXPECT_DOUBLE_EQ(revenue["items"][0]["revenue_usd"].get<double>(), 1250.5);
  EXPECT_DOUBLE_EQ(revenue["items"][0]["net_usd"].get<double>(), 940.25);
}

// Unknown paths are 404, known paths with another method 405 with Allow.
TEST_F(RouterTest, UnknownRoutesAndMethods) {
  EXPECT_EQ(ErrorOf(h.Get("/v2/fleet"), 404)["code"], "not_found");
  EXPECT_EQ(h.Get("/v1/jobs/").status, 404);
  HttpResponse r = h.Send("PUT", "/v1/jobs", kOperatorToken);
  EXPECT_EQ(ErrorOf(r, 405)["code"], "method_not_allowed");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "POST, GET");
  EXPECT_EQ(h.Get("relative").status, 400);
}

// One JSON access-log line per request naming the route template, status and caller.
TEST_F(RouterTest, AccessLogLines) {
  h.Get("/v1/jobs/5", kAliceToken);
  ASSERT_EQ(h.log().size(), 1u);
  json line = json::parse(h.log()[0]);
  EXPECT_EQ(line["route"], "/v1/jobs/{id}");
  EXPECT_EQ(line["target"], "/v1/jobs/5");
  EXPECT_EQ(line["status"], 404);
  EXPECT_EQ(line["principal"], "alice");
  EXPECT_EQ(line["method"], "GET");
  EXPECT_TRUE(line["duration_ms"].is_number());
}

// Error messages carrying bytes that are not UTF-8 still serialise.
TEST_F(RouterTest, InvalidUtf8InTargetIsSafe) {
  HttpResponse r = h.Get("/v1/sites/%ff%fe");
  EXPECT_EQ(r.status, 404);
  EXPECT_NO_THROW(BodyOf(r));
}

}  // namespace
}  // namespace rigshift::server
