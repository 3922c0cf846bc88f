// The HTTP API as a pure function of a request: Router::Handle(HttpRequest) -> HttpResponse over
// plain structs. The socket layer (http_server.h) only copies httplib's request in and the
// response out, so tests and the fuzz target (tests/fuzz/api_fuzz.cc) drive every handler
// without sockets.
//
// Routes (openapi.json documents each; router_openapi_test.cc keeps the two in step):
//   GET  /healthz                 no auth
//   GET  /readyz, /metrics        no auth from a loopback address, else an operator token
//   GET  /v1/openapi.json         any token
//   GET  /v1/fleet, /v1/sites, /v1/sites/{id}, /v1/market, /v1/policy   any token
//   POST /v1/jobs, GET /v1/jobs, GET|DELETE /v1/jobs/{id}, POST /v1/jobs/{id}/cancel   any
//        token; a tenant sees and cancels only its own jobs
//   GET  /v1/devices, /v1/devices/{id}, /v1/decisions, /v1/revenue, POST /v1/market/prices
//        operator only
// Path parameters are one URL-encoded segment ("tx1%2Fhall%2Fr%230%2Fn%231%2Fd0"). Errors are
// {"error":{"code","message","field"?}} (service.h lists the status mapping).
//
// Thread-safety: Handle is const and may run on many threads at once if the service allows it.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/metrics.h"
#include "server/service.h"

namespace rigshift::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent, still URL-encoded: "/v1/jobs?state=queued"
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_addr;  // "127.0.0.1", "::1", ...
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type
  std::string route;  // the matched template ("/v1/jobs/{id}"), "unmatched" when none
};

enum class Access : uint8_t {
  kPublic,              // no token
  kLoopbackOrOperator,  // no token from a loopback address, else an operator token
  kAuthenticated,       // any valid token
  kOperator,            // an operator token
};

struct RouteInfo {
  std::string method;
  std::string path;  // OpenAPI template
  Access access;
};

struct RouterOptions {
  size_t max_body_bytes = 1 << 20;
  // One JSON line per request; nullptr logs nothing. StderrAccessLog writes to stderr.
  std::function<void(std::string_view line)> access_log;
};

void StderrAccessLog(std::string_view line);

class Router {
 public:
  // `service` and `metrics` must outlive the router.
  Router(FleetService& service, Metrics& metrics, RouterOptions options);

  HttpResponse Handle(const HttpRequest& request) const;

  // Every route the router serves, in a stable order.
  static std::vector<RouteInfo> Routes();

  struct Call;
  struct Route;

 private:
  HttpResponse Dispatch(const HttpRequest& request, std::string& principal_name) const;

  FleetService& service_;
  Metrics& metrics_;
  RouterOptions options_;
};

// The embedded OpenAPI 3 document (src/server/openapi.json at build time).
std::string_view OpenApiDocument();

}  // namespace rigshift::server
