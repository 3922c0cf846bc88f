// fifo_perf: Gavel's FIFO with performance-aware GPU-type choice (Narayanan et al., OSDI'20,
// "Heterogeneity-Aware Cluster Scheduling Policies for Deep Learning Workloads"; the policy is
// FIFOPolicy in mode 'perf' of its artifact). rigshift runs it to reproduce Gavel's published
// simulator figures on Gavel's own traces (issue 5, docs/gavel-fidelity.md), through the same
// Policy interface, engine and plan applier as every other policy.
//
// Assumptions: AI only (economics play no part): GPUs that run no job are idle, ASICs off. A GPU
// "type" is a pool of healthy GPUs of one catalogue model at one site; a gang runs inside one pool.
// Speeds come from PolicyOptions::speed (Gavel's measured steps/s through the SpeedModel's step
// table); without one every GPU whose memory fits runs at rate 1.
//
// Algorithm (every call; the placement is recomputed from scratch):
//   1. Every job, running or queued, in arrival order (ties by job id).
//   2. Each job gets the pool with the highest rate for it among the pools that still have enough
//      free GPUs for its gang (ties: the pool whose model name sorts first, then the lower site,
//      as Gavel iterates worker types in name order). Its GPUs leave the free count.
//   3. The pass stops at the first job that fits in no pool: no backfill (FIFO).
//   Like Gavel, the choice does not skip a pool where the job's rate is 0 when that is the best it
//   can get: the job then holds those GPUs without running (Gavel allocates it there and its
//   scheduler never runs a zero-throughput job), so later jobs cannot take them. This matters:
//   on the 96-job trace it moves utilisation by 0.035.
// Plan: a running job allocated to the pool it runs in keeps its GPUs; one allocated elsewhere is
// preempted and started on the new pool in the same plan (a migration: it appears both in
// `preemptions` and in `starts`, with JobStart::queue_index = -1); one not allocated is preempted.
// Queued jobs allocated with rate > 0 start. Devices are picked best-fit by node: the node of the
// pool with the fewest free GPUs that still holds the whole gang, else the lowest-numbered free
// GPUs of the pool (kNone and kNetwork gangs; kPcie/kNvlink gangs need one node and are skipped
// with a reason when no node has room).
//
// Thread-safety: immutable; Decide is const and reentrant.
#pragma once

#include <memory>
#include <string_view>

#include "sched/policy.h"

namespace rigshift::sched {

class FifoPerfPolicy final : public Policy {
 public:
  explicit FifoPerfPolicy(const PolicyOptions& options) : options_(options) {}
  std::string_view name() const override { return "fifo_perf"; }
  Plan Decide(const PolicyInput& in, Rng& rng) const override;

 private:
  PolicyOptions options_;
};

std::unique_ptr<Policy> MakeFifoPerfPolicy(const PolicyOptions& options);

}  // namespace rigshift::sched
