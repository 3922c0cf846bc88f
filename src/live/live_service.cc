#include "live/live_service.h"

#include <algorithm>
#include <chrono>

#include "workload/job_json.h"
#include "workload/speed_model.h"

namespace rigshift::live {

using control::Action;
using control::ActionKind;
using control::StopCause;
using econ::Mode;

// --- Recorder: the live World -------------------------------------------------------------

// Collects what the controller did to its world during one step, in order, for RecordAndAct to
// turn into recorded actions. Stops caused by a failure or a finished run are the backend's own
// doing (it reported them): they change job states but send nothing.
class LiveService::Recorder final : public control::World {
 public:
  struct Effect {
    enum class Kind : uint8_t { kStart, kStop, kMode } kind;
    int32_t job = -1;
    int32_t device = -1;
    Mode mode = Mode::kOff;
    StopCause cause = StopCause::kPreempted;
  };

  void ModeChanged(int32_t device, Mode /*from*/, Mode to) override {
    if (to == Mode::kAi) return;  // comes with the job's start
    effects_.push_back({Effect::Kind::kMode, -1, device, to, StopCause::kPreempted});
  }
  void JobStarted(int32_t job, TimePoint /*now*/) override {
    effects_.push_back({Effect::Kind::kStart, job, -1, Mode::kAi, StopCause::kPreempted});
    touched_.push_back(job);
  }
  void JobStopped(int32_t job, TimePoint /*now*/, StopCause cause, double /*lost*/) override {
    if (cause == StopCause::kPreempted || cause == StopCause::kCancelled) {
      effects_.push_back({Effect::Kind::kStop, job, -1, Mode::kIdle, cause});
    }
    touched_.push_back(job);
  }
  void JobCompleted(int32_t job, TimePoint /*now*/) override { touched_.push_back(job); }
  void Decision(const control::DecisionRecord& r) override { decisions_.push_back(r); }

