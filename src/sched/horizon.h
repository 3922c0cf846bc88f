// horizon: rolling-horizon optimisation over the forecast window with an LP (GLPK), then the
// first hour of the plan mapped to devices.
//
// Assumptions: the forecast (PolicyInput::forecast, else the market series) is right for the
// next `horizon_hours`; devices of a class are interchangeable at this level (gangs are placed
// afterwards by rigshift's mechanism); queued AI demand stays for the whole window and running
// jobs hold their GPUs until their expected end; a site's facility power may change by at most
// ramp_limit_permille_per_hour of its grid cap from one hour to the next (0 = no limit; the
// current hour is measured from PolicyInput::current_mode). Ramp rows have penalised slack, so
// the LP is never infeasible; the slack is used only when the current state cannot ramp in time.
// Algorithm: per device class c (site, model, node shape) and hour h, continuous m[c,h] devices
// mining, a[c,h] GPUs in AI, n[c,h] nodes on, maximising mining margin + AI margin (GPU-hour
// price of the jobs that fit - energy) - host energy, subject to capacity (m + a <= devices up),
// hosts (devices per node x n >= m + a), each site's envelope and ramp per hour, and AI demand
// (sum of a <= GPUs of the jobs that could run, per class and in all). Then hour 0: rigshift's
// preemption and value-aware gang placement with at most max(running, floor(a[c,0])) GPUs in AI
// per class, and at most floor(m[c,0]) devices mining per class, where mining pays now. So the
// policy curtails ahead of a price spike when the ramp rule would not let it drop in time, and
// defers AI starts that the window does not pay for.
// Tie-breaks: as rigshift; the LP's own choice among equal optima is GLPK's (deterministic).
// If GLPK fails, the round falls back to rigshift and says so in the reasons.
// Thread-safety: immutable; Decide is const (GLPK objects are per call).
#pragma once

#include <memory>

#include "sched/policy.h"

namespace rigshift::sched {

std::unique_ptr<Policy> MakeHorizonPolicy(const PolicyOptions& options);

}  // namespace rigshift::sched
