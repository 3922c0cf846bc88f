// The API clients: `rigshift submit | jobs | cancel | decisions | status` talk to a running
// `rigshift serve` over HTTP (src/server/openapi.json). Each takes --server URL (default
// $RIGSHIFT_SERVER or http://127.0.0.1:8080), a token from --token-file, else $RIGSHIFT_TOKEN,
// else rigshift-state/operator.token, and --json for the server's raw JSON. An error answer is
// printed with its message and field and exits 1 (3 for a request the server found invalid).
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/client_format.h"
#include "cli/commands.h"
#include "core/text.h"

namespace rigshift::cli {

namespace {

using nlohmann::json;

constexpr const char* kDefaultServer = "http://127.0.0.1:8080";
constexpr const char* kDefaultTokenFile = "rigshift-state/operator.token";

struct ClientArgs {
  std::string server;
  std::string token_file;
  bool json = false;
};

void AddClientOptions(CLI::App* cmd, ClientArgs* args) {
  cmd->add_option("--server", args->server,
                  std::string("Server URL (default $RIGSHIFT_SERVER or ") + kDefaultServer + ")");
  cmd->add_option("--token-file", args->token_file,
                  std::string("File holding the bearer token (default $RIGSHIFT_TOKEN, else ") +
                      kDefaultTokenFile + ")");
  cmd->add_flag("--json", args->json, "Print the server's JSON as it came");
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// "a b" -> "a%20b": query values and path segments (device ids hold '/' and '#').
std::string UrlEncode(const std::string& s) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool plain = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    q += q.empty() ? "?" : "&";
    q += key + "=" + UrlEncode(value);
  }
  return q;
}

// An answer from the server: its status and body.
struct Answer {
  int status = 0;
  std::string body;
};

class ApiClient {
 public:
  static Result<ApiClient> Create(const ClientArgs& args) {
    std::string url = !args.server.empty() ? args.server : Env("RIGSHIFT_SERVER");
    if (url.empty()) url = kDefaultServer;
    std::string token;
    if (!args.token_file.empty() || Env("RIGSHIFT_TOKEN").empty()) {
      const std::string path = args.token_file.empty() ? kDefaultTokenFile : args.token_file;
      Result<std::string> text = ReadFileToString(path);
      if (!text.ok()) {
        return Status::InvalidArgument("no token: " + text.status().message() +
                                       " (set RIGSHIFT_TOKEN or pass --token-file)");
      }
      token = std::string(Trim(*text));
    } else {
      token = std::string(Trim(Env("RIGSHIFT_TOKEN")));
    }
    return ApiClient(url, token);
  }

  Result<Answer> Send(const std::string& method, const std::string& path,
                      const std::string& body = "", const httplib::Headers& extra = {}) {
    httplib::Client client(url_);
    client.set_bearer_token_auth(token_.c_str());
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(30, 0);
    httplib::Result r = method == "GET" ? client.Get(path.c_str(), extra)
                        : method == "DELETE"
                            ? client.Delete(path.c_str(), extra)
                            : client.Post(path.c_str(), extra, body, "application/json");
    if (!r) {
      return Status::Unavailable("cannot reach " + url_ + " (" + httplib::to_string(r.error()) +
                                 " error; is `rigshift serve` running?)");
    }
    return Answer{r->status, r->body};
  }

