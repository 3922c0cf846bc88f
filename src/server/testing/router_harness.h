// A Router over the in-memory FakeFleetService with helpers to send requests as a given caller,
// shared by the server's tests.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/http_server.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/testing/fake_fleet_service.h"

namespace rigshift::server::testing {

inline constexpr const char* kOperatorToken = "operator-token";
inline constexpr const char* kAliceToken = "alice-token";
inline constexpr const char* kBobToken = "bob-token";

class RouterHarness {
 public:
  explicit RouterHarness(RouterOptions options = {})
      : router_(service_, metrics_, WithLog(std::move(options))) {}

  // `token` "" sends no Authorization header.
  HttpResponse Send(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "", std::map<std::string, std::string> headers = {},
                    const std::string& remote = "192.0.2.10") {
    HttpRequest request;
    request.method = method;
    request.target = target;
    request.headers = std::move(headers);
    if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
    request.body = body;
    request.remote_addr = remote;
    return router_.Handle(request);
  }
  HttpResponse Get(const std::string& target, const std::string& token = kOperatorToken) {
    return Send("GET", target, token);
  }
  HttpResponse Post(const std::string& target, const std::string& body,
                    const std::string& token = kOperatorToken,
                    std::map<std::string, std::string> headers = {}) {
    return Send("POST", target, token, body, std::move(headers));
  }

  FakeFleetService& service() { return service_; }
  Metrics& metrics() { return metrics_; }
  const Router& router() const { return router_; }
  const std::vector<std::string>& log() const { return log_; }

 private:
  RouterOptions WithLog(RouterOptions options) {
    if (!options.access_log) {
      options.access_log = [this](std::string_view line) { log_.emplace_back(line); };
    }
    return options;
  }

  FakeFleetService service_;
  Metrics metrics_;
  std::vector<std::string> log_;
  Router router_;
};

// The HTTP server over `router` on a free loopback port, with one-second read and keep-alive
// timeouts so that stalled clients and shutdown take a second, not five.
inline Result<std::unique_ptr<HttpServer>> StartTestServer(const Router& router) {
  HttpServerOptions options;
  options.port = 0;
  options.read_timeout_s = 1;
  options.keep_alive_timeout_s = 1;
  options.threads = 8;
  return HttpServer::Start(router, options);
}

inline nlohmann::json BodyOf(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

// A valid job body for `gpus` GPUs.
inline std::string JobBody(int gpus = 2, const std::string& name = "train") {
  return nlohmann::json({{"name", name},
                         {"gpus", gpus},
                         {"duration_hours", 1.5},
                         {"price_usd_per_gpu_hour", 0.8}})
      .dump();
}

}  // namespace rigshift::server::testing
