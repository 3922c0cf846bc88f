// The live control plane behind `rigshift serve`: the one controller (control/controller.h) on
// the service clock, persisting through a store and acting through a backend, and the
// FleetService the HTTP API serves.
//
// One step (Step), on the controller thread:
//   observe  poll the backend: runs that ended, devices that failed or came back;
//   intake   jobs customers submitted (already durable in the store) arrive; cancellations;
//            prices the feed or an operator pushed;
//   decide   incremental decisions for each event, a full round on the epoch (5 min by default)
//            and on every price change, with the policy the simulator runs;
//   record   everything the decisions changed, in one store transaction: the plan, each decision
//            with its reason, the actions to send (each with an idempotency key), job states,
//            money so far and the service clock;
//   act      send each recorded action to the backend; record its acknowledgement;
//   confirm  compare what the backend reports with what was decided: an action is confirmed when
//            the backend's telemetry shows it, a device found in another mode is corrected (a new
//            action) and the drift recorded, a run the backend lost is requeued.
// Nothing is sent before it is recorded, and every send carries a key the backend deduplicates,
// so a process killed at any point restarts (Recover) with nothing lost and nothing done twice:
// actions recorded and not acknowledged are sent again, the controller's state is rebuilt from
// the store's jobs and the backend's own record of runs and modes.
//
// A store write that fails (full disk, read-only database) stops the controller from acting on
// what it cannot record: it marks itself not ready, keeps serving reads, and rebuilds from the
// store once writes succeed again.
//
// Thread-safety: Step/Recover/Run on one thread; the FleetService methods from any thread (they
// read a snapshot published after each step, or the store).
#pragma once

#include <array>
#include <atomic>
#include <deque>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "control/backend.h"
#include "control/controller.h"
#include "core/status.h"
#include "fleet/model.h"
#include "live/ledger.h"
#include "live/service_clock.h"
#include "market/series.h"
#include "sched/policy.h"
#include "server/metrics.h"
#include "server/service.h"
#include "store/store.h"
#include "workload/speed_model.h"

namespace rigshift::live {

struct LiveOptions {
  std::string policy_name = "rigshift";
  sched::PolicyOptions policy;         // speed must be set
  control::ControllerOptions control;  // incremental decisions, queue view, preemption costs
  Duration epoch = 5 * kMinute;        // full rounds besides events and price changes
  Duration min_decision_gap = 0;       // event-triggered full rounds at most this often
  Duration forecast_horizon = 24 * kHour;
  bool perfect_foresight = false;  // the policy sees the replayed future (comparisons only)
  Duration reconcile_every = 5 * kMinute;  // full backend snapshots (service time)
  TimePoint start = 0;  // service clock of a new state
};

// A job the daemon submits on a customer's behalf (demo load, tests): the trace's arrivals.
struct ScheduledSubmission {
  TimePoint at = 0;
  server::JobSpec spec;
  std::string tenant;
  std::string key;
};

class LiveService final : public server::FleetService {
 public:
  // Everything referenced must outlive the service. `market` is the history the feed replays.
  static Result<std::unique_ptr<LiveService>> Create(const fleet::Fleet& fleet,
                                                     const fleet::FlatFleet& flat,
                                                     market::MarketData market,
                                                     const workload::SpeedModel& speed,
                                                     store::Store* store,
                                                     control::Backend* backend,
                                                     server::Metrics* metrics,
                                                     const LiveOptions& options);
  ~LiveService() override;

  // Rebuilds the controller from the store and the backend (first start or restart).
  Status Recover();
  // One observe/intake/decide/record/act/confirm pass at service time `now`.
  Status Step(TimePoint now);
  // The next instant something is due (a run ends, an epoch, a price change, a scheduled
  // submission): a virtual clock jumps there.
  TimePoint NextDue() const;
  void ScheduleSubmissions(std::vector<ScheduledSubmission> submissions);

  TimePoint now() const { return now_; }
  const std::vector<SiteLedger>& ledger_sites() const { return ledger_.sites(); }
  int64_t jobs_done() const { return jobs_done_; }
  const control::Controller& controller() const { return *controller_; }