  void Clear() {
    effects_.clear();
    touched_.clear();
    decisions_.clear();
  }
  bool empty() const { return effects_.empty() && touched_.empty() && decisions_.empty(); }
  std::vector<Effect> effects_;
  std::vector<int32_t> touched_;
  std::vector<control::DecisionRecord> decisions_;
};

struct LiveService::Snapshot {
  TimePoint time = 0;
  std::vector<Mode> mode;
  std::vector<uint8_t> up;
  std::vector<workload::JobId> job;
  std::vector<SiteLedger> sites;
  int64_t queued = 0;
  int64_t running = 0;
};

// --- Construction and recovery --------------------------------------------------------------

LiveService::LiveService(const fleet::Fleet& fleet, const fleet::FlatFleet& flat,
                         market::MarketData market, const workload::SpeedModel& speed,
                         store::Store* store, control::Backend* backend, server::Metrics* metrics,
                         const LiveOptions& options)
    : fleet_(fleet),
      flat_(flat),
      market_(std::move(market)),
      speed_(speed),
      store_(store),
      backend_(backend),
      metrics_(metrics),
      options_(options),
      ledger_(fleet, flat, options.policy.power) {
  device_ids_.reserve(flat.device_count());
  for (size_t d = 0; d < flat.device_count(); ++d) {
    device_ids_.push_back(fleet::DeviceStableId(flat, d));
    device_index_.emplace(device_ids_.back(), static_cast<int32_t>(d));
  }
}

LiveService::~LiveService() = default;

Result<std::unique_ptr<LiveService>> LiveService::Create(
    const fleet::Fleet& fleet, const fleet::FlatFleet& flat, market::MarketData market,
    const workload::SpeedModel& speed, store::Store* store, control::Backend* backend,
    server::Metrics* metrics, const LiveOptions& options) {
  std::unique_ptr<LiveService> s(
      new LiveService(fleet, flat, std::move(market), speed, store, backend, metrics, options));
  sched::PolicyOptions popts = options.policy;
  popts.speed = &speed;
  ASSIGN_OR_RETURN(s->policy_, sched::MakePolicy(options.policy_name, popts));
  s->options_.policy = popts;
  s->now_ = options.start;
  return s;
}

int32_t LiveService::DeviceIndex(std::string_view id) const {
  auto it = device_index_.find(std::string(id));
  return it == device_index_.end() ? -1 : it->second;
}

Status LiveService::BuildController() {
  recorder_ = std::make_unique<Recorder>();
  control::ControllerOptions copts = options_.control;
  controller_ = std::make_unique<control::Controller>(fleet_, flat_, *policy_, options_.policy,
                                                      copts, recorder_.get());
  job_index_.clear();
  RefreshMarket(now_);
  return Status::Ok();
}

void LiveService::RefreshMarket(TimePoint now) {
  {
    std::lock_guard<std::mutex> lock(pushed_mu_);
    for (const auto& p : pushed_) {
      const auto site = std::find_if(fleet_.sites.begin(), fleet_.sites.end(),
                                     [&](const fleet::Site& s) { return s.id == p.site; });
      if (site == fleet_.sites.end()) continue;
      auto& series = market_.electricity[site->tariff.market];
      if (series.values.empty()) {
        series.start = p.time - p.time % kHour;
        series.step = kHour;
      }
      if (p.time < series.start) continue;
      const auto idx = static_cast<size_t>((p.time - series.start) / series.step);
      if (idx >= series.values.size()) {
        const EnergyPrice last = series.values.empty() ? p.price : series.values.back();
        series.values.resize(idx + 1, last);
      }
      // From this step on: the pushed price holds until the next point.
      std::fill(series.values.begin() + static_cast<std::ptrdiff_t>(idx), series.values.end(),
                p.price);
    }
    pushed_.clear();
  }
  ledger_.SetPrices(market_, now);
  if (!options_.perfect_foresight) {
    forecast_ = market::ForecastMarket(market_, now, options_.forecast_horizon);
  }
  if (controller_) {
    controller_->SetMarket(&market_, options_.perfect_foresight ? nullptr : &forecast_);
    controller_->DropPlanner();
  }
  // The next step of any series a site buys on (or the hashprice) is the next price change.
  TimePoint next = now + kHour;
  auto consider = [&](TimePoint start, Duration step) {
    if (step <= 0) return;
    const TimePoint n = now < start ? start : start + ((now - start) / step + 1) * step;
    next = std::min(next, n);
  };
  for (const auto& site : fleet_.sites) {
    auto it = market_.electricity.find(site.tariff.market);
    if (it != market_.electricity.end()) consider(it->second.start, it->second.step);
  }
  consider(market_.hashprice.start, market_.hashprice.step);
  next_price_change_ = next;
  full_round_due_ = true;
}

Status LiveService::Recover() {
  ready_.store(false);
  // 1. What was recorded and not acknowledged is sent again; the backend deduplicates by key.
  ASSIGN_OR_RETURN(std::vector<store::ActionRecord> pending, store_->PendingActions());
  for (const auto& rec : pending) {
    ASSIGN_OR_RETURN(Action a, control::ActionFromJson(rec.payload));
    auto ack = backend_->Apply(a, std::max(now_, a.time));
    if (!ack.ok()) return ack.status();
    RETURN_IF_ERROR(store_->MarkAction(a.key, ack->outcome == control::AckOutcome::kRejected
                                                  ? store::ActionState::kFailed
                                                  : store::ActionState::kAcknowledged,
                                       ack->detail, now_));
  }
  // 2. The controller, rebuilt from the store's jobs and the backend's record.
  RETURN_IF_ERROR(BuildController());
  control::PollOptions po;
  po.snapshot = true;
  po.all_ended = true;
  ASSIGN_OR_RETURN(control::Telemetry t, backend_->Poll(now_, po));
  for (size_t d = 0; d < t.devices.size() && d < flat_.device_count(); ++d) {
    const auto& o = t.devices[d];
    ledger_.SetUp(static_cast<int32_t>(d), o.up);
    ledger_.SetMode(static_cast<int32_t>(d), o.mode);
    controller_->RestoreDevice(static_cast<int32_t>(d), o.up, o.mode);
  }
  std::map<workload::JobId, const control::RunObservation*> runs;
  for (const auto& r : t.runs) runs[r.job] = &r;
  std::map<workload::JobId, const control::JobEnd*> finished;
  for (const auto& e : t.ended) {
    if (e.finished) finished[e.job] = &e;
  }
  ASSIGN_OR_RETURN(std::vector<store::JobRecord> open_jobs, store_->OpenJobs());
  ASSIGN_OR_RETURN(auto txn, store_->Begin());
  for (const auto& rec : open_jobs) {
    ASSIGN_OR_RETURN(workload::Job job, workload::JobFromJson(rec.spec_json));
    job.id = rec.id;
    const int32_t j = controller_->AddJob(job);
    job_index_[rec.id] = j;
    if (auto f = finished.find(rec.id); f != finished.end()) {
      RETURN_IF_ERROR(txn->SetJobState(rec.id, store::JobState::kDone, f->second->time,
                                       "finished while the controller was down", {}, 0));
      controller_->RestoreDone(j);
      ++jobs_done_;
      continue;
    }
    if (auto r = runs.find(rec.id); r != runs.end()) {
      controller_->RestoreRunning(j, r->second->devices, r->second->run_start, rec.anchor,
                                  r->second->remaining_work, rec.preemptions);
      for (int32_t d : r->second->devices) {
        ledger_.SetAiPrice(d, sched::JobGpuHourPrice(job, *flat_.gpu[static_cast<size_t>(d)],
                                                     market_.gpu_prices));
      }
      continue;
    }
    if (rec.state == store::JobState::kRunning) {
      // The store says it runs, the backend has no such run: lost. It goes back to the queue
      // with what it kept at its last recorded checkpoint.
      RETURN_IF_ERROR(txn->SetJobState(rec.id, store::JobState::kQueued, now_,
                                       "the backend lost the run; requeued", {}, rec.remaining));
    }
    controller_->RestoreQueued(j, rec.remaining > 0 ? rec.remaining
                                                    : workload::SpeedModel::WorkUnits(job),
                               rec.submitted_at, rec.preemptions);
  }
  RETURN_IF_ERROR(txn->Commit());
  jobs_done_ += 0;
  needs_recover_ = false;
  full_round_due_ = true;
  next_epoch_ = now_;
  next_reconcile_ = now_ + options_.reconcile_every;
  ready_.store(true);
  Publish();
  return Status::Ok();
}

// --- One step -------------------------------------------------------------------------------

Status LiveService::Observe(TimePoint now, bool snapshot) {
  control::PollOptions po;
  po.snapshot = snapshot;
  auto polled = backend_->Poll(now, po);
  if (!polled.ok()) {
    if (metrics_) metrics_->AddBackendError(backend_->Describe().name);
    return polled.status();
  }
  const control::Telemetry& t = *polled;
  for (const auto& h : t.health) {
    ledger_.SetUp(h.device, h.up);
    if (h.up) {
      controller_->DeviceUp(h.device, h.time);
    } else {
      controller_->DeviceDown(h.device, h.time);
    }
    full_round_due_ = true;
  }
  for (const auto& e : t.ended) {
    auto it = job_index_.find(e.job);
    if (it == job_index_.end()) continue;
    const auto& js = controller_->job(it->second);
    if (e.finished) {
      if (js.phase == control::JobPhase::kRunning) {
        for (int32_t d : js.devices) ledger_.SetMode(d, Mode::kIdle);
        if (controller_->Complete(it->second, e.time)) full_round_due_ = true;
        ++jobs_done_;
      }
    }
    // A run stopped by a failure was requeued by DeviceDown above.
  }
  if (snapshot) RETURN_IF_ERROR(Reconcile(t, now));
  return Status::Ok();
}

Status LiveService::Intake(TimePoint now) {
  // Scheduled submissions (demo load) go through the same path as the API's.
  while (scheduled_next_ < scheduled_.size() && scheduled_[scheduled_next_].at <= now) {
    const ScheduledSubmission& s = scheduled_[scheduled_next_];
    server::Principal who{server::Role::kTenant, s.tenant};
    auto r = SubmitJob(who, s.spec, s.key);
    if (!r.ok() && r.status().code() == StatusCode::kUnavailable) break;  // retry next step
    ++scheduled_next_;
  }
  if (!intake_pending_.exchange(false)) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<store::JobRecord> open_jobs, store_->OpenJobs());
  for (const auto& rec : open_jobs) {
    auto known = job_index_.find(rec.id);
    if (known == job_index_.end()) {
      ASSIGN_OR_RETURN(workload::Job job, workload::JobFromJson(rec.spec_json));
      job.id = rec.id;
      job.arrival = rec.submitted_at;
      const int32_t j = controller_->AddJob(job);
      job_index_[rec.id] = j;
      if (controller_->Arrive(j, now)) full_round_due_ = true;
      known = job_index_.find(rec.id);
    }
    if (rec.cancel_requested) {
      const auto phase = controller_->job(known->second).phase;
      if (phase == control::JobPhase::kQueued || phase == control::JobPhase::kRunning) {
        if (controller_->Cancel(known->second, now)) full_round_due_ = true;
      }
    }
  }
  return Status::Ok();
}

