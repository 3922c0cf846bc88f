#include "server/router.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "server/job_spec.h"
#include "server/openapi_embedded.h"
#include "server/request_json.h"
#include "server/view_json.h"

namespace rigshift::server {

using nlohmann::json;

namespace {

constexpr int32_t kMaxPageSize = 1000;
constexpr size_t kMaxIdempotencyKey = 128;
constexpr size_t kMaxPricePoints = 10'000;

// Strings from requests reach error messages; invalid UTF-8 is replaced, never thrown on.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The HTTP status and the stable error code string of each Status code (service.h).
struct ErrorMapping {
  int http;
  const char* code;
};

ErrorMapping MappingOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return {200, "ok"};
    case StatusCode::kInvalidArgument:
      return {400, "invalid_argument"};
    case StatusCode::kOutOfRange:
      return {400, "out_of_range"};
    case StatusCode::kUnauthenticated:
      return {401, "unauthenticated"};
    case StatusCode::kPermissionDenied:
      return {403, "permission_denied"};
    case StatusCode::kNotFound:
      return {404, "not_found"};
    case StatusCode::kAlreadyExists:
      return {409, "already_exists"};
    case StatusCode::kFailedPrecondition:
      return {409, "failed_precondition"};
    case StatusCode::kResourceExhausted:
      return {429, "resource_exhausted"};
    case StatusCode::kUnavailable:
      return {503, "unavailable"};
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      return {500, "internal"};
  }
  return {500, "internal"};
}

// The field an invalid-argument message starts with ("gpus: ..."), or "" (service.h).
std::string FieldOf(const std::string& message) {
  const size_t colon = message.find(": ");
  if (colon == 0 || colon == std::string::npos) return "";
  for (size_t i = 0; i < colon; ++i) {
    const char c = message[i];
    const bool path_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '[' || c == ']' ||
                           c == '-';
    if (!path_char) return "";
  }
  return message.substr(0, colon);
}

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = Dump(body);
  return r;
}

HttpResponse ErrorResponse(int status, const char* code, const std::string& message,
                           const std::string& field = "") {
  json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  return JsonResponse(status, {{"error", std::move(error)}});
}

HttpResponse ErrorResponse(const Status& status) {
  const std::string field =
      status.code() == StatusCode::kInvalidArgument ? FieldOf(status.message()) : "";
  const ErrorMapping mapping = MappingOf(status.code());
  return ErrorResponse(mapping.http, mapping.code, status.message(), field);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of one path segment or query component; '+' is a space only in queries.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument("malformed percent-encoding in the request target");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

struct Target {
  std::vector<std::string> segments;  // decoded, without the leading empty one
  std::vector<std::pair<std::string, std::string>> query;
};

Result<Target> ParseTarget(std::string_view target) {
  Target t;
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  if (path.empty() || path[0] != '/') {
    return Status::InvalidArgument("the request target must start with '/'");
  }
  for (const std::string& raw : Split(path.substr(1), '/')) {
    ASSIGN_OR_RETURN(std::string segment, PercentDecode(raw, false));
    t.segments.push_back(std::move(segment));
  }
  if (q != std::string_view::npos) {
    for (const std::string& part : Split(target.substr(q + 1), '&')) {
      if (part.empty()) continue;
      const size_t eq = part.find('=');
      ASSIGN_OR_RETURN(std::string key, PercentDecode(std::string_view(part).substr(0, eq), true));
      std::string value;
      if (eq != std::string::npos) {
        ASSIGN_OR_RETURN(value, PercentDecode(std::string_view(part).substr(eq + 1), true));
      }
      t.query.emplace_back(std::move(key), std::move(value));
    }
  }
  return t;
}

bool IsLoopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0;
}

}  // namespace

struct Router::Call {
  FleetService& service;
  Metrics& metrics;
  const HttpRequest& request;
  Principal principal;
  std::string param;  // the route's {id}, decoded
  std::map<std::string, std::string> query;

  const std::string* Query(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? nullptr : &it->second;
  }
  std::string QueryOr(const std::string& key, std::string fallback) const {
    const std::string* v = Query(key);
    return v ? *v : fallback;
  }
};

