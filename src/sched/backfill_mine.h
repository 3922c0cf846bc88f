// backfill-mine: what GPU rental hosts do. AI jobs first-come (or LAS) with EASY backfill; every
// GPU without AI work mines; ASICs mine.
//
// Assumptions: the host rents GPUs to whoever is in the queue at the table GPU-hour price and
// fills idle cards with mining; it does not look at the power price (mining is never curtailed
// for price: see `threshold` for that) and never preempts a running job (except when the power
// envelope forces it, as every policy must).
// Algorithm: jobs in the queue order (PolicyOptions::order: FIFO by arrival, or Tiresias LAS);
// each starts on the feasible device class with the highest GPU-hour price for it (gang rules of
// policy.h; single node best-fit, else fewest nodes), if the envelope allows. The first job that
// cannot start reserves the GPUs it would get earliest (EASY: from the expected ends of running
// jobs); later jobs start only if they do not touch those GPUs or end before that time. Then
// every healthy device without AI work mines its best profile, filling the envelope by mining
// margin per kW; what does not fit is off.
// Tie-breaks: queue order ties by arrival then job id; class ties by lower class id (fleet
// order); devices inside a slot in fleet order.
// Thread-safety: immutable; Decide is const.
#pragma once

#include <memory>

#include "sched/policy.h"
#include "sched/round.h"

namespace rigshift::sched {

std::unique_ptr<Policy> MakeBackfillMinePolicy(const PolicyOptions& options);

namespace internal {
// The AI part shared by backfill-mine and threshold: keeps running jobs, starts queued jobs with
// EASY backfill on the highest-priced feasible class.
void BackfillAi(Round& round);
}  // namespace internal

}  // namespace rigshift::sched
