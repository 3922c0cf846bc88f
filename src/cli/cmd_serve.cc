// `rigshift serve FLEET`: the live control plane (live/live_service.h) with the embedded defaults:
// an SQLite store and the simulated fleet in STATE_DIR, the HTTP API on 127.0.0.1:8080, prices
// replayed from the market history on the service clock. The policy and its options take the
// same flags and names as `simulate`.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/policy_flags.h"
#include "core/time.h"
#include "fleet/loader.h"
#include "live/live_service.h"
#include "market/market_data.h"
#include "server/http_server.h"
#include "server/router.h"
#include "sim/replay.h"
#include "sim/simulated_backend.h"
#include "store/store.h"
#include "workload/alibaba_trace.h"
#include "workload/philly_trace.h"

namespace rigshift::cli {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

struct ServeArgs {
  std::string fleet_path;
  std::string state_dir = "rigshift-state";
  std::string listen = "127.0.0.1:8080";
  std::string policy = "rigshift";
  PolicyFlags policy_flags;
  std::string data_dir;
  std::vector<std::string> prices;
  std::vector<std::string> hashprice;
  std::string gpu_prices;
  std::string from;
  std::string until;
  double speed = 3600;
  double epoch_minutes = 5;
  std::string demo_load = "none";
  double load = 1.0;
  uint64_t seed = 1;
  bool no_failures = false;
  bool perfect_foresight = false;
  bool summary_json = false;
};

// The operator token a first start writes (mode 0600) and prints the path of.
Status EnsureOperatorToken(store::Store& store, const std::string& state_dir, TimePoint now) {
  const std::string path = state_dir + "/operator.token";
  if (std::filesystem::exists(path)) return Status::Ok();
  ASSIGN_OR_RETURN(store::IssuedToken t,
                   store.CreateToken(store::TokenRole::kOperator, "", "first start", now));
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    ::chmod(tmp.c_str(), 0600);
    out << t.secret << "\n";
    out.close();
    if (!out) return Status::IoError(tmp + ": cannot write the operator token");
  }
  std::filesystem::rename(tmp, path);
  std::fprintf(stderr, "rigshift serve: operator token written to %s (mode 0600)\n", path.c_str());
  return Status::Ok();
}

Result<std::vector<live::ScheduledSubmission>> DemoLoad(const ServeArgs& args,
                                                        const std::string& data_dir,
                                                        TimePoint start, TimePoint end) {
  std::vector<live::ScheduledSubmission> out;
  if (args.demo_load == "none") return out;
  std::vector<workload::Job> trace;
  if (data_dir.empty()) {
    return Status::NotFound("--demo-load " + args.demo_load +
                            ": the traces live in the reference data; pass --data-dir DIR");
  }
  if (args.demo_load == "philly") {
    ASSIGN_OR_RETURN(trace, workload::LoadPhillyTrace(data_dir + "/traces/sia_sosp23/traces/philly.csv"));
  } else if (args.demo_load == "alibaba") {
    ASSIGN_OR_RETURN(trace, workload::LoadAlibabaPods(data_dir + "/traces/alibaba_gpu_v2023/openb_pod_list_default.csv"));
  } else {
    return Status::InvalidArgument("--demo-load '" + args.demo_load + "': expected philly, alibaba or none");
  }
  sim::ReplayOptions ro;
  ro.start = start;
  ro.end = end;
  ro.load = args.load;
  ASSIGN_OR_RETURN(std::vector<workload::Job> jobs, sim::ReplayIntoWindow(trace, ro));
  sim::NeedsOptions no;
  no.seed = args.seed;
  sim::AssignJobNeeds(jobs, no);
  // Submitted in the order the simulator takes them (arrival, then trace id), so that the
  // store's ids follow the same order and ties break alike.
  std::stable_sort(jobs.begin(), jobs.end(), [](const workload::Job& a, const workload::Job& b) {
    return a.arrival != b.arrival ? a.arrival < b.arrival : a.id < b.id;
  });
  for (const auto& j : jobs) {
    live::ScheduledSubmission s;
    s.at = j.arrival;
    s.tenant = "demo";
    s.key = "demo-" + std::to_string(j.id);
    s.spec.name = j.name;
    s.spec.gpus = j.gpus;
    s.spec.min_memory_gb = j.min_memory_gb;
    s.spec.interconnect = j.interconnect;
    s.spec.network_gbps = j.network_gbps;
    s.spec.reference_gpu = j.reference_gpu;
    s.spec.work_gpu_seconds = j.work_gpu_seconds;
    s.spec.price = j.price;
    s.spec.deadline = j.deadline;
    s.spec.preemptible = j.preemptibility;
    s.spec.checkpoint_interval = j.checkpoint_interval;
    s.spec.restore_time = j.restore_time;
    s.spec.priority = j.priority;
    out.push_back(std::move(s));
  }
  return out;
}