namespace {

using Call = Router::Call;

Result<std::optional<int64_t>> QueryInteger(const Call& call, const std::string& key, int64_t min,
                                            int64_t max) {
  const std::string* text = call.Query(key);
  if (text == nullptr) return std::optional<int64_t>();
  Result<int64_t> v = ParseInt64(*text);
  if (!v.ok() || *v < min || *v > max) {
    return FieldError(key, "must be an integer from " + std::to_string(min) + " to " +
                               std::to_string(max) + ", got '" + text->substr(0, 40) + "'");
  }
  return std::optional<int64_t>(*v);
}

Result<int32_t> QueryLimit(const Call& call) {
  ASSIGN_OR_RETURN(std::optional<int64_t> limit, QueryInteger(call, "limit", 1, kMaxPageSize));
  return static_cast<int32_t>(limit.value_or(100));
}

Result<std::optional<TimePoint>> QueryTime(const Call& call, const std::string& key) {
  const std::string* text = call.Query(key);
  if (text == nullptr) return std::optional<TimePoint>();
  ASSIGN_OR_RETURN(TimePoint t, ParseUtcTimestamp(*text, key));
  return std::optional<TimePoint>(t);
}

Result<workload::JobId> JobIdParam(const Call& call) {
  Result<int64_t> id = ParseInt64(call.param);
  if (!id.ok() || *id <= 0) {
    return Status::NotFound("no job '" + call.param.substr(0, 40) +
                            "' (ids are positive integers)");
  }
  return *id;
}

// --- Handlers ---

Result<HttpResponse> Healthz(const Call&) { return JsonResponse(200, {{"status", "ok"}}); }

Result<HttpResponse> Readyz(const Call& call) {
  if (!call.service.Ready()) return Status::Unavailable("not ready");
  return JsonResponse(200, {{"status", "ready"}});
}

Result<HttpResponse> MetricsText(const Call& call) {
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = call.metrics.Serialize();
  return r;
}

Result<HttpResponse> OpenApi(const Call&) {
  HttpResponse r;
  r.body = std::string(OpenApiDocument());
  return r;
}

Result<HttpResponse> Fleet(const Call& call) {
  return JsonResponse(200, ToJson(call.service.GetFleet()));
}

Result<HttpResponse> Sites(const Call& call) {
  json items = json::array();
  for (const SiteView& s : call.service.ListSites()) items.push_back(ToJson(s));
  return JsonResponse(200, {{"items", std::move(items)}});
}

Result<HttpResponse> Site(const Call& call) {
  for (const SiteView& s : call.service.ListSites()) {
    if (s.id == call.param) return JsonResponse(200, ToJson(s));
  }
  return Status::NotFound("no site '" + call.param + "'");
}

Result<HttpResponse> Devices(const Call& call) {
  DeviceFilter filter;
  filter.site = call.QueryOr("site", "");
  filter.mode = call.QueryOr("mode", "");
  filter.kind = call.QueryOr("kind", "");
  filter.after = call.QueryOr("after", "");
  ASSIGN_OR_RETURN(filter.limit, QueryLimit(call));
  return JsonResponse(200, PageJson(call.service.ListDevices(filter)));
}

Result<HttpResponse> Device(const Call& call) {
  ASSIGN_OR_RETURN(DeviceView device, call.service.GetDevice(call.param));
  return JsonResponse(200, ToJson(device));
}

Result<HttpResponse> SubmitJob(const Call& call) {
  ASSIGN_OR_RETURN(JobSpec spec, ParseJobSpec(call.request.body));
  std::string key;
  if (auto it = call.request.headers.find("idempotency-key"); it != call.request.headers.end()) {
    key = it->second;
    bool printable = !key.empty();
    for (char c : key) printable = printable && c > ' ' && c < 127;
    if (!printable || key.size() > kMaxIdempotencyKey) {
      return FieldError("Idempotency-Key", "must be 1 to 128 printable ASCII characters");
    }
  }
  ASSIGN_OR_RETURN(JobView job, call.service.SubmitJob(call.principal, spec, key));
  HttpResponse r = JsonResponse(201, ToJson(job));
  r.headers.emplace_back("Location", "/v1/jobs/" + std::to_string(job.id));
  return r;
}

Result<HttpResponse> Jobs(const Call& call) {
  JobFilter filter;
  filter.tenant = call.QueryOr("tenant", "");
  if (call.principal.role == Role::kTenant) {
    if (!filter.tenant.empty() && filter.tenant != call.principal.tenant) {
      return Status::PermissionDenied("a tenant may list only its own jobs");
    }
    filter.tenant = call.principal.tenant;
  }
  if (const std::string* state = call.Query("state")) {
    filter.state = ParseJobState(*state);
    if (!filter.state) {
      return FieldError("state", "must be one of queued, running, completed, cancelled, failed");
    }
  }
  ASSIGN_OR_RETURN(filter.after_id, QueryInteger(call, "after", 0, INT64_MAX));
  ASSIGN_OR_RETURN(filter.limit, QueryLimit(call));
  return JsonResponse(200, PageJson(call.service.ListJobs(call.principal, filter)));
}

Result<HttpResponse> Job(const Call& call) {
  ASSIGN_OR_RETURN(workload::JobId id, JobIdParam(call));
  ASSIGN_OR_RETURN(JobView job, call.service.GetJob(call.principal, id));
  return JsonResponse(200, ToJson(job));
}

Result<HttpResponse> CancelJob(const Call& call) {
  ASSIGN_OR_RETURN(workload::JobId id, JobIdParam(call));
  ASSIGN_OR_RETURN(JobView job, call.service.CancelJob(call.principal, id));
  return JsonResponse(200, ToJson(job));
}

Result<HttpResponse> Decisions(const Call& call) {
  DecisionFilter filter;
  filter.device = call.QueryOr("device", "");
  filter.site = call.QueryOr("site", "");
  ASSIGN_OR_RETURN(filter.job, QueryInteger(call, "job", 1, INT64_MAX));
  ASSIGN_OR_RETURN(filter.from, QueryTime(call, "from"));
  ASSIGN_OR_RETURN(filter.to, QueryTime(call, "to"));
  ASSIGN_OR_RETURN(filter.after, QueryInteger(call, "after", 0, INT64_MAX));
  ASSIGN_OR_RETURN(filter.limit, QueryLimit(call));
  return JsonResponse(200, PageJson(call.service.ListDecisions(filter)));
}

Result<HttpResponse> Market(const Call& call) {
  return JsonResponse(200, ToJson(call.service.GetMarket()));
}

Result<std::vector<PricePoint>> ParsePrices(std::string_view body) {
  ASSIGN_OR_RETURN(json parsed, ParseJsonBody(body));
  RETURN_IF_ERROR(CheckObject(parsed, ""));
  RETURN_IF_ERROR(CheckKnownFields(parsed, "", {"prices"}));
  auto it = parsed.find("prices");
  if (it == parsed.end() || !it->is_array() || it->empty() || it->size() > kMaxPricePoints) {
    return FieldError("prices", "required: an array of 1 to 10000 {site, time, usd_per_mwh}");
  }
  std::vector<PricePoint> points;
  points.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    const json& p = (*it)[i];
    const std::string path = "prices[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(CheckObject(p, path));
    RETURN_IF_ERROR(CheckKnownFields(p, path, {"site", "time", "usd_per_mwh"}));
    PricePoint point;
    ASSIGN_OR_RETURN(auto site, OptionalString(p, path, "site", 200));
    ASSIGN_OR_RETURN(auto time, OptionalTimestamp(p, path, "time"));
    // Real-time markets clear below zero and spike to thousands; beyond +-100k is a typo.
    ASSIGN_OR_RETURN(auto price, OptionalNumber(p, path, "usd_per_mwh", -100'000, 100'000));
    if (!site || site->empty()) return FieldError(FieldPath(path, "site"), "required");
    if (!time) return FieldError(FieldPath(path, "time"), "required");
    if (!price) return FieldError(FieldPath(path, "usd_per_mwh"), "required");
    point.site = *site;
    point.time = *time;
    point.price = UsdPerMwh(*price);
    points.push_back(std::move(point));
  }
  return points;
}

