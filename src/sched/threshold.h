// threshold: backfill-mine plus price curtailment of mining, what curtailment tools for miners do.
//
// Assumptions: as backfill-mine for AI work (EASY backfill, no price check, no preemption); mining
// on a device class stops while the site's energy price is above the class's break-even price:
// the price at which its mining revenue equals its power cost (device + host share, x PUE), less
// a safety margin (PolicyOptions::threshold_margin_permille), or a fixed operator price
// (PolicyOptions::curtail_above) when set. Only the current hour's price is used (no forecast).
// Algorithm: BackfillAi (backfill_mine.h), then each class mines iff price <= threshold, filling
// the envelope by mining margin per kW; the rest is off with the threshold in its reason.
// Tie-breaks: as backfill-mine.
// Thread-safety: immutable; Decide is const.
#pragma once

#include <memory>

#include "sched/policy.h"

namespace rigshift::sched {

std::unique_ptr<Policy> MakeThresholdPolicy(const PolicyOptions& options);

// Break-even energy price (at the meter, per MWh) of mining for `revenue_h` per hour drawing
// `power` at a site with PUE `pue_milli`: revenue = power x PUE x price. Zero power: the largest
// representable price.
EnergyPrice BreakEvenPrice(Money revenue_h, Power power, int64_t pue_milli);

}  // namespace rigshift::sched