 private:
  ApiClient(std::string url, std::string token) : url_(std::move(url)), token_(std::move(token)) {}
  std::string url_;
  std::string token_;
};

// Prints an error answer and returns the exit code for it.
int ReportAnswer(const Answer& a) {
  std::fprintf(stderr, "rigshift: error: %s\n", FormatApiError(a.status, a.body).c_str());
  return a.status == 400 ? kExitInvalidInput : kExitFailed;
}

bool Success(const Answer& a) { return a.status >= 200 && a.status < 300; }

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

// Parses a success answer's body; the server promised JSON.
Result<json> BodyJson(const Answer& a) {
  json j = json::parse(a.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Internal("the server answered with malformed JSON");
  return j;
}

// Sends one request with the client `args` describe.
Result<Answer> Send(const ClientArgs& args, const std::string& method, const std::string& path,
                    const std::string& body = "", const httplib::Headers& headers = {}) {
  ASSIGN_OR_RETURN(ApiClient client, ApiClient::Create(args));
  return client.Send(method, path, body, headers);
}

// Prints a success answer: raw with --json, else `format` of its body. Reports anything else
// and returns the exit code.
template <typename Format>
int PrintAnswer(const ClientArgs& args, const Result<Answer>& a, Format format) {
  if (!a.ok()) return ReportError(a.status());
  if (!Success(*a)) return ReportAnswer(*a);
  if (args.json) {
    Print(a->body + "\n");
    return kExitOk;
  }
  Result<json> body = BodyJson(*a);
  if (!body.ok()) return ReportError(body.status());
  Print(format(*body));
  return kExitOk;
}

// --- submit ---

struct SubmitArgs {
  ClientArgs client;
  std::string file;
  std::string name;
  int gpus = 0;
  double hours = 0;
  double price = -1;
  double memory_gb = -1;
  std::string interconnect;
  double network_gbps = -1;
  std::string reference_gpu;
  std::string deadline;
  std::string preemptible;
  std::optional<int> priority;
  std::string command;
  std::string idempotency_key;
};

Result<std::string> SubmitBody(const SubmitArgs& args) {
  if (!args.file.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(args.file));
    return text;
  }
  if (args.gpus <= 0 || args.hours <= 0 || args.price < 0) {
    return Status::InvalidArgument("give --gpus, --hours and --price, or --file job.json");
  }
  json spec = {
      {"gpus", args.gpus}, {"duration_hours", args.hours}, {"price_usd_per_gpu_hour", args.price}};
  if (!args.name.empty()) spec["name"] = args.name;
  if (args.memory_gb >= 0) spec["min_memory_gb"] = args.memory_gb;
  if (!args.interconnect.empty()) spec["interconnect"] = args.interconnect;
  if (args.network_gbps >= 0) spec["network_gbps"] = args.network_gbps;
  if (!args.reference_gpu.empty()) spec["reference_gpu"] = args.reference_gpu;
  if (!args.deadline.empty()) spec["deadline"] = args.deadline;
  if (!args.preemptible.empty()) spec["preemptible"] = args.preemptible;
  if (args.priority) spec["priority"] = *args.priority;
  if (!args.command.empty()) spec["command"] = args.command;
  return spec.dump();
}

int RunSubmit(const SubmitArgs& args) {
  Result<std::string> body = SubmitBody(args);
  if (!body.ok()) return ReportError(body.status());
  httplib::Headers headers;
  if (!args.idempotency_key.empty()) headers.emplace("Idempotency-Key", args.idempotency_key);
  return PrintAnswer(args.client, Send(args.client, "POST", "/v1/jobs", *body, headers),
                     FormatJobLine);
}

void RegisterSubmit(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<SubmitArgs>();
  auto* cmd = app.add_subcommand("submit", "Submit an AI job to a running `rigshift serve`");
  AddClientOptions(cmd, &args->client);
  auto* file = cmd->add_option("--file", args->file, "Job spec as JSON (the POST /v1/jobs body)");
  auto excluded = [file](CLI::Option* o) { return o->excludes(file); };
  excluded(cmd->add_option("--gpus", args->gpus, "GPUs in the gang (1-4096)"));
  excluded(cmd->add_option("--hours", args->hours, "Run time on the reference GPU"));
  excluded(cmd->add_option("--price", args->price, "What you pay, USD per GPU-hour"));
  excluded(cmd->add_option("--name", args->name, "A name for the job"));
  excluded(cmd->add_option("--memory-gb", args->memory_gb, "Minimum memory per GPU"));
  excluded(cmd->add_option("--interconnect", args->interconnect, "none, pcie, nvlink or network"));
  excluded(cmd->add_option("--network-gbps", args->network_gbps, "Per node, with network"));
  excluded(
      cmd->add_option("--reference-gpu", args->reference_gpu, "GPU the hours are measured on"));
  excluded(
      cmd->add_option("--deadline", args->deadline, "RFC 3339 UTC, e.g. 2026-12-09T12:00:00Z"));
  excluded(cmd->add_option("--preemptible", args->preemptible, "never, checkpoint or free"));
  excluded(cmd->add_option("--priority", args->priority, "Higher first among equals"));
  excluded(cmd->add_option("--command", args->command, "What the local backend runs"));
  cmd->add_option("--idempotency-key", args->idempotency_key,
                  "Repeat a submission safely: the same key returns the same job");
  cmd->callback([args, &ctx] { ctx.exit_code = RunSubmit(*args); });
}

// --- jobs ---

struct JobsArgs {
  ClientArgs client;
  std::string state;
  std::string tenant;
  bool all = false;
};

int RunJobs(const JobsArgs& args) {
  Result<ApiClient> client = ApiClient::Create(args.client);
  if (!client.ok()) return ReportError(client.status());
  // Every page; without --all or --state only the jobs still queued or running.
  json items = json::array();
  std::string after;
  do {
    Result<Answer> a = client->Send("GET", "/v1/jobs" + Query({{"state", args.state},
                                                               {"tenant", args.tenant},
                                                               {"after", after},
                                                               {"limit", "1000"}}));
    if (!a.ok()) return ReportError(a.status());
    if (!Success(*a)) return ReportAnswer(*a);
    Result<json> page = BodyJson(*a);
    if (!page.ok()) return ReportError(page.status());
    for (json& job : (*page)["items"]) {
      const std::string state = job.value("state", "");
      if (args.all || !args.state.empty() || state == "queued" || state == "running") {
        items.push_back(std::move(job));
      }
    }
    after = page->value("next", "");
  } while (!after.empty());
  const json all = {{"items", std::move(items)}};
  Print(args.client.json ? all.dump(1) + "\n" : FormatJobsTable(all));
  return kExitOk;
}

void RegisterJobs(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<JobsArgs>();
  auto* cmd = app.add_subcommand("jobs", "List jobs (queued and running unless --all or --state)");
  AddClientOptions(cmd, &args->client);
  cmd->add_option("--state", args->state, "queued, running, completed, cancelled or failed");
  cmd->add_option("--tenant", args->tenant, "Only this tenant's jobs (operators)");
  cmd->add_flag("--all", args->all, "Include jobs that have ended");
  cmd->callback([args, &ctx] { ctx.exit_code = RunJobs(*args); });
}

// --- cancel ---

struct CancelArgs {
  ClientArgs client;
  std::string id;
};

int RunCancel(const CancelArgs& args) {
  return PrintAnswer(args.client,
                     Send(args.client, "POST", "/v1/jobs/" + UrlEncode(args.id) + "/cancel"),
                     FormatJobLine);
}

void RegisterCancel(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<CancelArgs>();
  auto* cmd = app.add_subcommand("cancel", "Cancel a queued or running job");
  AddClientOptions(cmd, &args->client);
  cmd->add_option("ID", args->id, "Job id")->required();
  cmd->callback([args, &ctx] { ctx.exit_code = RunCancel(*args); });
}

// --- decisions ---

struct DecisionsArgs {
  ClientArgs client;
  std::string device;
  std::string site;
  std::string job;
  std::string since;
  std::string after;
  int limit = 100;
};

void RegisterDecisions(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<DecisionsArgs>();
  auto* cmd = app.add_subcommand("decisions", "The controller's decisions and their reasons");
  AddClientOptions(cmd, &args->client);
  cmd->add_option("--device", args->device, "Only this device (stable id)");
  cmd->add_option("--site", args->site, "Only this site");
  cmd->add_option("--job", args->job, "Only this job");
  cmd->add_option("--since", args->since, "From this time on (RFC 3339 UTC)");
  cmd->add_option("--after", args->after, "Continue after this decision id (paging)");
  cmd->add_option("--limit", args->limit, "At most this many (1-1000)");
  cmd->callback([args, &ctx] {
    const std::string path = "/v1/decisions" + Query({{"device", args->device},
                                                      {"site", args->site},
                                                      {"job", args->job},
                                                      {"from", args->since},
                                                      {"after", args->after},
                                                      {"limit", std::to_string(args->limit)}});
    ctx.exit_code =
        PrintAnswer(args->client, Send(args->client, "GET", path), FormatDecisionsTable);
  });
}

// --- status ---

int RunStatus(const ClientArgs& args) {
  Result<ApiClient> client = ApiClient::Create(args);
  if (!client.ok()) return ReportError(client.status());
  json parts = json::object();
  for (const char* part : {"fleet", "sites", "revenue"}) {
    Result<Answer> a = client->Send("GET", std::string("/v1/") + part);
    if (!a.ok()) return ReportError(a.status());
    // Revenue is for operators; a tenant's status goes without it.
    if (a->status == 403 && std::string(part) == "revenue") continue;
    if (!Success(*a)) return ReportAnswer(*a);
    Result<json> body = BodyJson(*a);
    if (!body.ok()) return ReportError(body.status());
    parts[part] = std::move(*body);
  }
  Print(args.json ? parts.dump(1) + "\n"
                  : FormatStatus(parts["fleet"], parts["sites"],
                                 parts.contains("revenue") ? parts["revenue"] : json()));
  return kExitOk;
}

void RegisterStatus(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ClientArgs>();
  auto* cmd = app.add_subcommand(
      "status", "Sites of a running `rigshift serve`: power vs cap, modes, prices, queue, revenue");
  AddClientOptions(cmd, args.get());
  cmd->callback([args, &ctx] { ctx.exit_code = RunStatus(*args); });
}

}  // namespace

void RegisterClientCommands(CLI::App& app, CommandContext& ctx) {
  RegisterSubmit(app, ctx);
  RegisterJobs(app, ctx);
  RegisterCancel(app, ctx);
  RegisterDecisions(app, ctx);
  RegisterStatus(app, ctx);
}

}  // namespace rigshift::cli