Result<HttpResponse> PushPrices(const Call& call) {
  ASSIGN_OR_RETURN(std::vector<PricePoint> points, ParsePrices(call.request.body));
  RETURN_IF_ERROR(call.service.PushPrices(points));
  return JsonResponse(200, {{"accepted", points.size()}});
}

Result<HttpResponse> Revenue(const Call& call) {
  json items = json::array();
  for (const RevenueView& r : call.service.GetRevenue()) items.push_back(ToJson(r));
  return JsonResponse(200, {{"items", std::move(items)}});
}

Result<HttpResponse> Policy(const Call& call) {
  return JsonResponse(200, ToJson(call.service.GetPolicy()));
}

}  // namespace

struct Router::Route {
  const char* method;
  const char* path;
  Access access;
  std::vector<std::string> query;  // accepted query parameters
  Result<HttpResponse> (*handler)(const Call&);
};

namespace {

const std::vector<Router::Route>& RouteTable() {
  using A = Access;
  static const std::vector<Router::Route> routes = {
      {"GET", "/healthz", A::kPublic, {}, Healthz},
      {"GET", "/readyz", A::kLoopbackOrOperator, {}, Readyz},
      {"GET", "/metrics", A::kLoopbackOrOperator, {}, MetricsText},
      {"GET", "/v1/openapi.json", A::kAuthenticated, {}, OpenApi},
      {"GET", "/v1/fleet", A::kAuthenticated, {}, Fleet},
      {"GET", "/v1/sites", A::kAuthenticated, {}, Sites},
      {"GET", "/v1/sites/{id}", A::kAuthenticated, {}, Site},
      {"GET", "/v1/devices", A::kOperator, {"site", "mode", "kind", "after", "limit"}, Devices},
      {"GET", "/v1/devices/{id}", A::kOperator, {}, Device},
      {"POST", "/v1/jobs", A::kAuthenticated, {}, SubmitJob},
      {"GET", "/v1/jobs", A::kAuthenticated, {"tenant", "state", "after", "limit"}, Jobs},
      {"GET", "/v1/jobs/{id}", A::kAuthenticated, {}, Job},
      {"DELETE", "/v1/jobs/{id}", A::kAuthenticated, {}, CancelJob},
      {"POST", "/v1/jobs/{id}/cancel", A::kAuthenticated, {}, CancelJob},
      {"GET",
       "/v1/decisions",
       A::kOperator,
       {"device", "site", "job", "from", "to", "after", "limit"},
       Decisions},
      {"GET", "/v1/market", A::kAuthenticated, {}, Market},
      {"POST", "/v1/market/prices", A::kOperator, {}, PushPrices},
      {"GET", "/v1/revenue", A::kOperator, {}, Revenue},
      {"GET", "/v1/policy", A::kAuthenticated, {}, Policy},
  };
  return routes;
}

// Whether `segments` match `path`; the one "{id}" segment, if any, goes to `param`.
bool Matches(const char* path, const std::vector<std::string>& segments, std::string& param) {
  const std::vector<std::string> pattern = Split(std::string_view(path).substr(1), '/');
  if (pattern.size() != segments.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == "{id}") {
      if (segments[i].empty()) return false;
      param = segments[i];
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::string t = FormatTimestamp(ms / 1000);  // "...:SSZ"
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
  t.pop_back();
  return t + frac;
}

}  // namespace

std::string_view OpenApiDocument() { return embedded::kOpenApiJson; }

void StderrAccessLog(std::string_view line) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
}