  // server::FleetService.
  Result<server::Principal> Authenticate(std::string_view bearer_token) override;
  bool Ready() override { return ready_.load(); }
  server::FleetView GetFleet() override;
  std::vector<server::SiteView> ListSites() override;
  server::Page<server::DeviceView> ListDevices(const server::DeviceFilter& filter) override;
  Result<server::DeviceView> GetDevice(std::string_view id) override;
  Result<server::JobView> SubmitJob(const server::Principal& who, const server::JobSpec& spec,
                                    const std::string& idempotency_key) override;
  server::Page<server::JobView> ListJobs(const server::Principal& who,
                                         const server::JobFilter& filter) override;
  Result<server::JobView> GetJob(const server::Principal& who, workload::JobId id) override;
  Result<server::JobView> CancelJob(const server::Principal& who, workload::JobId id) override;
  server::Page<server::DecisionView> ListDecisions(const server::DecisionFilter& filter) override;
  server::MarketView GetMarket() override;
  Status PushPrices(const std::vector<server::PricePoint>& prices) override;
  std::vector<server::RevenueView> GetRevenue() override;
  server::PolicyView GetPolicy() override;

 private:
  class Recorder;  // control::World: turns the controller's effects into actions and decisions
  // What API threads read: published by the controller thread after each step.
  struct Snapshot {
    TimePoint time = 0;
    std::vector<econ::Mode> mode;
    std::vector<uint8_t> up;
    std::vector<workload::JobId> job;
    std::vector<SiteLedger> sites;
    int64_t queued = 0;
    int64_t running = 0;
  };
  std::shared_ptr<const Snapshot> CurrentSnapshot() const {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    return snapshot_;
  }

  LiveService(const fleet::Fleet& fleet, const fleet::FlatFleet& flat, market::MarketData market,
              const workload::SpeedModel& speed, store::Store* store, control::Backend* backend,
              server::Metrics* metrics, const LiveOptions& options);

  // An action recorded and sent, awaiting the telemetry that confirms it.
  struct Unconfirmed {
    int64_t id = 0;
    control::Action action;
  };

  void BuildController();
  Status RestoreJobs(const control::Telemetry& t);
  int32_t AddJob(const workload::Job& job);
  Status Observe(TimePoint now, bool snapshot);
  Status Intake(TimePoint now);
  void Decide(TimePoint now);
  std::vector<control::Action> ActionsOfStep(TimePoint now);
  Status Record(TimePoint now, std::vector<control::Action>& actions,
                std::vector<int64_t>& action_ids);
  Status Act(TimePoint now, const std::vector<control::Action>& actions,
             const std::vector<int64_t>& action_ids);
  Status Reconcile(const control::Telemetry& t, TimePoint now);
  void RefreshMarket(TimePoint now);
  void Publish();
  store::DecisionRecord StoreDecision(const control::DecisionRecord& d, int64_t plan_id) const;
  server::JobView JobViewOf(const store::JobRecord& r) const;
  int32_t DeviceIndex(std::string_view id) const;
  Status EnsureTenant(const std::string& name);

  const fleet::Fleet& fleet_;
  const fleet::FlatFleet& flat_;
  market::MarketData market_;
  market::MarketData forecast_;
  const workload::SpeedModel& speed_;
  store::Store* store_;
  control::Backend* backend_;
  server::Metrics* metrics_;
  LiveOptions options_;
  std::unique_ptr<sched::Policy> policy_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<control::Controller> controller_;
  Ledger ledger_;
  std::vector<std::string> device_ids_;
  std::unordered_map<std::string, int32_t> device_index_;

  // Controller-thread state.
  TimePoint now_ = 0;
  TimePoint next_epoch_ = 0;
  TimePoint next_price_change_ = 0;
  TimePoint next_reconcile_ = 0;
  TimePoint last_full_round_ = INT64_MIN;
  bool full_round_due_ = true;
  bool needs_recover_ = true;
  int64_t jobs_done_ = 0;
  std::vector<ScheduledSubmission> scheduled_;  // by time, consumed from the front
  size_t scheduled_next_ = 0;
  std::map<workload::JobId, int32_t> job_index_;  // store id -> controller index
  int64_t last_intake_id_ = 0;                    // the largest job id taken in
  std::deque<workload::Job> jobs_;                // the controller keeps references into it
  std::vector<Unconfirmed> unconfirmed_;
  std::vector<std::array<Money, 3>> persisted_money_;  // ai, mining, energy per site

  // Shared with API threads.
  std::atomic<bool> ready_{false};
  std::atomic<bool> intake_pending_{true};
  std::mutex pushed_mu_;
  std::vector<server::PricePoint> pushed_;
  std::vector<workload::JobId> cancels_;  // guarded by pushed_mu_
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace rigshift::live
