// The simulator's World (sim/engine.h): the event loop on virtual time around one
// control::Controller, and the exact accounting of money, energy and device time. Internal to
// sim/ (engine.cc: setup and events; engine_accounting.cc: groups, prices, segments, results).
//
// Thread-safety: one Engine per run, on one thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <tuple>
#include <vector>

#include "control/controller.h"
#include "core/rng.h"
#include "sim/engine.h"

namespace rigshift::sim::internal {

struct Event {
  TimePoint time;
  EventKind kind;
  int64_t id;
  uint32_t generation;
  bool operator>(const Event& o) const {
    return std::tie(time, kind, id, generation) > std::tie(o.time, o.kind, o.id, o.generation);
  }
};

// Devices of one site with the same model and the same power in every mode: the unit of the
// running sums.
struct Group {
  int32_t site = 0;
  catalog::DeviceKind kind = catalog::DeviceKind::kGpu;
  const catalog::GpuModel* gpu = nullptr;
  const catalog::AsicModel* asic = nullptr;
  int32_t representative = 0;
  int32_t usage_index = 0;
  std::array<Power, kModeCount>
      power{};             // IT power per device in each mode (kMine: current choice)
  Hashrate mine_hashrate;  // per device, current mining choice
  HashPrice mine_price;    // of that choice now
  std::array<int64_t, kModeCount> count{};  // up devices per mode
  int64_t down = 0;
};

__extension__ typedef __int128 Int128;

// Money and energy summed as exact numerators over fixed denominators, rounded once when read:
// a year of hourly segments then equals the hand computation to the micro-dollar.
//   ai:      sum(uUSD/h) x s                 / 3600
//   mining:  kH/s x s x uUSD/(TH/s.day)      / (1e9 x 86400)
//   energy cost and DR credits: mW x PUE(milli) x s x uUSD/MWh / (1000 x 3600 x 1e9)
//   energy and curtailed energy: mW x PUE(milli) x s / (3600 x 1000)   (facility mWh)
struct ExactTotals {
  Int128 ai = 0, mining = 0, dr = 0, cost = 0, energy = 0, curtailed = 0;
  static int64_t Div(Int128 n, Int128 d);
  MoneyTotals ToTotals() const;
  void Add(const ExactTotals& o);
};

struct SiteState {
  econ::SitePrices prices;
  Power host_power;          // hosts of nodes with a device not off
  int64_t ai_price_sum = 0;  // uUSD per hour: sum of the GPU-hour prices of devices in AI
  bool dr_active = false;
  Power dr_baseline;  // facility power just before the event
  EnergyPrice dr_credit;
};

// What one batch of same-time events asks for.
struct Batch {
  bool decide = false;
  const char* trigger = "event";
  bool round_boundary = false;
  bool stop = false;
  // The first enabled reason wins.
  void Mark(bool enabled, const char* why) {
    if (enabled && !decide) {
      decide = true;
      trigger = why;
    }
  }
};

class Engine final : public control::World {
 public:
  Engine(const SimInputs& in, const sched::Policy& policy, const EngineOptions& opts)
      : in_(in),
        flat_(*in.flat),
        policy_(policy),
        opts_(opts),
        rng_fail_(opts.seed ^ 0x5eed'fa11'0000'0001ULL) {}

  Result<SimResult> Run();

  // control::World: what the controller did, accounted on virtual time.
  void ModeChanged(int32_t device, econ::Mode from, econ::Mode to) override;
  void JobStarted(int32_t j, TimePoint now) override;
  void JobStopped(int32_t j, TimePoint now, control::StopCause cause, double lost_work) override;
  void JobCompleted(int32_t j, TimePoint now) override;
  void Decision(const control::DecisionRecord& record) override;

 private:
  // Setup (engine.cc).
  Status Validate() const;
  Status Setup();
  Status AddJobs();
  void SchedulePrices();
  void ScheduleFailures();
  void ScheduleNextPriceChange(size_t series, TimePoint after);
  void BuildDemandResponse();
  void BuildDemandResponseOfSite(size_t s);
  void Push(TimePoint t, EventKind k, int64_t id, uint32_t gen = 0) {
    events_.push(Event{t, k, id, gen});
  }

  // Events (engine.cc).
  void Handle(const Event& e, TimePoint t, Batch& batch);
  void OnRepair(const Event& e, TimePoint t, Batch& batch);
  void OnFailure(const Event& e, TimePoint t, Batch& batch);
  void OnDemandResponseStart(const Event& e, TimePoint t, Batch& batch);
  void OnCompletion(const Event& e, TimePoint t, Batch& batch);
  void OnArrival(const Event& e, TimePoint t, Batch& batch);
  // After a batch: round boundaries (round mode) or the batch's decision (event mode).
  void EndRoundBatch(TimePoint t, const Batch& batch);
  void EndEventBatch(TimePoint t, const Batch& batch);
  void DecideNow(TimePoint t, const char* trigger);
  bool Drained() const;

  // Accounting (engine_accounting.cc).
  void BuildGroups();
  void Advance(TimePoint to);
  void AccumulateSegment(TimePoint a, TimePoint b);
  // Index of the series bucket holding instant `t` (created when new).
  size_t Bucket(TimePoint t);
  // Takes back the AI revenue of a run's seconds that did not advance its job (restore time spent
  // and work thrown away), at the gang's price, when the run stops, completes or is still running
  // at the end of accounting (docs/simulate.md, "Accounting").
  void RefundUnproductive(const control::JobState& js, TimePoint now, double lost_units);
  // The run's devices stop earning their GPU-hour price.
  void ReleasePrices(const control::JobState& js);
  void ScheduleCompletion(int32_t j);
  void RefreshPrices(TimePoint t);
  Power SiteItPower(size_t s) const;
  Power SiteFacilityPower(size_t s) const;
  SimResult Finish();
  void FinishJobMetrics();

  const SimInputs& in_;
  const fleet::FlatFleet& flat_;
  const sched::Policy& policy_;
  const EngineOptions& opts_;
  Rng rng_fail_;
  std::unique_ptr<control::Controller> ctl_;

  // Devices (accounting).
  std::vector<int32_t> device_group_;
  std::vector<int64_t> device_ai_price_;  // uUSD/h while in AI
  std::vector<int32_t> node_active_;      // devices not off, per node
  std::vector<Group> groups_;
  std::vector<ClassUsage> usage_;
  std::vector<SiteState> sites_;
  int64_t devices_down_ = 0;

  // Prices.
  struct SeriesRef {
    TimePoint start;
    Duration step;
    TimePoint end;
  };
  std::vector<SeriesRef> series_;
  std::vector<DemandResponseEvent> dr_;

  // Jobs: the controller's job indices follow this order (arrival, id).
  std::vector<const workload::Job*> sorted_jobs_;
  int64_t arrivals_pending_ = 0;

  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  TimePoint now_ = 0;
  TimePoint last_decision_ = INT64_MIN;
  bool deferred_pending_ = false;
  bool ended_ = false;  // window end passed (drain mode)

  // Rounds.
  bool round_active_ = false;
  int64_t round_id_ = 0;
  bool job_set_changed_ = false;

  SimResult result_;
  ExactTotals exact_;
  std::vector<ExactTotals> sp_exact_;  // per series bucket
  TimePoint next_progress_ = 0;
  std::vector<double> jct_, queue_delay_;
};

}  // namespace rigshift::sim::internal
