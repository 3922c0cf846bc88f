// libFuzzer target for the HTTP API's pure half (server/router.h) over the in-memory
// FakeFleetService: any bytes become a request (method, target, headers, token, body, remote
// address) and the response must be one the OpenAPI document allows for its route (a documented
// status and a body matching the schema), or the API's error shape for paths no route matches;
// never a crash, an uncaught exception, undefined behaviour or a hang.
// Input: byte 0 picks the method, byte 1 the caller, then "TARGET\nHEADER: VALUE\n...\n\nBODY".
// Seed corpus: tests/fuzz/corpus/api_fuzz/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "server/router.h"
#include "server/testing/json_schema.h"
#include "server/testing/router_harness.h"

namespace {

using nlohmann::json;
using rigshift::server::HttpResponse;

const json& Document() {
  static const json doc = json::parse(rigshift::server::OpenApiDocument());
  return doc;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void CheckResponse(const std::string& method, const HttpResponse& r) {
  if (r.content_type.rfind("text/plain", 0) == 0) {
    if (r.route != "/metrics" || r.status != 200) std::abort();
    return;
  }
  const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) std::abort();
  if (r.status >= 400 && !(body.contains("error") && body["error"]["code"].is_string())) {
    std::abort();
  }
  if (r.route == "unmatched") {
    if (r.status != 400 && r.status != 404 && r.status != 405 && r.status != 500) std::abort();
    return;
  }
  const json& op = Document()["paths"][r.route][Lower(method)];
  const std::string code = std::to_string(r.status);
  if (!op["responses"].contains(code)) std::abort();
  const json& schema = op["responses"][code]["content"]["application/json"]["schema"];
  if (!rigshift::server::testing::ValidateJson(body, schema, Document()).empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const char* const kMethods[] = {"GET", "POST", "DELETE", "PUT"};
  static const char* const kTokens[] = {"", "operator-token", "alice-token", "bob-token", "x"};
  const std::string method = kMethods[data[0] % 4];
  const std::string token = kTokens[data[1] % 5];
  const std::string remote = (data[1] & 0x80) ? "127.0.0.1" : "192.0.2.1";
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);

  const size_t target_end = std::min(text.find('\n'), text.size());
  const std::string target = text.substr(0, target_end);
  std::map<std::string, std::string> headers;
  size_t pos = target_end + 1;
  while (pos < text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) break;
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) headers[Lower(line.substr(0, colon))] = line.substr(colon + 2);
  }
  const std::string body = pos < text.size() ? text.substr(pos) : "";

  // A fresh service per input keeps runs independent; one job per tenant gives cancels and
  // lookups something to find.
  rigshift::server::RouterOptions options;
  options.max_body_bytes = 4096;
  options.access_log = [](std::string_view) {};
  rigshift::server::testing::RouterHarness h(options);
  h.Post("/v1/jobs", rigshift::server::testing::JobBody(), "alice-token");
  h.Post("/v1/jobs", rigshift::server::testing::JobBody(), "bob-token");
  CheckResponse(method, h.Send(method, target, token, body, headers, remote));
  return 0;
}
