// Holds src/server/openapi.json and the router to each other: every route is documented (and
// nothing else is), and every response to a broad set of requests, happy and failing, matches
// the status codes and schemas the document gives for its route.
#include <gtest/gtest.h>

#include <set>

#include "server/router.h"
#include "server/testing/json_schema.h"
#include "server/testing/router_harness.h"

namespace rigshift::server {
namespace {

using nlohmann::json;
using testing::JobBody;
using testing::kAliceToken;
using testing::kBobToken;
using testing::kOperatorToken;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

json Document() { return json::parse(OpenApiDocument()); }

TEST(OpenApiTest, DocumentIsOpenApi3WithResolvableSchemas) {
  const json doc = Document();
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.", 0), 0u);
  // Every component schema is itself checkable: validating null against it reports only type
  // mismatches, never an unsupported keyword or an unresolved $ref.
  for (const auto& [name, schema] : doc["components"]["schemas"].items()) {
    for (const std::string& e : testing::ValidateJson(json(nullptr), schema, doc)) {
      EXPECT_EQ(e.find("unsupported"), std::string::npos) << name << ": " << e;
      EXPECT_EQ(e.find("unresolved"), std::string::npos) << name << ": " << e;
    }
  }
}

TEST(OpenApiTest, EveryRouteIsDocumentedAndNothingElse) {
  const json doc = Document();
  std::set<std::pair<std::string, std::string>> routes;
  for (const RouteInfo& r : Router::Routes()) {
    routes.emplace(r.path, Lower(r.method));
    ASSERT_TRUE(doc["paths"].contains(r.path)) << r.path << " is missing from openapi.json";
    EXPECT_TRUE(doc["paths"][r.path].contains(Lower(r.method)))
        << r.method << " " << r.path << " is missing from openapi.json";
    const bool public_route = r.access == Access::kPublic;
    const json& op = doc["paths"][r.path][Lower(r.method)];
    EXPECT_EQ(op.contains("security") && op["security"].empty(), public_route)
        << r.method << " " << r.path << ": security in the document disagrees with the router";
  }
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      EXPECT_TRUE(routes.count({path, method})) << method << " " << path << " is not served";
    }
  }
}

class OpenApiResponsesTest : public ::testing::Test {
 protected:
  // Sends a request and checks its response against the document.
  void Check(const std::string& method, const std::string& target, const std::string& token,
             const std::string& body = "", std::map<std::string, std::string> headers = {},
             const std::string& remote = "192.0.2.10") {
    const HttpResponse r = h.Send(method, target, token, body, std::move(headers), remote);
    SCOPED_TRACE(method + " " + target + " -> " + std::to_string(r.status) + " " +
                 r.body.substr(0, 300));
    ASSERT_NE(r.route, "unmatched");
    const json& op = doc["paths"][r.route][Lower(method)];
    const std::string code = std::to_string(r.status);
    ASSERT_TRUE(op["responses"].contains(code)) << "status " << code << " is not documented";
    const json& content = op["responses"][code]["content"];
    const std::string media = r.content_type.substr(0, r.content_type.find(';'));
    ASSERT_TRUE(content.contains(media)) << media << " is not documented";
    seen.insert(r.route + " " + method + " " + code);
    if (media != "application/json") return;
    const json parsed = json::parse(r.body);
    for (const std::string& e : testing::ValidateJson(parsed, content[media]["schema"], doc)) {
      ADD_FAILURE() << e;
    }
  }

  testing::RouterHarness h;
  json doc = Document();
  std::set<std::string> seen;
};

TEST_F(OpenApiResponsesTest, ResponsesMatchTheDocument) {
  Check("GET", "/healthz", "");
  Check("GET", "/readyz", "", "", {}, "127.0.0.1");
  Check("GET", "/readyz", "");
  Check("GET", "/readyz", kAliceToken);
  Check("GET", "/metrics", "", "", {}, "127.0.0.1");
  Check("GET", "/metrics", kAliceToken);
  Check("GET", "/v1/openapi.json", kAliceToken);
  Check("GET", "/v1/fleet", kAliceToken);
  Check("GET", "/v1/fleet", "nope");
  Check("GET", "/v1/sites", kAliceToken);
  Check("GET", "/v1/sites/tx1", kAliceToken);
  Check("GET", "/v1/sites/none", kAliceToken);
  Check("GET", "/v1/devices?limit=2", kOperatorToken);
  Check("GET", "/v1/devices?limit=0", kOperatorToken);
  Check("GET", "/v1/devices", kAliceToken);
  Check("GET", "/v1/devices/tx1%2Fhall-a%2Fr%230%2Fn%230%2Fd0", kOperatorToken);
  Check("GET", "/v1/devices/none", kOperatorToken);
  Check("POST", "/v1/jobs", kAliceToken, JobBody(), {{"idempotency-key", "a"}});
  Check("POST", "/v1/jobs", kAliceToken, JobBody(3), {{"idempotency-key", "a"}});
  Check("POST", "/v1/jobs", kBobToken, JobBody());
  Check("POST", "/v1/jobs", kAliceToken, R"({"gpus": -1})");
  Check("POST", "/v1/jobs", kAliceToken, std::string(2 << 20, ' '));
  Check("GET", "/v1/jobs", kAliceToken);
  Check("GET", "/v1/jobs?limit=1", kOperatorToken);
  Check("GET", "/v1/jobs?tenant=bob", kAliceToken);
  Check("GET", "/v1/jobs?state=nope", kAliceToken);
  Check("GET", "/v1/jobs/1", kAliceToken);
  Check("GET", "/v1/jobs/2", kAliceToken);
  Check("POST", "/v1/jobs/1/cancel", kAliceToken);
  Check("POST", "/v1/jobs/1/cancel", kAliceToken);
  Check("DELETE", "/v1/jobs/2", kBobToken);
  Check("DELETE", "/v1/jobs/7", kBobToken);
  Check("GET", "/v1/decisions?limit=2", kOperatorToken);
  Check("GET", "/v1/decisions?from=bad", kOperatorToken);
  Check("GET", "/v1/decisions", kAliceToken);
  Check("GET", "/v1/market", kAliceToken);
  Check("POST", "/v1/market/prices", kOperatorToken,
        R"({"prices": [{"site": "ny1", "time": "2026-12-07T01:00:00Z", "usd_per_mwh": 40}]})");
  Check("POST", "/v1/market/prices", kOperatorToken, R"({"prices": 3})");
  Check("POST", "/v1/market/prices", kAliceToken, "{}");
  Check("GET", "/v1/revenue", kOperatorToken);
  Check("GET", "/v1/policy", kAliceToken);
  h.service().set_read_only(true);
  Check("POST", "/v1/jobs", kAliceToken, JobBody());
  h.service().set_ready(false);
  Check("GET", "/readyz", kOperatorToken);

  // Any route refuses an unknown query parameter with a documented 400.
  for (const RouteInfo& r : Router::Routes()) {
    std::string target = r.path;
    if (const size_t id = target.find("{id}"); id != std::string::npos) target.replace(id, 4, "1");
    Check(r.method, target + "?unknown=1", kOperatorToken);
    EXPECT_TRUE(seen.count(r.path + " " + r.method + " 400")) << r.method << " " << r.path;
  }

  // Every route answered at least once with success.
  for (const RouteInfo& r : Router::Routes()) {
    const bool ok = seen.count(r.path + " " + r.method + " 200") ||
                    seen.count(r.path + " " + r.method + " 201");
    EXPECT_TRUE(ok) << r.method << " " << r.path << " was never checked with a success";
  }
}

}  // namespace
}  // namespace rigshift::server
