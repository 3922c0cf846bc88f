// mine-only: the baseline of a pure mining farm with price-based curtailment.
//
// Assumptions: no AI work is run (queued jobs wait, running jobs are preempted: this policy is
// for a farm that sells nothing but hashes); switching mining on and off is free at hourly grain.
// Algorithm: every healthy device mines its most lucrative priced profile (econ::BestMining) when
// that revenue exceeds its power cost at the site's current price (device + its share of the host,
// x PUE, at market price + adder), else it is off. The power envelope is then filled by mining
// margin per kW, best first; what does not fit is off (curtailed).
// Tie-breaks: equal margin per kW -> lower class id (fleet order); inside a class, fleet order.
// Thread-safety: immutable; Decide is const.
#pragma once

#include <memory>

#include "sched/policy.h"

namespace rigshift::sched {

std::unique_ptr<Policy> MakeMineOnlyPolicy(const PolicyOptions& options);

}  // namespace rigshift::sched
