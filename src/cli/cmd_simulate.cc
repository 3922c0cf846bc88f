// `rigshift simulate FLEET`: replays real prices and a real job trace through several policies side
// by side, over the same window, with the oracle's upper bound (docs/simulate.md). Text table by
// default, --json (byte-identical for the same inputs and seed), --html FILE with charts,
// --timeline CSV with every decision and its reason.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/policy_flags.h"
#include "cli/simulate_flags.h"
#include "core/text.h"
#include "core/time.h"
#include "fleet/loader.h"
#include "market/market_data.h"
#include "sched/oracle.h"
#include "sched/policy.h"
#include "sim/engine.h"
#include "sim/gavel_cluster.h"
#include "sim/gavel_mode.h"
#include "sim/replay.h"
#include "sim/forecaster.h"
#include "sim/report.h"
#include "workload/alibaba_trace.h"
#include "workload/gavel_throughputs.h"
#include "workload/gavel_trace.h"
#include "workload/philly_trace.h"
#include "workload/speed_model.h"

namespace rigshift::cli {

namespace {


Result<TimePoint> ParseDateFlag(const std::string& flag, const std::string& text) {
  auto t = ParseTimestamp(text);
  if (!t.ok()) return Status::InvalidArgument(flag + ": " + t.status().message());
  return *t;
}

// The reference data directory: --data-dir, else $RIGSHIFT_SHARED_DATA, else ../shared/data when
// it exists (the layout of a checkout beside the shared data).
std::string DataDir(const SimulateArgs& args) {
  if (!args.data_dir.empty()) return args.data_dir;
  if (const char* env = std::getenv("RIGSHIFT_SHARED_DATA"); env != nullptr && *env != '\0') return env;
  if (std::filesystem::exists("../shared/data/traces")) return "../shared/data";
  return "";
}

struct LoadedJobs {
  std::vector<workload::Job> trace;  // arrivals as recorded
  std::string description;
  workload::StepThroughputs steps;   // Gavel traces only
  bool relative = false;             // arrivals already relative to 0 (Gavel)
};

Result<LoadedJobs> LoadJobs(const SimulateArgs& args) {
  LoadedJobs out;
  const std::string spec = args.jobs;
  std::string spec_resolved = spec;
  if (spec == "auto") {
    if (DataDir(args).empty() ||
        !std::filesystem::exists(DataDir(args) + "/traces/sia_sosp23/traces/philly.csv")) {
      out.description = "no AI jobs (no reference data found: pass --data-dir or --jobs PATH)";
      return out;
    }
    spec_resolved = "philly";
  }
  if (spec_resolved == "none" || spec_resolved.empty()) {
    out.description = "no AI jobs";
    return out;
  }
  const std::string data = DataDir(args);
  auto need_data = [&](const std::string& what) -> Status {
    if (data.empty()) {
      return Status::NotFound("--jobs " + spec + ": the " + what +
                              " trace lives in the reference data; pass --data-dir DIR (the "
                              "../shared/data layout) or a trace file path");
    }
    return Status::Ok();
  };
  std::string path;
  std::string kind;
  if (spec_resolved == "philly") {
    RETURN_IF_ERROR(need_data("Philly"));
    path = data + "/traces/sia_sosp23/traces/philly.csv";
    kind = "philly";
  } else if (spec == "alibaba") {
    RETURN_IF_ERROR(need_data("Alibaba"));
    path = data + "/traces/alibaba_gpu_v2023/openb_pod_list_default.csv";
    kind = "alibaba";
  } else if (spec.rfind("gavel:", 0) == 0) {
    path = spec.substr(6);
    kind = "gavel";
  } else {
    path = spec;
    if (path.size() > 6 && path.substr(path.size() - 6) == ".trace") {
      kind = "gavel";
    } else {
      ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
      std::string head = ToLower(text.substr(0, text.find('\n')));
      if (head.find("num_gpus") != std::string::npos) {
        kind = "philly";
      } else if (head.find("gpu_milli") != std::string::npos) {
        kind = "alibaba";
      } else {
        return Status::InvalidArgument(
            "--jobs " + path +
            ": unknown trace format (expected a Philly CSV with num_gpus, an Alibaba pod list with "
            "num_gpu/gpu_milli, or a Gavel .trace)");
      }
    }
  }
  if (kind == "philly") {
    ASSIGN_OR_RETURN(out.trace, workload::LoadPhillyTrace(path));
    out.description = "Philly (" + path + ")";
  } else if (kind == "alibaba") {
    ASSIGN_OR_RETURN(out.trace, workload::LoadAlibabaPods(path));
    out.description = "Alibaba pods (" + path + ")";
  } else {
    ASSIGN_OR_RETURN(auto gt, workload::LoadGavelTrace(path));
    out.trace = std::move(gt.jobs);
    out.description = "Gavel trace (" + path + ")";
    out.relative = true;
    std::string tp = args.throughputs;
    if (tp.empty()) {
      if (data.empty()) {
        return Status::NotFound("--jobs " + spec +
                                ": Gavel jobs need throughputs: pass --throughputs FILE or --data-dir");
      }
      tp = data + "/traces/gavel/simulation_throughputs.json";
    }
    ASSIGN_OR_RETURN(auto t, workload::GavelThroughputs::Load(tp));
    out.steps = t.ToStepThroughputs();
  }
  return out;
}


// --mode gavel: Gavel's simulator semantics through the same engine and policy interface
// (sim/gavel_mode.h, docs/gavel-fidelity.md): rounds, economics off, the trace's own arrivals from
// 0, drained to the last completion; prints Gavel's three figures.
int RunGavelMode(const SimulateArgs& args, const fleet::Fleet& fleet, const std::string& fleet_file,
                 int64_t gpus) {
  auto lj = LoadJobs(args);
  if (!lj.ok()) return ReportError(lj.status());
  if (!lj->relative) {
    return ReportError(Status::InvalidArgument(
        "--mode gavel: --jobs must be a Gavel trace (gavel:PATH or a .trace file)"));
  }
  sim::GavelModeOptions o;
  const std::vector<std::string> names = SplitList(args.policies);
  if (names.size() > 1) {
    return ReportError(Status::InvalidArgument("--mode gavel: one policy at a time"));
  }
  if (names.size() == 1) o.policy = names[0];
  o.round_length = args.round_length;
  o.min_replan_gap = args.replan_gap;
  o.seed = static_cast<uint64_t>(args.seed);
  std::unique_ptr<AtomicOutputFile> timeline_file;
  std::unique_ptr<sim::CsvTimelineSink> timeline;
  if (!args.timeline.empty()) {
    auto f = AtomicOutputFile::Open(args.timeline);
    if (!f.ok()) return ReportError(f.status());
    timeline_file = std::move(*f);
    timeline = std::make_unique<sim::CsvTimelineSink>(timeline_file->stream());
    o.timeline = timeline.get();
  }
  auto run = sim::RunGavel(lj->trace, lj->steps, fleet, o);
  if (!run.ok()) return ReportError(run.status());
  if (timeline_file) {
    if (Status s = timeline_file->Commit(); !s.ok()) return ReportError(s);
  }
  sim::GavelRunInfo info{lj->description, fleet_file, static_cast<int64_t>(lj->trace.size()), gpus, o};
  const std::string text = args.json ? sim::RenderGavelJson(*run, info) : sim::RenderGavelText(*run, info);
  if (Status s = WriteStdout(text); !s.ok()) return ReportError(s);
  return kExitOk;
}

// Hours of [start, end) a series does not cover.
template <typename Series>
int64_t UncoveredHours(const Series& series, TimePoint start, TimePoint end) {
  if (series.empty()) return (end - start + kHour - 1) / kHour;
  const TimePoint s = std::clamp(series.start, start, end);
  const TimePoint e = std::clamp(series.end(), start, end);
  if (e <= s) return (end - start + kHour - 1) / kHour;
  return (s - start + kHour - 1) / kHour + (end - e + kHour - 1) / kHour;
}

// A window the price and hashprice series do not cover is refused, as assess refuses it, unless
// --hold-edges asks for the edge values to be held; then the held hours are counted in the
// report's market description. Returns that description's addition ("" when all is covered).
Result<std::string> CheckMarketCoverage(const fleet::Fleet& fleet, const market::MarketData& market,
                                        TimePoint start, TimePoint end, bool hold_edges) {
  std::string held;
  auto check = [&](const std::string& what, int64_t hours, TimePoint first, TimePoint last) -> Status {
    if (hours == 0) return Status::Ok();
    const std::string span = first < last ? FormatDate(first) + " .. " + FormatDate(last) : "nothing";
    if (!hold_edges) {
      return Status::OutOfRange(what + " cover " + span + ", not the window " + FormatDate(start) +
                                " .. " + FormatDate(end) + " (" + std::to_string(hours) +
                                " hours outside): give data that cover it, narrow --from/--to, or "
                                "pass --hold-edges to hold the edge values (counted in the report)");
    }
    held += "\n" + what + ": " + std::to_string(hours) +
            " hours outside " + span + " held at the edge value (--hold-edges)";
    return Status::Ok();
  };
  std::set<std::string> seen;
  for (const auto& site : fleet.sites) {
    if (site.tariff.market == "fixed" || !seen.insert(site.tariff.market).second) continue;
    auto it = market.electricity.find(site.tariff.market);
    if (it == market.electricity.end()) continue;
    RETURN_IF_ERROR(check("the '" + site.tariff.market + "' prices (site " + site.id + ")",
                          UncoveredHours(it->second, start, end), it->second.start, it->second.end()));
  }
  RETURN_IF_ERROR(check("the hashprice", UncoveredHours(market.hashprice, start, end),
                        market.hashprice.start, market.hashprice.end()));
  return held;
}

int RunSimulate(SimulateArgs& args) {
  if (Status s = CheckSimulateFlags(args); !s.ok()) return ReportError(s);
  // Fleet.
  fleet::Fleet fleet;
  std::string fleet_file;
  if (!args.cluster.empty()) {
    auto spec = sim::ParsePlainCluster(args.cluster);
    if (!spec.ok()) return ReportError(spec.status().WithPrefix("--cluster"));
    auto f = sim::BuildPlainCluster(*spec, catalog::Catalog::Builtin());
    if (!f.ok()) return ReportError(f.status());
    fleet = std::move(*f);
    fleet_file = "--cluster " + args.cluster;
  } else {
    if (args.fleet_path.empty()) {
      return ReportError(Status::InvalidArgument("a FLEET file (or --cluster COUNTS) is required"));
    }
    fleet::LoadOptions lo;
    lo.strict = args.strict;
    auto loaded = fleet::LoadFleetFile(args.fleet_path, catalog::Catalog::Builtin(), lo);
    if (!loaded.ok()) return ReportError(loaded.status());
    for (const auto& w : loaded->warnings) std::fprintf(stderr, "%s\n", w.ToString().c_str());
    fleet = std::move(loaded->fleet);
    fleet_file = args.fleet_path;
  }
  const fleet::FlatFleet flat = fleet::Flatten(fleet);
  if (args.mode == "gavel") {
    int64_t gpus = 0;
    for (auto k : flat.kind) gpus += k == catalog::DeviceKind::kGpu ? 1 : 0;
    return RunGavelMode(args, fleet, fleet_file, gpus);
  }
  if (args.mode != "market") {
    return ReportError(Status::InvalidArgument("--mode '" + args.mode + "': expected market or gavel"));
  }

  // Window: --from/--to, default the latest full year of the embedded scenario.
  TimePoint start = YearStart(market::kDefaultLastYear);
  TimePoint end = YearStart(market::kDefaultLastYear + 1);
  if (!args.from.empty()) {
    auto t = ParseDateFlag("--from", args.from);
    if (!t.ok()) return ReportError(t.status());
    start = *t;
    if (args.to.empty()) end = start + 365 * kDay;
  }
  if (!args.to.empty()) {
    auto t = ParseDateFlag("--to", args.to);
    if (!t.ok()) return ReportError(t.status());
    end = *t;
    if (args.from.empty()) start = end - 365 * kDay;
  }
  if (end <= start) return ReportError(Status::InvalidArgument("--to must be after --from"));
  auto order = sched::ParseJobOrder(args.ordering);
  if (!order.ok()) return ReportError(order.status().WithPrefix("--ordering"));

  // Markets.
  auto market_options = MarketOptionsForFleet(fleet, args.data_dir, args.prices);
  if (!market_options.ok()) return ReportError(market_options.status());
  market::MarketDataOptions mo = std::move(*market_options);
  mo.from_year = YearOf(start);
  mo.to_year = YearOf(end - 1);
  mo.hashprice_files = args.hashprice;
  mo.gpu_price_file = args.gpu_prices;
  auto md = market::LoadMarketDataWithReport(mo);
  if (!md.ok()) return ReportError(md.status());
  auto held = CheckMarketCoverage(fleet, md->data, start, end, args.hold_edges);
  if (!held.ok()) return ReportError(held.status());
  md->data.description += *held;
  const market::MarketData& market = md->data;

  // Jobs.
  auto lj = LoadJobs(args);
  if (!lj.ok()) return ReportError(lj.status());
  std::vector<workload::Job> trace = std::move(lj->trace);
  if (lj->relative) {
    for (auto& j : trace) j.arrival += start;
  }
  sim::ReplayOptions ro;
  ro.start = start;
  ro.end = end;
  ro.load = args.load;
  auto replayed = sim::ReplayIntoWindow(trace, ro);
  if (!replayed.ok()) return ReportError(replayed.status());
  std::vector<workload::Job> jobs = std::move(*replayed);
  sim::NeedsOptions no;
  no.seed = static_cast<uint64_t>(args.seed);
  no.slo_factor = args.slo_factor;
  sim::AssignJobNeeds(jobs, no);

  workload::SpeedModelOptions so;
  so.steps = lj->steps;
  workload::SpeedModel speed(so);
  for (const auto* g : flat.gpu) {
    if (g != nullptr) speed.Register(*g);
  }

  // Policies.
  std::vector<std::string> names = SplitList(args.policies);
  if (names.empty()) {
    for (const auto& n : sched::PolicyNames()) {
      if (n != "fifo_perf") names.push_back(n);
    }
  }
  const Duration epoch = static_cast<Duration>(args.epoch_hours * 3600);
  PolicyFlags policy_flags;
  policy_flags.ordering = args.ordering;
  policy_flags.las_thresholds = args.las_thresholds;
  policy_flags.las_no_preempt = args.las_no_preempt;
  auto policy_options = PolicyOptionsFromFlags(policy_flags);
  if (!policy_options.ok()) return ReportError(policy_options.status());
  sched::PolicyOptions popts = *policy_options;
  popts.speed = &speed;
  std::vector<std::unique_ptr<sched::Policy>> policies;
  for (const auto& n : names) {
    auto p = sched::MakePolicy(n, popts);
    if (!p.ok()) return ReportError(p.status().WithPrefix("--policy"));
    policies.push_back(std::move(*p));
  }

  std::unique_ptr<AtomicOutputFile> timeline_file;
  std::unique_ptr<sim::CsvTimelineSink> timeline;
  if (!args.timeline.empty()) {
    auto f = AtomicOutputFile::Open(args.timeline);
    if (!f.ok()) return ReportError(f.status());
    timeline_file = std::move(*f);
    timeline = std::make_unique<sim::CsvTimelineSink>(timeline_file->stream());
  }

  const int64_t days = std::max<int64_t>(1, (end - start + kDay - 1) / kDay);
  const int64_t steps = days * static_cast<int64_t>(policies.size()) + (args.no_bound ? 0 : days);
  // Over a million device-days (100,000 devices for ten days) a run takes minutes: say so.
  const bool long_run = static_cast<double>(flat.device_count()) * static_cast<double>(days) > 1e6;
  ProgressBar progress("simulate", steps, long_run);
  sim::SimReport report;
  report.fleet_name = fleet.name;
  report.fleet_file = fleet_file;
  report.market_description = market.description;
  report.jobs_description = lj->description;
  report.ordering = sched::JobOrderName(*order);
  report.load = args.load;
  report.seed = static_cast<uint64_t>(args.seed);
  report.start = start;
  report.end = end;
  report.devices = static_cast<int64_t>(flat.device_count());
  for (auto k : flat.kind) (k == catalog::DeviceKind::kGpu ? report.gpus : report.asics)++;
  report.jobs_in_window = static_cast<int64_t>(jobs.size());

  sim::SimInputs in{&fleet, &flat, &market, &jobs, &speed};
  // Policies plan on forecasts from past prices unless --perfect-foresight asks for the true
  // future (the comparison the bound and earlier figures used).
  const sim::PriceKnowledge knowledge = args.perfect_foresight
                                            ? sim::PriceKnowledge::kPerfectForesight
                                            : sim::PriceKnowledge::kForecast;
  sim::MarketForecaster forecaster(market, static_cast<Duration>(popts.horizon_hours) * kHour);
  if (knowledge == sim::PriceKnowledge::kForecast) in.forecast = forecaster.Callback();
  report.price_knowledge = sim::PriceKnowledgeName(knowledge);
  for (size_t i = 0; i < policies.size(); ++i) {
    sim::EngineOptions eo;
    eo.start = start;
    eo.end = end;
    eo.seed = static_cast<uint64_t>(args.seed);
    eo.epoch = epoch;
    eo.min_decision_gap = static_cast<Duration>(args.decision_gap_minutes * 60);
    eo.failures.enabled = !args.no_failures;
    eo.incremental = !args.full_rounds_only;
    eo.demand_response.enabled = args.demand_response;
    eo.power = popts.power;
    eo.timeline = timeline.get();
    const int64_t base = days * static_cast<int64_t>(i);
    eo.progress = [&, base](TimePoint now) { progress.Update(base + (now - start) / kDay); };
    auto r = sim::Simulate(in, *policies[i], popts, eo);
    if (!r.ok()) return ReportError(r.status().WithPrefix("policy " + names[i]));
    report.results.push_back(std::move(*r));
    progress.Update(base + days);
  }

  if (!args.no_bound) {
    sched::OracleInput oi;
    oi.fleet = &fleet;
    oi.flat = &flat;
    oi.market = &market;
    oi.start = start;
    oi.hours = static_cast<int>((end - start + kHour - 1) / kHour);
    oi.jobs = std::span<const workload::Job>(jobs);
    oi.power = popts.power;
    oi.speed = &speed;
    sched::OracleLimits limits;
    if (args.bound_bins == 0) {
      limits.aggregate_above_hours = std::numeric_limits<int>::max();
    } else {
      limits.bins_per_block = args.bound_bins;
    }
    auto b = sched::OracleBound(oi, limits);
    if (b.ok()) {
      sim::BoundInfo bi;
      bi.net_margin = Usd(b->margin_usd);
      bi.method = "LP relaxation, " + b->method + " (" + std::to_string(b->rows) + " rows, " +
                  std::to_string(b->columns) + " columns)";
      bi.ai_revenue = Usd(b->ai_revenue_usd);
      bi.mining_margin = Usd(b->mining_margin_usd);
      bi.ai_energy = Usd(b->ai_energy_usd);
      bi.host_energy = Usd(b->host_energy_usd);
      bi.ai_gpu_hours = b->ai_gpu_hours;
      bi.note = "perfect foresight of prices and arrivals; no failures, no demand-response credits";
      report.bound = bi;
    } else {
      std::fprintf(stderr, "rigshift: warning: oracle bound not computed: %s\n", b.status().message().c_str());
    }
  }
  progress.Finish();

  if (!args.html.empty()) {
    if (Status s = WriteFileAtomically(args.html, sim::RenderHtml(report)); !s.ok()) return ReportError(s);
  }
  if (timeline_file) {
    if (Status s = timeline_file->Commit(); !s.ok()) return ReportError(s);
  }
  std::string text = args.json ? sim::RenderJson(report) : sim::RenderText(report);
  if (!args.json) {
    if (!args.html.empty()) text += "\nHTML report written to " + args.html + "\n";
    if (timeline) {
      text += "timeline: " + std::to_string(timeline->rows()) + " decisions written to " + args.timeline + "\n";
    }
  }
  if (Status s = WriteStdout(text); !s.ok()) return ReportError(s);
  return kExitOk;
}

}  // namespace

void RegisterSimulateCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<SimulateArgs>();
  auto* cmd = app.add_subcommand(
      "simulate", "Replay real prices and job traces through several policies, side by side, against the oracle bound");
  AddSimulateOptions(*cmd, *args);
  cmd->callback([args, &ctx] { ctx.exit_code = RunSimulate(*args); });
}

}  // namespace rigshift::cli
