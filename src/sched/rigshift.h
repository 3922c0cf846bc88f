// rigshift: the default policy. Value-aware placement under each site's power envelope,
// price-aware curtailment, and preemption only when it pays.
//
// Assumptions: prices for the forecast window (PolicyInput::forecast, else perfect foresight of
// the market series) are good enough to average over a job's expected run; mining can be stopped
// and restarted at no cost, so it is always preemptible and decided on the current hour; an AI job
// preempted loses the work since its last checkpoint plus its restore time, which the customer
// does not pay for (valued at its GPU-hour price); running time is remaining work / (SpeedModel
// rate x gang size).
// Algorithm (one round):
//   1. Running jobs: a preemptible job is stopped when, over the coming stretch of hours in which
//      its AI margin (GPU-hour price - energy) is below what its devices would earn otherwise
//      (mining, or 0 when off), the summed difference exceeds preempt_hysteresis x its loss
//      (work since checkpoint + restore, x GPU-hour price x GPUs). kNever jobs always stay.
//   2. Queued jobs are ranked by priority, then (LAS only) attained-service level, then value
//      density: the best net gain per kW over the feasible classes, where the gain per GPU-hour of
//      a class = GPU-hour price - AI energy cost - the mining margin given up, both averaged with
//      the forecast over the job's expected duration on that class (capped at the window).
//   3. Each job starts on the free class with the highest gain per GPU-hour (gang rules of
//      policy.h, envelope checked), only if that gain is > 0; the first job that cannot start
//      reserves GPUs (EASY), later ones backfill around it.
//   3b. Value preemption: the first 32 jobs still waiting may each displace one running
//      preemptible job on a class they fit that pays less per GPU-hour, when the price difference
//      x min(their GPUs, the victim's) x their expected run (capped at the window) exceeds
//      preempt_hysteresis x the victim's loss; the victim with the largest net gain goes; if the
//      gang still does not fit, nothing changes.
//   4. Every other healthy device mines when its mining margin now is > 0, filling the envelope
//      by margin per kW (least valuable curtailed first); else it is off.
// Tie-breaks: equal density -> arrival, then job id; equal gain -> higher gain per kW, then lower
// class id; devices in fleet order (best-fit slot, then fewest nodes).
// Thread-safety: immutable; Decide is const.
#pragma once

#include <memory>
#include <vector>

#include "sched/policy.h"
#include "sched/round.h"

namespace rigshift::sched {

std::unique_ptr<Policy> MakeRigshiftPolicy(const PolicyOptions& options);

namespace internal {
// Steps 1-3 above. `ai_budget`, when given, caps the GPUs in AI per site after the round
// (running + started), as horizon's LP decides (per site, not per class: the LP's fractional
// per-class split need not be realisable by whole gangs); null = no cap.
void RigshiftAi(Round& round, const std::vector<int64_t>* ai_budget);
// Step 4: mining when the current margin is positive.
void RigshiftMining(Round& round);
// Gain per GPU-hour of `job` on class `cls` over `seconds` against mining/off (step 2).
Money GainPerGpuHour(Round& round, const workload::Job& job, int32_t cls, Duration seconds);
// Deadlines (Job::deadline, the customer's SLO): whether a job expected to run `expected_seconds`
// from now still meets its deadline (true without one), and whether starting it `delay` later
// would miss it (false without one).
bool MeetsDeadlineNow(const workload::Job& job, TimePoint now, double expected_seconds);
bool DeadlineAtRisk(const workload::Job& job, TimePoint now, double expected_seconds,
                    Duration delay);
}  // namespace internal

}  // namespace rigshift::sched