void LiveService::Decide(TimePoint now) {
  if (now >= next_epoch_) {
    full_round_due_ = true;
    next_epoch_ = now + options_.epoch;
  }
  if (!full_round_due_) return;
  if (last_full_round_ != INT64_MIN && now - last_full_round_ < options_.min_decision_gap &&
      now < next_epoch_ - options_.epoch + options_.epoch) {
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  controller_->Decide(now, "round");
  if (metrics_) {
    metrics_->ObserveDecisionLatency(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  last_full_round_ = now;
  full_round_due_ = false;
}

Status LiveService::RecordAndAct(TimePoint now) {
  // Actions, in the order the controller took its decisions; contiguous devices switched to the
  // same mode travel in one action.
  std::vector<Action> actions;
  ASSIGN_OR_RETURN(auto txn, store_->Begin());
  const bool anything = !recorder_->empty();
  int64_t plan_id = 0;
  if (anything) {
    ASSIGN_OR_RETURN(plan_id, txn->InsertPlan(now, policy_->name(), "step"));
  }
  auto key = [&](const std::string& what) {
    return "p" + std::to_string(plan_id) + "/" + std::to_string(actions.size()) + "/" + what;
  };
  for (const auto& e : recorder_->effects_) {
    if (e.kind == Recorder::Effect::Kind::kMode) {
      if (!actions.empty() && actions.back().kind == ActionKind::kSetMode &&
          actions.back().mode == e.mode && actions.back().devices.back() + 1 == e.device) {
        actions.back().devices.push_back(e.device);
        actions.back().device_ids.push_back(device_ids_[static_cast<size_t>(e.device)]);
        continue;
      }
      Action a;
      a.kind = ActionKind::kSetMode;
      a.mode = e.mode;
      a.devices = {e.device};
      a.device_ids = {device_ids_[static_cast<size_t>(e.device)]};
      a.key = key(std::string("mode-") + econ::ModeName(e.mode));
      actions.push_back(std::move(a));
      continue;
    }
    const auto& js = controller_->job(e.job);
    Action a;
    a.job = *js.job;
    if (e.kind == Recorder::Effect::Kind::kStart) {
      a.kind = ActionKind::kStartJob;
      a.devices = js.devices;
      for (int32_t d : a.devices) a.device_ids.push_back(device_ids_[static_cast<size_t>(d)]);
      a.key = key("start-" + std::to_string(js.job->id));
    } else {
      a.kind = ActionKind::kStopJob;
      a.cause = e.cause;
      a.key = key("stop-" + std::to_string(js.job->id));
    }
    actions.push_back(std::move(a));
  }
  for (auto& a : actions) {
    a.plan_id = plan_id;
    a.time = now;
    RETURN_IF_ERROR(txn->InsertAction(a.key, plan_id, control::ActionKindName(a.kind),
                                      control::ActionToJson(a), now));
  }
  for (const auto& d : recorder_->decisions_) {
    RETURN_IF_ERROR(txn->InsertDecision(plan_id, d.time, d.trigger, d.subject, d.action, d.reason));
  }
  std::sort(recorder_->touched_.begin(), recorder_->touched_.end());
  recorder_->touched_.erase(std::unique(recorder_->touched_.begin(), recorder_->touched_.end()),
                            recorder_->touched_.end());
  for (int32_t j : recorder_->touched_) {
    const auto& js = controller_->job(j);
    store::JobState state = store::JobState::kQueued;
    switch (js.phase) {
      case control::JobPhase::kRunning: state = store::JobState::kRunning; break;
      case control::JobPhase::kDone: state = store::JobState::kDone; break;
      case control::JobPhase::kCancelled: state = store::JobState::kCancelled; break;
      case control::JobPhase::kUnplaceable: state = store::JobState::kUnplaceable; break;
      default: state = store::JobState::kQueued; break;
    }
    std::vector<std::string> ids;
    for (int32_t d : js.devices) ids.push_back(device_ids_[static_cast<size_t>(d)]);
    RETURN_IF_ERROR(txn->SetJobState(js.job->id, state, now, "", ids,
                                     controller_->RemainingAt(j, now), js.run_start, js.anchor,
                                     js.preemptions));
  }
  for (size_t s = 0; s < fleet_.sites.size(); ++s) {
    const SiteLedger& l = ledger_.sites()[s];
    RETURN_IF_ERROR(txn->SetRevenue(fleet_.sites[s].id, l.ai_revenue, l.mining_revenue,
                                    l.energy_cost, l.host_energy_cost));
  }
  RETURN_IF_ERROR(txn->SetMeta("clock", std::to_string(now)));
  RETURN_IF_ERROR(txn->Commit());
  recorder_->Clear();

  // Act: only what is recorded is sent.
  for (const auto& a : actions) {
    auto ack = backend_->Apply(a, now);
    if (!ack.ok()) {
      if (metrics_) metrics_->AddBackendError(backend_->Describe().name);
      return ack.status();  // stays pending in the store; sent again on recovery
    }
    const bool rejected = ack->outcome == control::AckOutcome::kRejected ||
                          ack->outcome == control::AckOutcome::kUnsupported;
    RETURN_IF_ERROR(store_->MarkAction(a.key,
                                       rejected ? store::ActionState::kFailed
                                                : store::ActionState::kAcknowledged,
                                       ack->detail, now));
    if (rejected) full_round_due_ = true;
    if (a.kind == ActionKind::kStartJob) {
      const auto& js = controller_->job(job_index_[a.job.id]);
      for (int32_t d : a.devices) {
        ledger_.SetAiPrice(d, sched::JobGpuHourPrice(*js.job, *flat_.gpu[static_cast<size_t>(d)],
                                                     market_.gpu_prices));
        ledger_.SetMode(d, Mode::kAi);
      }
    } else if (a.kind == ActionKind::kSetMode) {
      for (int32_t d : a.devices) {
        if (ledger_.up(d)) ledger_.SetMode(d, a.mode);
      }
    } else {
      // A stop leaves the devices idle until the next action says otherwise.
      const auto& js = controller_->job(job_index_[a.job.id]);
      (void)js;
    }
  }
  return Status::Ok();
}

Status LiveService::Reconcile(const control::Telemetry& t, TimePoint now) {
  next_reconcile_ = now + options_.reconcile_every;
  // Devices: what the backend reports is what is billed; a device in another mode than decided
  // (and not in a run) gets a corrective action, and the drift is recorded.
  int64_t drifted = 0;
  for (size_t d = 0; d < t.devices.size() && d < flat_.device_count(); ++d) {
    const auto di = static_cast<int32_t>(d);
    const auto& o = t.devices[d];
    ledger_.SetMode(di, o.mode);
    const Mode want = controller_->mode(di);
    if (o.up && o.job == 0 && want != Mode::kAi && o.mode != want) {
      recorder_->effects_.push_back({Recorder::Effect::Kind::kMode, -1, di, want, StopCause::kPreempted});
      ++drifted;
    }
  }
  // Runs: one the controller thinks is running and the backend does not have is lost.
  std::map<workload::JobId, bool> backend_runs;
  for (const auto& r : t.runs) backend_runs[r.job] = true;
  for (int32_t j : std::vector<int32_t>(controller_->running().begin(), controller_->running().end())) {
    const auto& js = controller_->job(j);
    if (js.run_start >= now) continue;  // started this step; not yet visible
    if (!backend_runs.count(js.job->id)) {
      controller_->Lose(j, now);
      full_round_due_ = true;
      ++drifted;
    }
  }
  if (drifted > 0) {
    recorder_->decisions_.push_back(
        {now, std::string(policy_->name()), "reconcile", "fleet", "drift",
         std::to_string(drifted) + " devices or runs found other than decided; corrected"});
    if (metrics_) metrics_->AddActionsDrifted(drifted);
  }
  return Status::Ok();
}

Status LiveService::Step(TimePoint now) {
  if (needs_recover_) {
    now_ = std::max(now_, now);
    Status s = Recover();
    if (!s.ok()) {
      needs_recover_ = true;
      return s;
    }
  }
  now = std::max(now, now_);
  ledger_.Advance(now);
  now_ = now;
  Status s = Observe(now, now >= next_reconcile_);
  if (s.ok()) s = Intake(now);
  if (s.ok()) {
    if (now >= next_price_change_ || !pushed_.empty()) RefreshMarket(now);
    Decide(now);
    s = RecordAndAct(now);
  }
  if (!s.ok()) {
    // What the controller holds in memory may be ahead of what is recorded: rebuild from the
    // record before acting again.
    ready_.store(false);
    needs_recover_ = true;
    Publish();
    return s;
  }
  Publish();
  return Status::Ok();
}

TimePoint LiveService::NextDue() const {
  TimePoint next = std::min(next_epoch_, next_price_change_);
  if (auto b = backend_->NextEvent()) next = std::min(next, *b);
  if (scheduled_next_ < scheduled_.size()) next = std::min(next, scheduled_[scheduled_next_].at);
  if (full_round_due_ || intake_pending_.load()) next = std::min(next, now_);
  return std::max(next, now_);
}

void LiveService::ScheduleSubmissions(std::vector<ScheduledSubmission> submissions) {
  std::stable_sort(submissions.begin(), submissions.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  scheduled_ = std::move(submissions);
  scheduled_next_ = 0;
}

// --- Snapshot and reads -----------------------------------------------------------------------

void LiveService::Publish() {
  auto snap = std::make_shared<Snapshot>();
  snap->time = now_;
  const size_t n = flat_.device_count();
  snap->mode.resize(n);
  snap->up.resize(n);
  snap->job.resize(n);
  for (size_t d = 0; d < n; ++d) {
    snap->mode[d] = ledger_.mode(static_cast<int32_t>(d));
    snap->up[d] = ledger_.up(static_cast<int32_t>(d)) ? 1 : 0;
    const int32_t j = controller_ ? controller_->device_job(static_cast<int32_t>(d)) : -1;
    snap->job[d] = j >= 0 ? controller_->job(j).job->id : 0;
  }
  snap->sites = ledger_.sites();
  if (controller_) {
    snap->queued = controller_->queued_count();
    snap->running = static_cast<int64_t>(controller_->running().size());
  }
  if (metrics_) {
    for (size_t s = 0; s < fleet_.sites.size(); ++s) {
      const SiteLedger& l = snap->sites[s];
      const std::string& id = fleet_.sites[s].id;
      for (int m = 0; m < kModes; ++m) {
        metrics_->SetDeviceModeCount(id, econ::ModeName(static_cast<Mode>(m)), l.devices[static_cast<size_t>(m)]);
      }
      metrics_->SetSitePower(id, l.facility_power, fleet_.sites[s].grid_cap);
      metrics_->SetSitePrice(id, l.prices.energy, l.prices.hashprice);
    }
    metrics_->SetQueue(snap->queued, snap->running);
  }
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = std::move(snap);
}

}  // namespace rigshift::live
