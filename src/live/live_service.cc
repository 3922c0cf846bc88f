#include "live/live_service.h"

#include "market/forecast.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <random>
#include <string>

#include "workload/speed_model.h"

namespace rigshift::live {

using control::Action;
using control::ActionKind;
using control::StopCause;
using econ::Mode;

namespace {

// Fault injection for the crash tests: RIGSHIFT_FAULT=NAME:P kills the process with SIGKILL at
// the point NAME with probability P (as a power cut would), so that a test can die between
// recording and acting far more often than random timing alone would.
void FaultPoint(const char* name) {
  static const char* spec = std::getenv("RIGSHIFT_FAULT");
  if (spec == nullptr) return;
  const std::string s(spec);
  const auto colon = s.find(':');
  if (s.substr(0, colon) != name) return;
  const double p = colon == std::string::npos ? 1.0 : std::atof(s.c_str() + colon + 1);
  static std::mt19937_64 rng(std::random_device{}());
  if (std::uniform_real_distribution<double>(0, 1)(rng) < p) std::raise(SIGKILL);
}

}  // namespace

// --- Recorder: the live World -------------------------------------------------------------

// Collects what the controller did to its world during one step, in order, for Record to turn
// into actions. Stops caused by a failure and runs that finished are the backend's own doing (it
// reported them): they change job states but send nothing.
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
    effects.push_back({Effect::Kind::kMode, -1, device, to, StopCause::kPreempted});
  }
  void JobStarted(int32_t job, TimePoint /*now*/) override {
    effects.push_back({Effect::Kind::kStart, job, -1, Mode::kAi, StopCause::kPreempted});
    touched.push_back(job);
  }
  void JobStopped(int32_t job, TimePoint /*now*/, StopCause cause, double /*lost*/) override {
    if (cause != StopCause::kFailure) {
      effects.push_back({Effect::Kind::kStop, job, -1, Mode::kIdle, cause});
    }
    touched.push_back(job);
  }
  void JobCompleted(int32_t job, TimePoint /*now*/) override { touched.push_back(job); }
  void Decision(const control::DecisionRecord& r) override { decisions.push_back(r); }

  void Clear() {
    effects.clear();
    touched.clear();
    decisions.clear();
  }
  bool empty() const { return effects.empty() && touched.empty() && decisions.empty(); }

  std::vector<Effect> effects;
  std::vector<int32_t> touched;  // job indices whose state changed
  std::vector<control::DecisionRecord> decisions;
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
  persisted_money_.assign(fleet.sites.size(), {});
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
  // The inventory the API and the decisions name devices by.
  std::vector<store::DeviceInventory> inventory;
  inventory.reserve(flat.device_count());
  for (size_t d = 0; d < flat.device_count(); ++d) {
    const bool asic = flat.kind[d] == catalog::DeviceKind::kAsic;
    inventory.push_back({s->device_ids_[d], fleet.sites[static_cast<size_t>(flat.site[d])].id,
                         asic ? "asic" : "gpu",
                         flat.gpu[d] ? flat.gpu[d]->name : (flat.asic[d] ? flat.asic[d]->name : "")});
  }
  RETURN_IF_ERROR(store->SyncDevices(inventory, options.start));
  RETURN_IF_ERROR(s->EnsureTenant("operator"));
  return s;
}

Status LiveService::EnsureTenant(const std::string& name) {
  if (store_->GetTenant(name).ok()) return Status::Ok();
  auto t = store_->CreateTenant(name, now_);
  if (!t.ok() && t.status().code() != StatusCode::kAlreadyExists) return t.status();
  return Status::Ok();
}

int32_t LiveService::DeviceIndex(std::string_view id) const {
  auto it = device_index_.find(std::string(id));
  return it == device_index_.end() ? -1 : it->second;
}

int32_t LiveService::AddJob(const workload::Job& job) {
  jobs_.push_back(job);
  auto j = controller_->AddJob(jobs_.back());
  RS_CHECK(j.ok());  // store ids are unique
  job_index_[job.id] = *j;
  return *j;
}