Router::Router(FleetService& service, Metrics& metrics, RouterOptions options)
    : service_(service), metrics_(metrics), options_(std::move(options)) {}

std::vector<RouteInfo> Router::Routes() {
  std::vector<RouteInfo> out;
  for (const Route& r : RouteTable()) out.push_back({r.method, r.path, r.access});
  return out;
}

HttpResponse Router::Dispatch(const HttpRequest& request, std::string& principal_name) const {
  Result<Target> target = ParseTarget(request.target);
  if (!target.ok()) {
    HttpResponse r = ErrorResponse(target.status());
    r.route = "unmatched";
    return r;
  }
  const Route* route = nullptr;
  std::string param;
  std::string allowed;  // methods of a path that matched with another method
  for (const Route& r : RouteTable()) {
    if (!Matches(r.path, target->segments, param)) continue;
    if (r.method == request.method) {
      route = &r;
      break;
    }
    allowed += allowed.empty() ? "" : ", ";
    allowed += r.method;
  }
  if (route == nullptr) {
    HttpResponse r = allowed.empty()
                         ? ErrorResponse(404, "not_found", "no route for this path")
                         : ErrorResponse(405, "method_not_allowed",
                                         request.method + " is not allowed here (" + allowed + ")");
    if (!allowed.empty()) r.headers.emplace_back("Allow", allowed);
    r.route = "unmatched";
    return r;
  }

  Call call{service_, metrics_, request, Principal{}, param, {}};
  auto finish = [&](HttpResponse r) {
    r.route = route->path;
    return r;
  };

  if (request.body.size() > options_.max_body_bytes) {
    return finish(ErrorResponse(
        413, "resource_exhausted",
        "the request body is larger than " + std::to_string(options_.max_body_bytes) + " bytes"));
  }
  // Authentication before anything else about the request, so that errors do not tell an
  // anonymous caller which parameters would have worked.
  const bool anonymous_ok =
      route->access == Access::kPublic ||
      (route->access == Access::kLoopbackOrOperator && IsLoopback(request.remote_addr));
  if (!anonymous_ok) {
    auto it = request.headers.find("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (it == request.headers.end() || it->second.rfind(kBearer, 0) != 0 ||
        it->second.size() == kBearer.size()) {
      HttpResponse r = ErrorResponse(401, "unauthenticated", "a bearer token is required");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return finish(std::move(r));
    }
    Result<Principal> who =
        service_.Authenticate(std::string_view(it->second).substr(kBearer.size()));
    if (!who.ok()) {
      HttpResponse r = ErrorResponse(401, "unauthenticated", "unknown token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return finish(std::move(r));
    }
    call.principal = *who;
    principal_name = who->tenant;
    const bool operator_needed =
        route->access == Access::kOperator || route->access == Access::kLoopbackOrOperator;
    if (operator_needed && who->role != Role::kOperator) {
      return finish(
          ErrorResponse(403, "permission_denied", std::string(route->path) + " is for operators"));
    }
  }

  for (auto& [key, value] : target->query) {
    bool known = false;
    for (const std::string& q : route->query) known = known || q == key;
    if (!known) {
      return finish(ErrorResponse(400, "invalid_argument", "unknown query parameter", key));
    }
    call.query.emplace(key, value);
  }
  Result<HttpResponse> response = route->handler(call);
  return finish(response.ok() ? std::move(response).value() : ErrorResponse(response.status()));
}

HttpResponse Router::Handle(const HttpRequest& request) const {
  const auto start = std::chrono::steady_clock::now();
  std::string principal;
  HttpResponse response;
  try {
    response = Dispatch(request, principal);
  } catch (const std::exception& e) {
    // Libraries throw (allocation, JSON); the caller gets a 500 and the log the reason.
    response = ErrorResponse(500, "internal", std::string("internal error: ") + e.what());
    response.route = "unmatched";
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  static const std::vector<std::string> kMethods = {"GET",   "POST", "DELETE", "PUT",
                                                    "PATCH", "HEAD", "OPTIONS"};
  std::string method = "OTHER";
  for (const std::string& m : kMethods) {
    if (m == request.method) method = m;
  }
  metrics_.ObserveHttpRequest(response.route, method, response.status, seconds);
  if (options_.access_log) {
    const json line = {{"time", NowUtc()},
                       {"method", request.method},
                       {"target", request.target},
                       {"route", response.route},
                       {"status", response.status},
                       {"duration_ms", seconds * 1e3},
                       {"bytes_in", request.body.size()},
                       {"bytes_out", response.body.size()},
                       {"remote", request.remote_addr},
                       {"principal", principal}};
    options_.access_log(Dump(line));
  }
  return response;
}

}  // namespace rigshift::server