int RunServe(const ServeArgs& args) {
  fleet::LoadOptions lo;
  auto loaded = fleet::LoadFleetFile(args.fleet_path, catalog::Catalog::Builtin(), lo);
  if (!loaded.ok()) return ReportError(loaded.status());
  for (const auto& w : loaded->warnings) std::fprintf(stderr, "%s\n", w.ToString().c_str());
  const fleet::Fleet fleet = std::move(loaded->fleet);
  const fleet::FlatFleet flat = fleet::Flatten(fleet);

  if (!(args.speed >= 0 && args.speed <= 1e7)) {
    return ReportError(Status::InvalidArgument("--speed: expected service seconds per wall second in [0, 1e7] (0: as fast as events allow)"));
  }
  if (!(args.epoch_minutes >= 1.0 / 60 && args.epoch_minutes <= 24 * 60)) {
    return ReportError(Status::InvalidArgument("--epoch: expected minutes in [1/60, 1440]"));
  }
  const std::string data_dir = args.data_dir.empty() ? "" : args.data_dir;
  TimePoint start = YearStart(market::kDefaultLastYear);
  if (!args.from.empty()) {
    auto t = ParseTimestamp(args.from);
    if (!t.ok()) return ReportError(t.status().WithPrefix("--from"));
    start = *t;
  }
  TimePoint until = 0;
  if (!args.until.empty()) {
    auto t = ParseTimestamp(args.until);
    if (!t.ok()) return ReportError(t.status().WithPrefix("--until"));
    until = *t;
    if (until <= start) return ReportError(Status::InvalidArgument("--until must be after --from"));
  }

  // State: the store and the simulated fleet's own record.
  std::error_code ec;
  std::filesystem::create_directories(args.state_dir, ec);
  if (ec) return ReportError(Status::IoError(args.state_dir + ": " + ec.message()));
  auto store = store::OpenSqliteStore(args.state_dir + "/rigshift.db", store::OpenOptions{});
  if (!store.ok()) return ReportError(store.status());
  if (Status s = EnsureOperatorToken(**store, args.state_dir, start); !s.ok()) return ReportError(s);
  // A restart continues from the service time it had reached.
  if (auto clock = (*store)->GetMeta("clock"); clock.ok() && clock->has_value()) {
    start = std::max(start, static_cast<TimePoint>(std::stoll(**clock)));
  }

  // Markets: the window's years of history, replayed on the service clock.
  auto market_options = MarketOptionsForFleet(fleet, data_dir, args.prices);
  if (!market_options.ok()) return ReportError(market_options.status());
  market::MarketDataOptions mo = std::move(*market_options);
  mo.from_year = YearOf(start);
  mo.to_year = until > 0 ? YearOf(until - 1) : YearOf(start) + 1;
  mo.hashprice_files = args.hashprice;
  mo.gpu_price_file = args.gpu_prices;
  auto md = market::LoadMarketDataWithReport(mo);
  if (!md.ok()) return ReportError(md.status());

  workload::SpeedModel speed;
  for (const auto* g : flat.gpu) {
    if (g != nullptr) speed.Register(*g);
  }
  sim::SimulatedBackendOptions bo;
  bo.journal_path = args.state_dir + "/backend.db";
  bo.failures.enabled = !args.no_failures;
  bo.seed = args.seed;
  auto backend = sim::SimulatedBackend::Open(flat, speed, bo, start);
  if (!backend.ok()) return ReportError(backend.status());

  auto popts = PolicyOptionsFromFlags(args.policy_flags);
  if (!popts.ok()) return ReportError(popts.status());
  auto gap = DecisionGapFromFlags(args.policy_flags);
  if (!gap.ok()) return ReportError(gap.status());
  live::LiveOptions lo2;
  lo2.policy_name = args.policy;
  lo2.policy = *popts;
  lo2.control.incremental = !args.policy_flags.full_rounds_only;
  lo2.control.seed = args.seed;
  lo2.epoch = static_cast<Duration>(args.epoch_minutes * 60);
  lo2.min_decision_gap = *gap;
  lo2.perfect_foresight = args.perfect_foresight;
  lo2.start = start;
  server::Metrics metrics;
  auto service = live::LiveService::Create(fleet, flat, md->data, speed, store->get(),
                                           backend->get(), &metrics, lo2);
  if (!service.ok()) return ReportError(service.status().WithPrefix("--policy"));
  live::LiveService& svc = **service;

  auto demo = DemoLoad(args, data_dir, start, until > 0 ? until : start + 365 * kDay);
  if (!demo.ok()) return ReportError(demo.status());
  svc.ScheduleSubmissions(std::move(*demo));

  server::RouterOptions ro;
  ro.access_log = server::StderrAccessLog;
  server::Router router(svc, metrics, ro);
  server::HttpServerOptions ho;
  const auto colon = args.listen.rfind(':');
  if (colon == std::string::npos) {
    return ReportError(Status::InvalidArgument("--listen '" + args.listen + "': expected HOST:PORT"));
  }
  ho.host = args.listen.substr(0, colon);
  try {
    ho.port = std::stoi(args.listen.substr(colon + 1));
  } catch (const std::exception&) {
    return ReportError(Status::InvalidArgument("--listen '" + args.listen + "': bad port"));
  }
  auto http = server::HttpServer::Start(router, ho);
  if (!http.ok()) return ReportError(http.status());
  std::fprintf(stderr, "rigshift serve: %s on http://%s:%d (policy %s, speed %g, state %s)\n",
               fleet.name.c_str(), ho.host.c_str(), (*http)->port(), args.policy.c_str(),
               args.speed, args.state_dir.c_str());

  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGINT, OnStopSignal);
  live::ServiceClock clock(start, args.speed);
  Status last = Status::Ok();
  while (!g_stop.load()) {
    TimePoint now = clock.Now();
    if (clock.is_virtual()) {
      now = svc.NextDue();
      if (until > 0) now = std::min(now, until);
      clock.Jump(now);
    }
    if (until > 0 && now >= until) now = until;
    Status s = svc.Step(now);
    if (!s.ok() && s.ToString() != last.ToString()) {
      std::fprintf(stderr, "rigshift serve: %s (retrying)\n", s.ToString().c_str());
    }
    last = s;
    if (until > 0 && now >= until) break;
    if (!clock.is_virtual() || !s.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(s.ok() ? 50 : 500));
  }
  (*http)->Stop();
  if (args.summary_json) {
    std::printf("{\"time\":%lld,\"jobs_done\":%lld,\"sites\":[", static_cast<long long>(svc.now()),
                static_cast<long long>(svc.jobs_done()));
    for (size_t s = 0; s < fleet.sites.size(); ++s) {
      const auto& l = svc.ledger_sites()[s];
      Money energy = l.host_energy_cost;
      for (const auto& c : l.energy_cost) energy += c;
      std::printf("%s{\"site\":\"%s\",\"ai_revenue_usd\":%.6f,\"mining_revenue_usd\":%.6f,"
                  "\"energy_cost_usd\":%.6f,\"net_margin_usd\":%.6f}",
                  s ? "," : "", fleet.sites[s].id.c_str(), ToUsd(l.ai_revenue), ToUsd(l.mining_revenue),
                  ToUsd(energy), ToUsd(l.net_margin()));
    }
    std::printf("]}\n");
  }
  std::fprintf(stderr, "rigshift serve: stopped at %s\n", FormatTimestamp(svc.now()).c_str());
  return last.ok() ? kExitOk : kExitFailed;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand(
      "serve", "Run the fleet live: the HTTP API, the controller and the simulated fleet (embedded defaults)");
  cmd->add_option("FLEET", args->fleet_path, "Fleet file (YAML, see docs/fleet-format.md)")->required();
  cmd->add_option("--state-dir", args->state_dir,
                  "Where the store (rigshift.db), the simulated fleet's record and the operator token live");
  cmd->add_option("--listen", args->listen, "HOST:PORT of the API (default 127.0.0.1:8080)");
  cmd->add_option("--policy", args->policy, "The policy (simulate's names; default rigshift)");
  AddPolicyFlags(cmd, &args->policy_flags);
  cmd->add_option("--epoch", args->epoch_minutes, "Minutes between full planning rounds (default 5)");
  cmd->add_option("--data-dir", args->data_dir, "Reference data in the ../shared/data layout (prices, traces)");
  cmd->add_option("--prices", args->prices, "MARKET=PATH: hourly prices (green-dcc CSV); repeatable");
  cmd->add_option("--hashprice", args->hashprice, "Hashprice file(s): derived CSV or blockchain.com JSON");
  cmd->add_option("--gpu-prices", args->gpu_prices, "GPU-hour price table (CSV gpu,usd_per_hour)");
  cmd->add_option("--from", args->from, "Service clock at first start (YYYY-MM-DD; default 2024-01-01)");
  cmd->add_option("--until", args->until, "Stop when the service clock reaches this time");
  cmd->add_option("--speed", args->speed,
                  "Service seconds per wall second (default 3600: an hour a second; 1: real time; 0: "
                  "as fast as events allow)");
  cmd->add_option("--demo-load", args->demo_load,
                  "philly | alibaba | none: submit a trace's arrivals as a customer would (needs --data-dir)");
  cmd->add_option("--load", args->load, "Scale the demo trace's arrival rate (default 1)");
  cmd->add_option("--seed", args->seed, "Random seed (failures, job needs); default 1");
  cmd->add_flag("--no-failures", args->no_failures, "Simulated devices never fail");
  cmd->add_flag("--perfect-foresight", args->perfect_foresight,
                "The policy sees the replayed future prices (for comparisons; live runs never do)");
  cmd->add_flag("--summary-json", args->summary_json, "At exit, print money and jobs done as JSON");
  cmd->callback([args, &ctx] { ctx.exit_code = RunServe(*args); });
}

}  // namespace rigshift::cli
