// An independent re-implementation of Gavel's simulator loop for fifo_perf (test-only), written
// from Gavel's code as published (scheduler.py simulate(), policies/fifo.py in 'perf' mode), in
// floating-point seconds, with none of rigshift's engine, policy or accounting code. It exists to
// check our reading of Gavel's semantics against Gavel's own figures; the engine path is then
// checked against Gavel's figures (and against this model with the engine's semantics).
//
// The loop, per round:
//   1. time jumps to the end of the previous round: the latest finish among the jobs it ran (or,
//      with nothing running, to the next arrival);
//   2. the jobs of the round are credited their steps; a job whose steps run out completes at its
//      own finish time (JCT = finish - arrival);
//   3. jobs that arrived by now are admitted;
//   4. if the job set changed and `reset_gap` passed since the last allocation (or the last one
//      was at time 0 when `zero_time_quirk`: Gavel tests `_last_reset_time == 0`), the FIFO-perf
//      allocation is recomputed from scratch: jobs by id, each on the type with the highest
//      throughput among those with enough free GPUs (types in name order, strict >, so a type
//      with throughput 0 can be chosen), stopping at the first job that fits nowhere;
//   5. every allocated job with throughput > 0 runs min(int(throughput x round), remaining) steps
//      and finishes at now + steps / throughput.
// Busy time of a GPU: finish - start of the round for each piece of work it ran.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "workload/gavel_throughputs.h"
#include "workload/gavel_trace.h"

namespace rigshift::gavel_test {

struct ReferenceOptions {
  double round_s = 360;
  double reset_gap_s = 1920;
  bool zero_time_quirk = true;  // Gavel: a reset at t = 0 does not start the gap
  bool integer_steps = true;    // Gavel: int(throughput x round) steps per round
  // With nothing running while the gap holds the next allocation back, Gavel jumps to the next
  // arrival; rigshift's engine starts the next round when the gap has passed (arrivals before
  // then wait for it). true = rigshift's rule.
  bool idle_waits_for_gap = false;
};

struct ReferenceFigures {
  double avg_jct_s = 0;
  double makespan_s = 0;
  double utilisation = 0;
  int finished = 0;
};

// cluster: GPU type ("v100", "p100", "k80") -> count.
ReferenceFigures RunReference(const workload::GavelTrace& trace,
                              const workload::GavelThroughputs& throughputs,
                              const std::map<std::string, int>& cluster,
                              const ReferenceOptions& options = {});

}  // namespace rigshift::gavel_test