void LiveService::BuildController() {
  recorder_ = std::make_unique<Recorder>();
  controller_ = std::make_unique<control::Controller>(fleet_, flat_, speed_, *policy_,
                                                      options_.control, recorder_.get());
  controller_->SetRecording(true);
  job_index_.clear();
  jobs_.clear();
  unconfirmed_.clear();
  RefreshMarket(now_);
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
      // From this step on: the pushed price holds until a later point says otherwise.
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
  // The next step of any series a site buys on (or of the hashprice) is the next price change.
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
  // 1. What was recorded and not yet acknowledged is sent again; the backend deduplicates by
  // key, so an action that did reach it before the crash is not applied twice.
  ASSIGN_OR_RETURN(std::vector<store::ActionRecord> pending, store_->PendingActions());
  std::vector<std::pair<int64_t, control::ActionAck>> acks;
  std::vector<Unconfirmed> acknowledged;
  for (const auto& rec : pending) {
    ASSIGN_OR_RETURN(Action a, control::ActionFromJson(rec.request.payload_json));
    if (rec.state == store::ActionState::kAcknowledged) {
      acknowledged.push_back({rec.id, std::move(a)});
      continue;
    }
    ASSIGN_OR_RETURN(control::ActionAck ack, backend_->Apply(a, std::max(now_, a.time)));
    acks.emplace_back(rec.id, ack);
  }
  const Status written = store_->Write([&](store::Transaction& txn) -> Status {
    for (const auto& [id, ack] : acks) {
      const bool rejected = ack.outcome == control::AckOutcome::kRejected ||
                            ack.outcome == control::AckOutcome::kUnsupported;
      RETURN_IF_ERROR(txn.TransitionAction(id, store::ActionState::kSent, now_, ""));
      RETURN_IF_ERROR(txn.TransitionAction(
          id, rejected ? store::ActionState::kFailed : store::ActionState::kAcknowledged, now_,
          ack.detail));
    }
    return Status::Ok();
  });
  RETURN_IF_ERROR(written);
  // 2. Money so far.
  ASSIGN_OR_RETURN(std::vector<store::RevenueCounter> revenue, store_->Revenue());
  // 3. The controller, rebuilt from the store's jobs and the backend's record.
  BuildController();
  for (const auto& rc : revenue) {
    for (size_t s = 0; s < fleet_.sites.size(); ++s) {
      if (fleet_.sites[s].id != rc.site) continue;
      SiteLedger& l = ledger_.mutable_site(s);
      switch (rc.kind) {
        case store::RevenueKind::kAi: l.ai_revenue = rc.amount; persisted_money_[s][0] = rc.amount; break;
        case store::RevenueKind::kMining: l.mining_revenue = rc.amount; persisted_money_[s][1] = rc.amount; break;
        case store::RevenueKind::kEnergy: l.energy_before_restart = rc.amount; persisted_money_[s][2] = rc.amount; break;
        default: break;
      }
    }
  }
  unconfirmed_ = std::move(acknowledged);
  control::PollOptions po;
  po.snapshot = true;
  po.all_ended = true;
  ASSIGN_OR_RETURN(control::Telemetry t, backend_->Poll(now_, po));
  for (size_t d = 0; d < t.devices.size() && d < flat_.device_count(); ++d) {
    const auto& o = t.devices[d];
    const auto di = static_cast<int32_t>(d);
    ledger_.SetUp(di, o.up);
    ledger_.SetMode(di, o.mode);
    // A device in a run is restored with its job below.
    RETURN_IF_ERROR(controller_->RestoreDevice(di, o.job != 0 ? Mode::kIdle : o.mode, o.up));
  }
  RETURN_IF_ERROR(RestoreJobs(t));
  needs_recover_ = false;
  full_round_due_ = true;
  next_epoch_ = now_;
  next_reconcile_ = now_ + options_.reconcile_every;
  ready_.store(true);
  Publish();
  return Status::Ok();
}

