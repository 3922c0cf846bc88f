#include "sim/gavel_mode.h"

#include <algorithm>

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
                          const workload::GavelThroughputs& throughputs,
                          const fleet::Fleet& fleet, const GavelModeOptions& options) {
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

}  // namespace rigshift::sim
