// The event loop: setup, events and decision points (sim/engine.h). The controller
// (control/controller.h) keeps the jobs and devices and applies the policy's plans; this file
// decides when, on virtual time.
#include "sim/engine.h"

#include <algorithm>
#include <cmath>

#include "sim/engine_internal.h"

namespace rigshift::sim {

const char* EventKindName(EventKind k) {
  switch (k) {
    case EventKind::kPriceChange:
      return "price";
    case EventKind::kDeviceRepair:
      return "repair";
    case EventKind::kDeviceFailure:
      return "failure";
    case EventKind::kDemandResponseStart:
      return "dr-start";
    case EventKind::kDemandResponseEnd:
      return "dr-end";
    case EventKind::kJobCompletion:
      return "completion";
    case EventKind::kJobArrival:
      return "arrival";
    case EventKind::kRoundEnd:
      return "round";
    case EventKind::kEpoch:
      return "epoch";
    case EventKind::kEnd:
      return "end";
  }
  return "?";
}

EngineOptions EngineOptions::GavelRounds(Duration round_length) {
  EngineOptions o;
  o.round_length = round_length;
  o.round_ends_when_work_ends = true;
  o.epoch = 0;
  o.min_decision_gap = 0;
  o.run_until_drained = true;
  o.preemption_costs = false;
  o.economics = false;
  o.failures.enabled = false;
  return o;
}

namespace internal {

using econ::Mode;
using workload::Job;

Status Engine::Validate() const {
  if (in_.flat == nullptr || in_.fleet == nullptr || in_.jobs == nullptr || in_.speed == nullptr) {
    return Status::InvalidArgument("simulate: fleet, jobs and speed model are required");
  }
  if (opts_.economics && in_.market == nullptr) {
    return Status::InvalidArgument("simulate: market data are required when economics are on");
  }
  if (flat_.device_count() == 0)
    return Status::InvalidArgument("simulate: the fleet has no devices");
  if (opts_.end <= opts_.start) {
    return Status::InvalidArgument("simulate: empty window (the end must be after the start)");
  }
  if (opts_.economics) {
    for (const auto& site : in_.fleet->sites) {
      const std::string& m = site.tariff.market;
      if (m != "fixed" &&
          (!in_.market->electricity.count(m) || in_.market->electricity.at(m).empty())) {
        return Status::NotFound("simulate: site '" + site.id + "' uses market '" + m +
                                "' but no price series of that name was loaded");
      }
    }
  }
  return Status::Ok();
}

Status Engine::Setup() {
  RETURN_IF_ERROR(Validate());
  control::ControllerOptions copts = opts_;
  // Round mode replans only at round boundaries, as Gavel does: no incremental planner.
  copts.incremental = opts_.incremental && opts_.round_length <= 0;
  ctl_ = std::make_unique<control::Controller>(*in_.fleet, flat_, *in_.speed, policy_, copts, this);
  ctl_->SetMarket(in_.market, nullptr);
  ctl_->SetRecording(opts_.timeline != nullptr);
  const size_t n = flat_.device_count();
  device_ai_price_.assign(n, 0);
  node_active_.assign(flat_.node_count(), 0);
  sites_.assign(in_.fleet->sites.size(), SiteState{});
  BuildGroups();
  if (opts_.economics) RefreshPrices(opts_.start);
  RETURN_IF_ERROR(AddJobs());
  if (opts_.economics) {
    SchedulePrices();
    BuildDemandResponse();
  }
  if (opts_.failures.enabled) ScheduleFailures();
  if (opts_.round_length <= 0 && opts_.epoch > 0) Push(opts_.start, EventKind::kEpoch, 0);
  Push(opts_.end, EventKind::kEnd, 0);
  now_ = opts_.start;
  next_progress_ = opts_.start + kDay;
  result_.policy = std::string(policy_.name());
  result_.start = opts_.start;
  if (opts_.keep_job_records) result_.job_records.resize(sorted_jobs_.size());
  return Status::Ok();
}

Status Engine::AddJobs() {
  // In (arrival, id) order; arrivals outside [start, end) are not simulated.
  for (const auto& j : *in_.jobs) {
    if (j.arrival >= opts_.start && j.arrival < opts_.end) sorted_jobs_.push_back(&j);
  }
  std::stable_sort(sorted_jobs_.begin(), sorted_jobs_.end(), [](const Job* a, const Job* b) {
    return a->arrival != b->arrival ? a->arrival < b->arrival : a->id < b->id;
  });
  for (const Job* job : sorted_jobs_) {
    Result<int32_t> j = ctl_->AddJob(*job);
    if (!j.ok()) return Status::InvalidArgument("simulate: " + j.status().message());
    Push(job->arrival, EventKind::kJobArrival, *j);
  }
  arrivals_pending_ = static_cast<int64_t>(sorted_jobs_.size());
  return Status::Ok();
}

void Engine::SchedulePrices() {
  auto add = [&](const auto& series) {
    if (series.empty() || series.values.size() < 2) return;
    series_.push_back({series.start, series.step, series.end()});
  };
  std::vector<std::string> used;
  for (const auto& site : in_.fleet->sites) used.push_back(site.tariff.market);
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  for (const auto& m : used) {
    if (m != "fixed") add(in_.market->electricity.at(m));
  }
  add(in_.market->hashprice);
  for (const auto& [alg, s] : in_.market->gpu_mining) add(s);
  for (size_t i = 0; i < series_.size(); ++i) ScheduleNextPriceChange(i, opts_.start);
}

void Engine::ScheduleFailures() {
  for (size_t d = 0; d < flat_.device_count(); ++d) {
    bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
    double mtbf = (asic ? opts_.failures.asic_mtbf_hours : opts_.failures.gpu_mtbf_hours) * 3600.0;
    if (mtbf <= 0) continue;
    double at = static_cast<double>(opts_.start) + std::ceil(rng_fail_.Exponential(mtbf));
    if (at < static_cast<double>(opts_.end)) {
      Push(static_cast<TimePoint>(at), EventKind::kDeviceFailure, static_cast<int64_t>(d));
    }
  }
}

void Engine::ScheduleNextPriceChange(size_t i, TimePoint after) {
  const SeriesRef& s = series_[i];
  TimePoint next;
  if (after < s.start) {
    next = s.start;
  } else {
    next = s.start + ((after - s.start) / s.step + 1) * s.step;
  }
  if (next >= s.end) return;  // values clamp beyond the series: no more changes
  if (next >= opts_.end && !opts_.run_until_drained) return;
  Push(next, EventKind::kPriceChange, static_cast<int64_t>(i));
}

void Engine::BuildDemandResponse() {
  dr_ = opts_.extra_dr_events;
  if (opts_.demand_response.enabled) {
    for (size_t s = 0; s < in_.fleet->sites.size(); ++s) BuildDemandResponseOfSite(s);
  }
  std::stable_sort(dr_.begin(), dr_.end(),
                   [](const DemandResponseEvent& a, const DemandResponseEvent& b) {
                     return std::tie(a.start, a.site) < std::tie(b.start, b.site);
                   });
  for (size_t i = 0; i < dr_.size(); ++i) {
    if (dr_[i].end <= dr_[i].start || dr_[i].site < 0 ||
        static_cast<size_t>(dr_[i].site) >= sites_.size()) {
      continue;
    }
    Push(dr_[i].start, EventKind::kDemandResponseStart, static_cast<int64_t>(i));
    Push(dr_[i].end, EventKind::kDemandResponseEnd, static_cast<int64_t>(i));
  }
}

void Engine::BuildDemandResponseOfSite(size_t s) {
  const auto& p = opts_.demand_response;
  const auto& site = in_.fleet->sites[s];
  auto it = in_.market->electricity.find(site.tariff.market);
  if (it == in_.market->electricity.end()) return;
  const auto& series = it->second;
  TimePoint run_start = -1;
  TimePoint t0 = std::max(opts_.start, series.start);
  // Walk the steps that overlap the window.
  TimePoint t =
      series.start + std::max<int64_t>(0, (t0 - series.start) / series.step) * series.step;
  for (; t < opts_.end && t < series.end(); t += series.step) {
    bool hot = series.At(t) >= p.trigger;
    if (hot && run_start < 0) run_start = std::max(t, opts_.start);
    if (!hot && run_start >= 0) {
      dr_.push_back({static_cast<int32_t>(s), run_start, t,
                     site.grid_cap.Scaled(p.cap_permille, 1000), p.credit,
                     "price >= " + std::to_string(static_cast<int64_t>(ToUsdPerMwh(p.trigger))) +
                         " USD/MWh"});
      run_start = -1;
    }
  }
  if (run_start >= 0) {
    dr_.push_back({static_cast<int32_t>(s), run_start, std::min(t, opts_.end),
                   site.grid_cap.Scaled(p.cap_permille, 1000), p.credit, "price spike"});
  }
}

Result<SimResult> Engine::Run() {
  RETURN_IF_ERROR(Setup());
  const TimePoint drain_limit = opts_.end + 10 * 365 * kDay;
  while (!events_.empty()) {
    const TimePoint t = events_.top().time;
    if (t > drain_limit) break;
    Advance(t);
    Batch batch;
    while (!events_.empty() && events_.top().time == t) {
      const Event e = events_.top();
      events_.pop();
      ++result_.stats.events;
      Handle(e, t, batch);
    }
    if (batch.stop) break;
    if (opts_.round_length > 0) {
      EndRoundBatch(t, batch);
    } else if (batch.decide) {
      EndEventBatch(t, batch);
    }
    if (opts_.progress && t >= next_progress_) {
      opts_.progress(t);
      next_progress_ = t + kDay;
    }
    if (Drained()) break;
  }
  return Finish();
}

void Engine::Handle(const Event& e, TimePoint t, Batch& batch) {
  switch (e.kind) {
    case EventKind::kPriceChange:
      ctl_->DropPlanner();  // the planner's economics are the last round's prices
      RefreshPrices(t);
      ScheduleNextPriceChange(static_cast<size_t>(e.id), t);
      batch.Mark(opts_.decide_on.price_change, "price");
      break;
    case EventKind::kDeviceRepair:
      OnRepair(e, t, batch);
      break;
    case EventKind::kDeviceFailure:
      OnFailure(e, t, batch);
      break;
    case EventKind::kDemandResponseStart:
      OnDemandResponseStart(e, t, batch);
      break;
    case EventKind::kDemandResponseEnd: {
      const DemandResponseEvent& ev = dr_[static_cast<size_t>(e.id)];
      sites_[static_cast<size_t>(ev.site)].dr_active = false;
      ctl_->SetSiteCapOverride(ev.site, Power());
      batch.Mark(opts_.decide_on.demand_response, "demand-response");
      break;
    }
    case EventKind::kJobCompletion:
      OnCompletion(e, t, batch);
      break;
    case EventKind::kJobArrival:
      OnArrival(e, t, batch);
      break;
    case EventKind::kRoundEnd:
      if (round_active_ && e.id == round_id_) batch.round_boundary = true;
      break;
    case EventKind::kEpoch:
      if (e.id == 0) {
        TimePoint next = t + opts_.epoch;
        if (next < opts_.end || opts_.run_until_drained) Push(next, EventKind::kEpoch, 0);
        batch.Mark(true, "epoch");
      } else {
        deferred_pending_ = false;
        batch.Mark(true, "deferred");
      }
      break;
    case EventKind::kEnd:
      ended_ = true;
      if (!opts_.run_until_drained) batch.stop = true;
      break;
  }
}

void Engine::OnRepair(const Event& e, TimePoint t, Batch& batch) {
  const size_t d = static_cast<size_t>(e.id);
  const bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
  Group& g = groups_[static_cast<size_t>(device_group_[d])];
  g.down--;
  g.count[static_cast<size_t>(Mode::kOff)]++;
  --devices_down_;
  const bool full_round = ctl_->DeviceUp(static_cast<int32_t>(d), t);
  double mtbf = (asic ? opts_.failures.asic_mtbf_hours : opts_.failures.gpu_mtbf_hours) * 3600.0;
  TimePoint next = t + static_cast<TimePoint>(std::ceil(rng_fail_.Exponential(mtbf)));
  if (next < opts_.end) Push(next, EventKind::kDeviceFailure, e.id);
  job_set_changed_ = true;
  batch.Mark(full_round, "repair");
  if (opts_.round_length > 0 && !round_active_) batch.round_boundary = true;
}

void Engine::OnFailure(const Event& e, TimePoint t, Batch& batch) {
  const size_t d = static_cast<size_t>(e.id);
  if (!ctl_->up(static_cast<int32_t>(d))) return;
  ++result_.stats.device_failures;
  const bool full_round =
      ctl_->DeviceDown(static_cast<int32_t>(d), t, "hardware failure (random, MTBF model)");
  Group& g = groups_[static_cast<size_t>(device_group_[d])];
  g.count[static_cast<size_t>(Mode::kOff)]--;
  g.down++;
  ++devices_down_;
  bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
  double mttr = (asic ? opts_.failures.asic_mttr_hours : opts_.failures.gpu_mttr_hours) * 3600.0;
  Push(t + std::max<TimePoint>(1, static_cast<TimePoint>(std::ceil(rng_fail_.Exponential(mttr)))),
       EventKind::kDeviceRepair, e.id);
  job_set_changed_ = true;
  batch.Mark(full_round, "failure");
}

void Engine::OnDemandResponseStart(const Event& e, TimePoint t, Batch& batch) {
  const DemandResponseEvent& ev = dr_[static_cast<size_t>(e.id)];
  SiteState& st = sites_[static_cast<size_t>(ev.site)];
  st.dr_baseline = SiteFacilityPower(static_cast<size_t>(ev.site));
  st.dr_active = true;
  // PolicyInput reads a zero cap as "no override": a full curtailment is 1 mW.
  ctl_->SetSiteCapOverride(ev.site, std::max(ev.cap, Milliwatts(1)));
  st.dr_credit = ev.credit;
  ++result_.stats.dr_events;
  batch.Mark(opts_.decide_on.demand_response, "demand-response");
  ctl_->Record(t, "demand-response", "site " + in_.fleet->sites[static_cast<size_t>(ev.site)].id,
               "cap " + FormatPower(ev.cap), ev.program);
}

void Engine::OnCompletion(const Event& e, TimePoint t, Batch& batch) {
  const auto j = static_cast<int32_t>(e.id);
  const control::JobState& js = ctl_->job(j);
  if (js.phase != control::JobPhase::kRunning || js.generation != e.generation) return;  // stale
  batch.Mark(ctl_->Complete(j, t), "completion");
  job_set_changed_ = true;
  if (opts_.round_length > 0 && round_active_ && ctl_->running().empty() &&
      opts_.round_ends_when_work_ends) {
    batch.round_boundary = true;
  }
}

void Engine::OnArrival(const Event& e, TimePoint t, Batch& batch) {
  --arrivals_pending_;
  ++result_.jobs.arrived;
  const auto j = static_cast<int32_t>(e.id);
  const bool full_round = ctl_->Arrive(j, t);
  if (ctl_->job(j).phase == control::JobPhase::kUnplaceable) {
    ++result_.jobs.unplaceable;
    return;
  }
  job_set_changed_ = true;
  batch.Mark(full_round, "arrival");
  if (opts_.round_length > 0 && !round_active_) batch.round_boundary = true;
}

void Engine::DecideNow(TimePoint t, const char* trigger) {
  last_decision_ = t;
  job_set_changed_ = false;
  // What the policy may know of the future at this round: a forecast from past data, or (no
  // forecaster) the true prices.
  if (in_.forecast) ctl_->SetMarket(in_.market, in_.forecast(t));
  ctl_->Decide(t, trigger);
}

void Engine::EndRoundBatch(TimePoint t, const Batch& batch) {
  if (!batch.round_boundary) return;
  // min_decision_gap in round mode (Gavel's minimum_time_between_allocation_resets): a changed
  // job set is replanned only once the gap since the last decision has passed; until then the
  // last plan stands (docs/gavel-fidelity.md).
  const bool gap_passed = opts_.min_decision_gap <= 0 || last_decision_ == INT64_MIN ||
                          t >= last_decision_ + opts_.min_decision_gap;
  if ((job_set_changed_ && gap_passed) || opts_.decide_every_round) DecideNow(t, "round");
  if (!ctl_->running().empty()) {
    round_active_ = true;
    ++round_id_;
    Push(t + opts_.round_length, EventKind::kRoundEnd, round_id_);
  } else if (job_set_changed_ && ctl_->queued_count() > 0) {
    // Nothing runs and the gap holds the next plan back: the next round starts when the gap has
    // passed (or earlier arrivals wait for it, as they would inside a round).
    round_active_ = true;
    ++round_id_;
    Push(last_decision_ + opts_.min_decision_gap, EventKind::kRoundEnd, round_id_);
  } else {
    round_active_ = false;
  }
}

void Engine::EndEventBatch(TimePoint t, const Batch& batch) {
  if (opts_.min_decision_gap > 0 && last_decision_ != INT64_MIN &&
      t < last_decision_ + opts_.min_decision_gap) {
    if (!deferred_pending_) {
      deferred_pending_ = true;
      Push(last_decision_ + opts_.min_decision_gap, EventKind::kEpoch, 1);
    }
  } else {
    DecideNow(t, batch.trigger);
  }
}

bool Engine::Drained() const {
  // Drained, or nothing left that could ever change. (A round held back by min_decision_gap,
  // with nothing running, is still to come.)
  return ended_ && opts_.run_until_drained && ctl_->running().empty() && arrivals_pending_ == 0 &&
         !round_active_ && (ctl_->queued_count() == 0 || devices_down_ == 0);
}

}  // namespace internal

Result<SimResult> Simulate(const SimInputs& inputs, const sched::Policy& policy,
                           const sched::PolicyOptions& /*policy_options*/,
                           const EngineOptions& options) {
  internal::Engine engine(inputs, policy, options);
  return engine.Run();
}

}  // namespace rigshift::sim