Status LiveService::RestoreJobs(const control::Telemetry& t) {
  std::map<workload::JobId, const control::RunObservation*> runs;
  for (const auto& r : t.runs) runs[r.job] = &r;
  std::map<workload::JobId, const control::JobEnd*> finished;
  for (const auto& e : t.ended) {
    if (e.finished) finished[e.job] = &e;
  }
  std::vector<store::JobRecord> open_jobs;
  for (store::JobState state : {store::JobState::kQueued, store::JobState::kRunning}) {
    store::JobFilter f;
    f.state = state;
    f.page.limit = store::kMaxPageSize;
    while (true) {
      ASSIGN_OR_RETURN(auto page, store_->ListJobs(f));
      for (auto& r : page.items) open_jobs.push_back(std::move(r));
      if (!page.next_after_id) break;
      f.page.after_id = *page.next_after_id;
    }
  }
  std::sort(open_jobs.begin(), open_jobs.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  // New submissions are those after the largest open id (intake skips any that ended since).
  last_intake_id_ = open_jobs.empty() ? 0 : open_jobs.back().id;
  return store_->Write([&](store::Transaction& txn) -> Status {
    for (const auto& rec : open_jobs) {
      workload::Job job = rec.spec;
      job.id = rec.id;
      if (auto f = finished.find(rec.id); f != finished.end()) {
        if (rec.state == store::JobState::kQueued) {
          RETURN_IF_ERROR(txn.TransitionJob(rec.id, store::JobState::kRunning, f->second->time, ""));
        }
        RETURN_IF_ERROR(txn.TransitionJob(rec.id, store::JobState::kDone, f->second->time,
                                          "finished while the controller was down"));
        ++jobs_done_;
        continue;
      }
      const int32_t j = AddJob(job);
      if (auto r = runs.find(rec.id); r != runs.end()) {
        control::RestoredRun run;
        run.devices = r->second->devices;
        run.run_start = r->second->run_start;
        run.anchor = std::max(r->second->run_start, rec.progress.last_checkpoint.value_or(r->second->run_start));
        // The backend knows the progress; the controller counts from now on.
        run.anchor = std::max(run.anchor, now_);
        run.remaining = r->second->remaining_work;
        run.attained_gpu_seconds = rec.progress.attained_gpu_seconds;
        run.preemptions = rec.progress.preemptions;
        RETURN_IF_ERROR(controller_->RestoreRunning(j, run));
        for (int32_t d : run.devices) {
          ledger_.SetAiPrice(d, sched::JobGpuHourPrice(job, *flat_.gpu[static_cast<size_t>(d)],
                                                       market_.gpu_prices));
          ledger_.SetMode(d, Mode::kAi);
        }
        if (rec.state == store::JobState::kQueued) {
          RETURN_IF_ERROR(txn.TransitionJob(rec.id, store::JobState::kRunning, now_,
                                            "found running on the backend"));
        }
        continue;
      }
      if (rec.state == store::JobState::kRunning) {
        // The store says it runs, the backend has no such run: lost. It waits again, from what
        // it kept at its last recorded checkpoint.
        RETURN_IF_ERROR(txn.TransitionJob(rec.id, store::JobState::kQueued, now_,
                                          "the backend has no run of it: requeued"));
      }
      control::RestoredWait wait;
      wait.queued_since = rec.submitted_at;
      wait.remaining = rec.progress.remaining_work > 0 ? rec.progress.remaining_work
                                                       : workload::SpeedModel::WorkUnits(job);
      wait.attained_gpu_seconds = rec.progress.attained_gpu_seconds;
      wait.preemptions = rec.progress.preemptions;
      wait.needs_restore = rec.progress.preemptions > 0;
      RETURN_IF_ERROR(controller_->RestoreQueued(j, wait));
      if (rec.cancel_requested) controller_->Cancel(j, now_);
    }
    return Status::Ok();
  });
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
  // Ends and health changes in time order, as they happened.
  size_t e = 0, h = 0;
  while (e < t.ended.size() || h < t.health.size()) {
    const bool take_health =
        h < t.health.size() && (e >= t.ended.size() || t.health[h].time < t.ended[e].time);
    if (take_health) {
      const auto& c = t.health[h++];
      ledger_.SetUp(c.device, c.up);
      const bool due = c.up ? controller_->DeviceUp(c.device, c.time)
                            : controller_->DeviceDown(c.device, c.time,
                                                      "the backend reports the device down");
      full_round_due_ = full_round_due_ || due;
      continue;
    }
    const auto& end = t.ended[e++];
    auto it = job_index_.find(end.job);
    if (it == job_index_.end() || !end.finished) continue;  // a failure's stop: DeviceDown did it
    const auto& js = controller_->job(it->second);
    if (js.phase != control::JobPhase::kRunning) continue;
    for (int32_t d : js.devices) ledger_.SetMode(d, Mode::kIdle);
    if (controller_->Complete(it->second, end.time)) full_round_due_ = true;
    ++jobs_done_;
  }
  // A snapshot taken after this step's actions: the controller and the backend should agree.
  if (snapshot) RETURN_IF_ERROR(Reconcile(t, now));
  return Status::Ok();
}

Status LiveService::Intake(TimePoint now) {
  // Scheduled submissions (the demo load) go through the API's own submission path.
  while (scheduled_next_ < scheduled_.size() && scheduled_[scheduled_next_].at <= now) {
    const ScheduledSubmission& s = scheduled_[scheduled_next_];
    RETURN_IF_ERROR(EnsureTenant(s.tenant));
    server::Principal who{server::Role::kTenant, s.tenant};
    auto r = SubmitJob(who, s.spec, s.key);
    if (!r.ok() && r.status().code() == StatusCode::kUnavailable) return r.status();
    ++scheduled_next_;
  }
  if (!intake_pending_.exchange(false)) return Status::Ok();
  // New jobs since the last look (the store is the queue's source of truth; ids only grow).
  store::JobFilter f;
  f.page.after_id = last_intake_id_;
  f.page.limit = store::kMaxPageSize;
  while (true) {
    auto page = store_->ListJobs(f);
    if (!page.ok()) {
      intake_pending_.store(true);
      return page.status();
    }
    for (const auto& rec : page->items) {
      last_intake_id_ = std::max(last_intake_id_, rec.id);
      if (job_index_.count(rec.id) || rec.state != store::JobState::kQueued) continue;
      workload::Job job = rec.spec;
      job.id = rec.id;
      const int32_t j = AddJob(job);
      if (rec.cancel_requested) {
        controller_->Cancel(j, now);
      } else if (controller_->Arrive(j, now)) {
        full_round_due_ = true;
      }
      recorder_->touched.push_back(j);
    }
    if (!page->next_after_id) break;
    f.page.after_id = *page->next_after_id;
  }
  // Cancellations the API took.
  std::vector<workload::JobId> cancels;
  {
    std::lock_guard<std::mutex> lock(pushed_mu_);
    cancels.swap(cancels_);
  }
  for (workload::JobId id : cancels) {
    auto known = job_index_.find(id);
    if (known == job_index_.end()) continue;
    const auto phase = controller_->job(known->second).phase;
    if (phase == control::JobPhase::kQueued || phase == control::JobPhase::kRunning ||
        phase == control::JobPhase::kFuture) {
      if (controller_->Cancel(known->second, now)) full_round_due_ = true;
      recorder_->touched.push_back(known->second);
    }
  }
  return Status::Ok();
}

void LiveService::Decide(TimePoint now) {
  if (now >= next_epoch_) {
    // Epochs keep their grid (start + k x epoch), as the simulator's do.
    full_round_due_ = true;
    next_epoch_ += ((now - next_epoch_) / options_.epoch + 1) * options_.epoch;
  }
  if (!full_round_due_) return;
  // Full rounds closer than the gap to the last one wait for it, whatever asked for them (as the
  // simulator coalesces bursts of events: sim/engine.h).
  if (last_full_round_ != INT64_MIN && now < last_full_round_ + options_.min_decision_gap) return;
  const auto t0 = std::chrono::steady_clock::now();
  controller_->Decide(now, "round");

  if (metrics_) {
    metrics_->ObserveDecisionLatency(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  last_full_round_ = now;
  full_round_due_ = false;
}

std::vector<Action> LiveService::ActionsOfStep(TimePoint now) {
  // In the order the controller took its decisions; contiguous devices switched to the same
  // mode travel in one action.
  std::vector<Action> actions;
  for (const auto& e : recorder_->effects) {
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
    } else {
      a.kind = ActionKind::kStopJob;
      a.cause = e.cause;
    }
    actions.push_back(std::move(a));
  }
  for (auto& a : actions) a.time = now;
  return actions;
}

store::DecisionRecord LiveService::StoreDecision(const control::DecisionRecord& d,
                                                 int64_t plan_id) const {
  store::DecisionRecord r;
  r.plan_id = plan_id;
  r.at = d.time;
  r.trigger = d.trigger;
  r.action = d.action;
  r.reason = d.reason;
  // The controller names flat indices ("device 12", "devices 0..511") and jobs ("job 4431");
  // the store and the API name stable ids.
  auto device_at = [&](const std::string& text) -> int32_t {
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    return end != text.c_str() && v >= 0 && static_cast<size_t>(v) < flat_.device_count()
               ? static_cast<int32_t>(v)
               : -1;
  };
  if (d.subject.rfind("devices ", 0) == 0) {
    const std::string range = d.subject.substr(8);
    const auto dots = range.find("..");
    const int32_t a = device_at(range.substr(0, dots));
    const int32_t b = dots == std::string::npos ? a : device_at(range.substr(dots + 2));
    r.subject = "device";
    if (a >= 0) {
      r.device_first = device_ids_[static_cast<size_t>(a)];
      r.site = fleet_.sites[static_cast<size_t>(flat_.site[static_cast<size_t>(a)])].id;
    }
    if (b >= 0 && b != a) r.device_last = device_ids_[static_cast<size_t>(b)];
  } else if (d.subject.rfind("device ", 0) == 0) {
    const int32_t a = device_at(d.subject.substr(7));
    r.subject = "device";
    if (a >= 0) {
      r.device_first = device_ids_[static_cast<size_t>(a)];
      r.site = fleet_.sites[static_cast<size_t>(flat_.site[static_cast<size_t>(a)])].id;
    }
  } else if (d.subject.rfind("job ", 0) == 0) {
    r.subject = "job";
    r.job_id = std::atoll(d.subject.c_str() + 4);
  } else {
    r.subject = d.subject;
  }
  return r;
}

Status LiveService::Record(TimePoint now, std::vector<Action>& actions,
                           std::vector<int64_t>& action_ids) {
  std::sort(recorder_->touched.begin(), recorder_->touched.end());
  recorder_->touched.erase(std::unique(recorder_->touched.begin(), recorder_->touched.end()),
                           recorder_->touched.end());
  return store_->Write([&](store::Transaction& txn) -> Status {
    int64_t plan_id = 0;
    if (!actions.empty() || !recorder_->decisions.empty()) {
      store::PlanRecord plan;
      plan.at = now;
      plan.policy = std::string(policy_->name());
      plan.trigger = recorder_->decisions.empty() ? "step" : recorder_->decisions.front().trigger;
      ASSIGN_OR_RETURN(plan_id, txn.InsertPlan(plan));
    }
    for (size_t i = 0; i < actions.size(); ++i) {
      Action& a = actions[i];
      a.plan_id = plan_id;
      a.key = "p" + std::to_string(plan_id) + "/" + std::to_string(i) + "/" +
              control::ActionKindName(a.kind);
      store::ActionRequest req;
      req.idempotency_key = a.key;
      req.plan_id = plan_id;
      req.kind = a.kind == ActionKind::kStartJob ? store::ActionKind::kStartJob
                 : a.kind == ActionKind::kStopJob ? store::ActionKind::kStopJob
                                                  : store::ActionKind::kSetMode;
      req.target = a.kind == ActionKind::kSetMode ? a.device_ids.front() : std::to_string(a.job.id);
      req.payload_json = control::ActionToJson(a);
      ASSIGN_OR_RETURN(store::ActionRecord rec, txn.InsertAction(req, now));
      action_ids.push_back(rec.id);
    }
    for (const auto& d : recorder_->decisions) {
      RETURN_IF_ERROR(txn.InsertDecision(StoreDecision(d, plan_id)).status());
    }
    for (int32_t j : recorder_->touched) {
      const auto& js = controller_->job(j);
      ASSIGN_OR_RETURN(store::JobRecord rec, txn.GetJob(js.job->id));
      store::JobState want = store::JobState::kQueued;
      switch (js.phase) {
        case control::JobPhase::kRunning: want = store::JobState::kRunning; break;
        case control::JobPhase::kDone: want = store::JobState::kDone; break;
        case control::JobPhase::kCancelled: want = store::JobState::kCancelled; break;
        case control::JobPhase::kUnplaceable: want = store::JobState::kUnplaceable; break;
        default: break;
      }
      if (rec.state != want) {
        if (want == store::JobState::kDone && rec.state == store::JobState::kQueued) {
          RETURN_IF_ERROR(txn.TransitionJob(rec.id, store::JobState::kRunning, now, ""));
        }
        RETURN_IF_ERROR(txn.TransitionJob(rec.id, want, now, ""));
      }
      store::JobProgress p;
      for (int32_t d : js.devices) p.devices.push_back(device_ids_[static_cast<size_t>(d)]);
      p.preemptions = js.preemptions;
      p.remaining_work = controller_->RemainingAt(j, now);
      p.attained_gpu_seconds = js.attained_gpu_seconds;
      if (js.phase == control::JobPhase::kRunning) {
        p.run_start = js.run_start;
        p.last_checkpoint = js.anchor;
      }
      RETURN_IF_ERROR(txn.SaveJobProgress(rec.id, p, now));
    }
    for (size_t s = 0; s < fleet_.sites.size(); ++s) {
      const SiteLedger& l = ledger_.sites()[s];
      const std::array<Money, 3> now_money = {l.ai_revenue, l.mining_revenue, l.total_energy_cost()};
      const store::RevenueKind kinds[3] = {store::RevenueKind::kAi, store::RevenueKind::kMining,
                                           store::RevenueKind::kEnergy};
      for (size_t k = 0; k < 3; ++k) {
        const Money delta = now_money[k] - persisted_money_[s][k];
        if (!delta.IsZero()) RETURN_IF_ERROR(txn.AddRevenue(fleet_.sites[s].id, kinds[k], delta));
      }
    }
    return txn.SetMeta("clock", std::to_string(now));
  });
}

Status LiveService::Act(TimePoint now, const std::vector<Action>& actions,
                        const std::vector<int64_t>& action_ids) {
  std::vector<std::pair<int64_t, control::ActionAck>> acks;
  Status failed = Status::Ok();
  for (size_t i = 0; i < actions.size(); ++i) {
    const Action& a = actions[i];
    auto ack = backend_->Apply(a, now);
    if (!ack.ok()) {
      if (metrics_) metrics_->AddBackendError(backend_->Describe().name);
      failed = ack.status();  // stays pending in the store: sent again on recovery
      break;
    }
    acks.emplace_back(action_ids[i], *ack);
    const bool rejected = ack->outcome == control::AckOutcome::kRejected ||
                          ack->outcome == control::AckOutcome::kUnsupported;
    if (rejected) {
      full_round_due_ = true;
      continue;
    }
    unconfirmed_.push_back({action_ids[i], a});
    if (a.kind == ActionKind::kStartJob) {
      for (int32_t d : a.devices) {
        ledger_.SetAiPrice(d, sched::JobGpuHourPrice(a.job, *flat_.gpu[static_cast<size_t>(d)],
                                                     market_.gpu_prices));
        ledger_.SetMode(d, Mode::kAi);
      }
    } else if (a.kind == ActionKind::kSetMode) {
      for (int32_t d : a.devices) {
        if (ledger_.up(d)) ledger_.SetMode(d, a.mode);
      }
    }
  }
  const bool any_rejected = std::any_of(acks.begin(), acks.end(), [](const auto& p) {
    return p.second.outcome == control::AckOutcome::kRejected ||
           p.second.outcome == control::AckOutcome::kUnsupported;
  });
  if (!acks.empty()) {
    const Status written = store_->Write([&](store::Transaction& txn) -> Status {
      for (const auto& [id, ack] : acks) {
        const bool rejected = ack.outcome == control::AckOutcome::kRejected ||
                              ack.outcome == control::AckOutcome::kUnsupported;
        RETURN_IF_ERROR(txn.TransitionAction(id, store::ActionState::kSent, now, ""));
        RETURN_IF_ERROR(txn.TransitionAction(
            id, rejected ? store::ActionState::kFailed : store::ActionState::kAcknowledged, now,
            ack.detail));
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(written);
  }
  // A refused command means the controller's picture is wrong: rebuild it from the backend.
  if (any_rejected) needs_recover_ = true;
  return failed;
}

Status LiveService::Reconcile(const control::Telemetry& t, TimePoint now) {
  next_reconcile_ = now + options_.reconcile_every;
  // Devices: what the backend reports is what is billed. A healthy device in another mode than
  // decided, and in no run, gets a corrective action; the drift is recorded.
  int64_t drifted = 0;
  for (size_t d = 0; d < t.devices.size() && d < flat_.device_count(); ++d) {
    const auto di = static_cast<int32_t>(d);
    const auto& o = t.devices[d];
    ledger_.SetMode(di, o.mode);
    const Mode want = controller_->mode(di);
    if (o.up && o.job == 0 && want != Mode::kAi && o.mode != want) {
      recorder_->effects.push_back({Recorder::Effect::Kind::kMode, -1, di, want, StopCause::kPreempted});
      ++drifted;
    }
  }
  // Actions: confirmed when the backend shows what they asked for.
  std::map<workload::JobId, const control::RunObservation*> runs;
  for (const auto& r : t.runs) runs[r.job] = &r;
  std::vector<std::pair<int64_t, bool>> outcomes;  // id, confirmed
  for (const auto& u : unconfirmed_) {
    bool ok = true;
    if (u.action.kind == ActionKind::kStartJob) {
      const auto r = runs.find(u.action.job.id);
      const auto j = job_index_.find(u.action.job.id);
      const bool still_wanted = j != job_index_.end() &&
                                controller_->job(j->second).phase == control::JobPhase::kRunning;
      ok = r != runs.end() || !still_wanted;
    } else if (u.action.kind == ActionKind::kStopJob) {
      ok = runs.find(u.action.job.id) == runs.end();
    } else {
      for (int32_t d : u.action.devices) {
        const auto& o = t.devices[static_cast<size_t>(d)];
        if (o.up && o.job == 0 && controller_->mode(d) == u.action.mode && o.mode != u.action.mode) ok = false;
      }
    }
    outcomes.emplace_back(u.id, ok);
  }
  unconfirmed_.clear();
  // Runs: one the controller thinks is running and the backend does not have is lost: requeued.
  std::vector<int32_t> lost;
  for (int32_t j : controller_->running()) {
    if (!runs.count(controller_->job(j).job->id)) lost.push_back(j);
  }
  for (int32_t j : lost) {
    controller_->Requeue(j, now, "the backend has no run of it");
    recorder_->touched.push_back(j);
    full_round_due_ = true;
    ++drifted;
  }
  if (drifted > 0) {
    controller_->Record(now, "reconcile", "fleet", "drift",
                        std::to_string(drifted) +
                            " devices or runs found other than decided: corrected");
    if (metrics_) metrics_->AddActionsDrifted(drifted);
  }
  if (!outcomes.empty()) {
    int64_t confirmed = 0;
    const Status written = store_->Write([&](store::Transaction& txn) -> Status {
      for (const auto& [id, ok] : outcomes) {
        RETURN_IF_ERROR(txn.TransitionAction(
            id, ok ? store::ActionState::kConfirmed : store::ActionState::kDrifted, now,
            ok ? "" : "telemetry shows otherwise"));
        confirmed += ok ? 1 : 0;
      }
      return Status::Ok();
    });
    RETURN_IF_ERROR(written);
    if (metrics_) metrics_->AddActionsConfirmed(confirmed);
  }
  return Status::Ok();
}

Status LiveService::Step(TimePoint now) {
  if (needs_recover_) {
    now_ = std::max(now_, now);
    Status s = Recover();
    if (!s.ok()) {
      needs_recover_ = true;
      Publish();
      return s;
    }
  }
  now = std::max(now, now_);
  ledger_.Advance(now);
  now_ = now;
  Status s = Observe(now, /*snapshot=*/false);
  if (s.ok()) s = Intake(now);
  bool pushed = false;
  {
    std::lock_guard<std::mutex> lock(pushed_mu_);
    pushed = !pushed_.empty();
  }
  std::vector<Action> actions;
  std::vector<int64_t> action_ids;
  if (s.ok()) {
    if (now >= next_price_change_ || pushed) RefreshMarket(now);
    Decide(now);
    actions = ActionsOfStep(now);
    s = Record(now, actions, action_ids);
  }
  if (s.ok()) {
    for (size_t k = 0; k < fleet_.sites.size(); ++k) {
      const SiteLedger& l = ledger_.sites()[k];
      persisted_money_[k] = {l.ai_revenue, l.mining_revenue, l.total_energy_cost()};
    }
    recorder_->Clear();
    if (!actions.empty()) FaultPoint("after_record");
    s = Act(now, actions, action_ids);
  }
  // What the reconciliation corrects is decided now and recorded and sent by the next step.
  if (s.ok() && !needs_recover_ && now >= next_reconcile_) s = Observe(now, /*snapshot=*/true);
  if (!s.ok()) {
    // What the controller holds in memory may be ahead of what is recorded: rebuild it from the
    // record before deciding again.
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
  next = std::min(next, next_reconcile_);
  if (auto b = backend_->NextEvent()) next = std::min(next, *b);
  if (scheduled_next_ < scheduled_.size()) next = std::min(next, scheduled_[scheduled_next_].at);
  if (intake_pending_.load() || needs_recover_ || (recorder_ && !recorder_->empty())) {
    next = std::min(next, now_);
  }
  if (full_round_due_) {
    next = std::min(next, last_full_round_ == INT64_MIN
                              ? now_
                              : std::max(now_, last_full_round_ + options_.min_decision_gap));
  }
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
