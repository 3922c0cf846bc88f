#include "sim/gavel_mode.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "sched/policy.h"
#include "workload/speed_model.h"

namespace rigshift::sim {

GavelFigures FiguresOf(const SimResult& result) {
  GavelFigures f;
  f.avg_jct_s = result.jobs.avg_jct_s;
  f.makespan_s = static_cast<double>(result.makespan());
  f.utilisation = result.GpuUtilisation();
  f.jobs_finished = result.jobs.finished;
  f.jobs_unfinished = result.jobs.unfinished;
  f.jobs_unplaceable = result.jobs.unplaceable;
  return f;
}

Result<GavelRun> RunGavel(const std::vector<workload::Job>& jobs,
                          const workload::GavelThroughputs& throughputs, const fleet::Fleet& fleet,
                          const GavelModeOptions& options) {
  return RunGavel(jobs, throughputs.ToStepThroughputs(), fleet, options);
}

Result<GavelRun> RunGavel(const std::vector<workload::Job>& jobs,
                          const workload::StepThroughputs& steps, const fleet::Fleet& fleet,
                          const GavelModeOptions& options) {
  if (jobs.empty()) return Status::InvalidArgument("gavel mode: the trace has no jobs");
  if (options.round_length <= 0) {
    return Status::InvalidArgument("gavel mode: the round length must be > 0 s");
  }
  const fleet::FlatFleet flat = fleet::Flatten(fleet);

  workload::SpeedModelOptions speed_options;
  speed_options.steps = steps;
  workload::SpeedModel speed(std::move(speed_options));
  for (const auto* gpu : flat.gpu) {
    if (gpu != nullptr) speed.Register(*gpu);
  }

  sched::PolicyOptions policy_options;
  policy_options.speed = &speed;
  ASSIGN_OR_RETURN(auto policy, sched::MakePolicy(options.policy, policy_options));

  EngineOptions engine = EngineOptions::GavelRounds(options.round_length);
  engine.seed = options.seed;
  engine.min_decision_gap = options.min_replan_gap;
  engine.start = 0;
  TimePoint last_arrival = 0;
  for (const auto& j : jobs) last_arrival = std::max(last_arrival, j.arrival);
  engine.end = last_arrival + 1;  // every arrival is inside the window; the run drains after it
  engine.timeline = options.timeline;
  engine.keep_job_records = options.keep_job_records;

  SimInputs inputs;
  inputs.fleet = &fleet;
  inputs.flat = &flat;
  inputs.jobs = &jobs;
  inputs.speed = &speed;
  ASSIGN_OR_RETURN(SimResult result, Simulate(inputs, *policy, policy_options, engine));
  GavelRun run;
  run.figures = FiguresOf(result);
  run.result = std::move(result);
  return run;
}

namespace {

std::string Num(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

}  // namespace

std::string RenderGavelText(const GavelRun& run, const GavelRunInfo& info) {
  const GavelFigures& f = run.figures;
  std::string out;
  out += "Gavel mode: " + info.jobs_description + "\n";
  out += "  cluster        " + info.cluster_description + " (" + std::to_string(info.gpus) +
         " GPUs)\n";
  out += "  policy         " + info.options.policy + ", " +
         std::to_string(info.options.round_length) + " s rounds, replanning at most every " +
         std::to_string(info.options.min_replan_gap) + " s, economics off\n";
  out += "  jobs finished  " + std::to_string(f.jobs_finished) + " of " + std::to_string(info.jobs);
  if (f.jobs_unplaceable > 0) out += " (" + std::to_string(f.jobs_unplaceable) + " unplaceable)";
  if (f.jobs_unfinished > 0) out += " (" + std::to_string(f.jobs_unfinished) + " unfinished)";
  out += "\n";
  out += "  average JCT    " + Num("%.1f", f.avg_jct_s) + " s (" + Num("%.2f", f.avg_jct_s / 3600) +
         " h)\n";
  out += "  makespan       " + Num("%.1f", f.makespan_s) + " s (" +
         Num("%.2f", f.makespan_s / 3600) + " h)\n";
  out += "  utilisation    " + Num("%.4f", f.utilisation) + "\n";
  out += "  decisions      " + std::to_string(run.result.stats.decisions) + " (" +
         std::to_string(run.result.stats.events) + " events, " +
         std::to_string(run.result.jobs.preemptions) + " migrations or preemptions)\n";
  return out;
}

std::string RenderGavelJson(const GavelRun& run, const GavelRunInfo& info) {
  const GavelFigures& f = run.figures;
  nlohmann::ordered_json j;
  j["mode"] = "gavel";
  j["jobs_description"] = info.jobs_description;
  j["cluster"] = info.cluster_description;
  j["gpus"] = info.gpus;
  j["policy"] = info.options.policy;
  j["round_length_s"] = info.options.round_length;
  j["min_replan_gap_s"] = info.options.min_replan_gap;
  j["jobs"] = info.jobs;
  j["jobs_finished"] = f.jobs_finished;
  j["jobs_unfinished"] = f.jobs_unfinished;
  j["jobs_unplaceable"] = f.jobs_unplaceable;
  j["avg_jct_s"] = f.avg_jct_s;
  j["makespan_s"] = f.makespan_s;
  j["utilisation"] = f.utilisation;
  j["decisions"] = run.result.stats.decisions;
  j["events"] = run.result.stats.events;
  j["preemptions"] = run.result.jobs.preemptions;
  return j.dump(2) + "\n";
}

}  // namespace rigshift::sim
