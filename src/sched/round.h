// Round: the mechanism every policy shares for one planning round (internal to sched/).
//
// Policies differ in what they decide (which jobs, where, which devices mine, what is preempted);
// the Round does the bookkeeping they all need, once and fast:
//   - per device class economics at `now` (ClassEcon: mining choice, power per mode, money per
//     device-hour, including the node's host power shared per device);
//   - the power envelope: IT power per site and rack, host power when a node's first device comes
//     on, CanPower() before every change, so that no policy can break it;
//   - free GPU tracking per slot (bucketed by free count per class) for O(slot size) gang search;
//   - job shapes (gpus, memory, interconnect, work unit) cached with per-class rate and fit;
//   - the queue order (FIFO, LAS), EASY reservations, mining fill by value per watt, and reasons.
// Not thread-safe: one Round per Decide call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sched/fleet_index.h"
#include "sched/plan.h"
#include "sched/policy.h"

namespace rigshift::sched::internal {

// Money of one device of a class for one hour at the round's prices.
struct ClassEcon {
  bool can_mine = false;  // a priced mining profile (GPU) or an ASIC
  std::string algorithm;
  Hashrate hashrate;        // of the chosen profile
  Power mine_choice_power;  // draw of the chosen profile (money); mine_power is the envelope figure
  Power mine_power;         // device IT power per mode
  Power ai_power;
  Power idle_power;
  Power host_share;          // node host power / devices per node
  Money mine_revenue_h;      // per device-hour
  Money mine_cost_h;         // energy of device + host share, per hour
  Money ai_cost_h;           // energy of device + host share under AI, per hour
  GpuHourPrice table_price;  // market GPU-hour price of the model
  EnergyPrice energy;        // price at the meter now (market + adder)
  Money mine_margin_h() const { return mine_revenue_h - mine_cost_h; }
  // Margin per kW of (device + host share) power when mining, in micro-USD per kWh; for ranking.
  int64_t mine_margin_per_kw = 0;
};

// Per (job shape, class): can the job run there and how fast.
struct ShapeFit {
  double rate = 0;           // work units per second per GPU (0 = cannot run)
  bool single_node = false;  // the whole gang fits on one node of the class
  int32_t span_cap = 0;      // GPUs per node when the gang spans nodes (0 = it may not span)
};

struct Shape {
  int32_t gpus = 1;
  std::vector<ShapeFit> fit;   // per class
  bool runs_anywhere = false;  // some class of the fleet fits (ignoring what is free now)
};

// Queue order helpers. LAS level of `attained_gpu_seconds` (the thresholds crossed); a queued
// job's level also honours starvation promotion; a running job's does not (it is being served).
int32_t LasLevelOf(double attained_gpu_seconds, const LasOptions& las);
int32_t LasLevel(const QueuedJob& q, const LasOptions& las, TimePoint now);
int32_t LasLevel(const RunningJob& r, const LasOptions& las);

class Round {
 public:
  Round(const PolicyInput& in, const PolicyOptions& opt);

  const PolicyInput& in() const { return in_; }
  const PolicyOptions& opt() const { return opt_; }
  const FleetIndex& index() const { return *ix_; }
  const fleet::FlatFleet& flat() const { return *in_.flat; }
  const ClassEcon& econ(int32_t cls) const { return econ_[static_cast<size_t>(cls)]; }
  Plan& plan() { return plan_; }
  const std::string& site_id(int32_t s) const { return site_ids_[static_cast<size_t>(s)]; }
  std::string ClassLabel(int32_t cls) const { return ix_->ClassLabel(cls, site_ids_); }
  int32_t site_count() const { return static_cast<int32_t>(site_ids_.size()); }

  // --- Prices over the forecast window ---
  // Mean energy price at the meter at `site` over [now, now + seconds) (clipped to the window).
  EnergyPrice MeanEnergyPrice(int32_t site, Duration seconds) const;
  EnergyPrice EnergyPriceAtHour(int32_t site, int hour) const;  // hour 0 = now
  int forecast_hours() const { return forecast_hours_; }
  // Per class and forecast hour (built on first use): mining margin (revenue at that hour's
  // hashprice minus energy of device + host share) and AI energy cost, per device-hour; and
  // means over [now, now + seconds) clipped to the window. "Alt" is what the device earns when
  // not running AI: max(0, mining margin), since it can be switched off.
  Money MineMarginAtHour(int32_t cls, int hour);
  Money AiCostAtHour(int32_t cls, int hour);
  Money MeanAltMargin(int32_t cls, Duration seconds);
  Money MeanAiCost(int32_t cls, Duration seconds);

  // --- Power envelope ---
  Power DevicePowerIn(int32_t device, econ::Mode mode) const;
  // Whether changing `device` to `mode` keeps its site and rack within limits.
  bool CanSet(int32_t device, econ::Mode mode) const;
  // Whether putting all `devices` (currently off) into kAi fits the envelope.
  bool CanPowerAi(const std::vector<int32_t>& devices) const;
  void SetMode(int32_t device, econ::Mode mode, uint32_t reason);
  // Curtails mining at the gang's site, least margin per kW first, until the gang (`devices`,
  // currently not in AI) fits the site cap, provided the mining margin given up per hour is below
  // `gain_h` (what the gang earns per hour over its devices' current use). Returns whether the
  // gang fits afterwards; changes nothing when it would not. Rack limits are not relieved.
  bool MakeRoomForAi(const std::vector<int32_t>& devices, Money gain_h);
  Power site_it(int32_t s) const { return site_it_[static_cast<size_t>(s)]; }
  Power site_it_cap(int32_t s) const { return site_it_cap_[static_cast<size_t>(s)]; }
  Power site_facility_cap(int32_t s) const { return site_cap_[static_cast<size_t>(s)]; }
  void MarkEnvelopeBinding(int32_t s) { envelope_binding_[static_cast<size_t>(s)] = 1; }

  // --- Jobs ---
  const Shape& ShapeOf(const workload::Job& job) {
    return shapes_[static_cast<size_t>(ShapeIdOf(job))];
  }
  int32_t ShapeIdOf(const workload::Job& job);
  GpuHourPrice PriceOn(const workload::Job& job, int32_t cls) const;
  bool device_up(int32_t d) const {
    return in_.device_up.empty() || in_.device_up[static_cast<size_t>(d)] != 0;
  }
  bool device_free(int32_t d) const { return free_[static_cast<size_t>(d)] != 0; }
  int32_t class_free(int32_t cls) const { return class_free_[static_cast<size_t>(cls)]; }
  int32_t slot_free(int32_t slot) const { return slot_free_[static_cast<size_t>(slot)]; }

  // Running jobs: keep all except those `preempt` selects (returns a reason index, or nullopt to
  // keep). Then enforces the envelope on what is kept (preempting least value per watt first).
  using PreemptFn = std::function<std::optional<uint32_t>(int32_t running_index)>;
  void KeepRunning(const PreemptFn& preempt);
  // Running jobs kept so far (indices into PolicyInput::running).
  const std::vector<int32_t>& kept() const { return kept_; }
  // Stops a kept running job: its devices go off (free for AI) and the preemption is recorded.
  void PreemptKept(int32_t running_index, uint32_t reason);
  // Undoes PreemptKept (when what it made room for did not fit after all).
  void UndoPreemptKept(int32_t running_index);
  // Queue indices in the policy's order: priority first, then the LAS level (LAS only), then
  // `density` (per queue index, higher first) when given, then arrival and job id.
  std::vector<int32_t> QueueOrder(const std::vector<int64_t>* density = nullptr) const;

  // Finds `job.gpus` free devices in class `cls` that fit the job (one node when it must, else
  // the fewest nodes), skipping reserved slots when `avoid_reserved`. Empty when none.
  std::vector<int32_t> FindPlacement(const workload::Job& job, int32_t cls, bool avoid_reserved);
  // Puts `devices` into kAi for queued job `queue_index` and records the start.
  void Start(int32_t queue_index, std::vector<int32_t> devices, uint32_t reason);
  // Starts a job that is not in PolicyInput::queue (incremental events): JobStart::queue_index -1.
  void StartExternal(const workload::Job& job, std::vector<int32_t> devices, uint32_t reason);
  // When set, SetMode appends every device whose mode changes (incremental deltas).
  void set_change_log(std::vector<int32_t>* log) { change_log_ = log; }
  // Expected seconds for a job with `remaining_work` on class `cls` (rate from its shape).
  double ExpectedSeconds(const workload::Job& job, double remaining_work, int32_t cls);

  // EASY backfill: reserves capacity for a blocked job at the earliest time it could start given
  // the expected ends of running jobs. Returns the shadow time (or nullopt when none found).
  std::optional<TimePoint> Reserve(const workload::Job& job);
  bool has_reservation() const { return shadow_.has_value(); }
  TimePoint shadow() const { return *shadow_; }
  // The job the reservation holds GPUs for (null when none); IncrementalPlanner honours it.
  const workload::Job* reserved_job() const { return reserved_job_; }

  // The generic scheduling loop of the AI policies: jobs in `order`; for each, `choose` picks a
  // class among those with a placement (returns the class or -1 with a wait reason); EASY
  // backfill when `easy` (the first blocked job reserves; later jobs may not delay it).
  struct Choice {
    int32_t cls = -1;
    uint32_t wait_reason = 0;
  };
  using ChooseFn = std::function<Choice(int32_t queue_index, const std::vector<int32_t>& classes)>;
  using StartReasonFn = std::function<uint32_t(int32_t queue_index, int32_t cls)>;
  void ScheduleQueue(const std::vector<int32_t>& order, const ChooseFn& choose,
                     const StartReasonFn& start_reason, bool easy);

  // --- Tiresias (LAS) preemption; see LasOptions ---
  // Whether this round runs LAS with preemption (opt().order == kLas and opt().las.preempt).
  bool las_preempts() const { return opt_.order == JobOrder::kLas && opt_.las.preempt; }
  // Tries to start waiting job `queue_index` now: first on free devices, else by preempting kept
  // running jobs of strictly lower LAS priority (higher level, same or lower Job::priority,
  // preemptible, running for at least las.min_run_before_preempt), most attained first, one class
  // at a time as `choose` picks among the classes where that could make room. Only the victims
  // whose devices the placement uses stay preempted (each with a "LAS: ..." reason); when nothing
  // lets the job start, every trial preemption is undone and false is returned. The start reason
  // is `start_reason`'s text with the victims appended.
  bool LasPreemptFor(int32_t queue_index, const ChooseFn& choose,
                     const StartReasonFn& start_reason);
  // Runs LasPreemptFor over plan().waits in their order (the queue order), for at most
  // las.max_preempting_jobs jobs that have a possible victim; started jobs leave plan().waits.
  // A no-op unless las_preempts().
  void LasPreemptWaiting(const ChooseFn& choose, const StartReasonFn& start_reason);

  // Every device that is up, free and not yet on: mines when `mine(cls)` says so (a reason
  // index, or nullopt to stay off with `off_reason(cls)`), in order of mining margin per kW per
  // site, within the envelope; devices left out by the envelope are off with an envelope reason.
  using MineFn = std::function<std::optional<uint32_t>(int32_t cls)>;
  using OffFn = std::function<uint32_t(int32_t cls)>;
  // `limit`, when given, caps the devices mining per class (extra ones are off with
  // `limit_reason(cls)`).
  void FillMining(const MineFn& mine, const OffFn& off_reason,
                  const std::vector<int64_t>* limit = nullptr, const OffFn& limit_reason = nullptr);
  // IT power of a site under PolicyInput::current_mode (devices + hosts of nodes with a device on).
  Power CurrentSiteIt(int32_t site) const;

  // Fills Plan::site_power and checks the envelope (a violation is a programmer error).
  Plan Finish();

  // Reason helpers: cached per class so that 100,000 devices share a few texts.
  uint32_t MineReason(int32_t cls);          // "mining pays X USD/h > power Y USD/h at Z: mine"
  uint32_t UnprofitableReason(int32_t cls);  // "mining pays X < power Y at Z: off"
  uint32_t NoMiningReason(int32_t cls);      // "no priced mining profile: off"
  uint32_t EnvelopeReason(int32_t site);     // "site S at its cap ...: off"
  uint32_t SharedReason(const std::string& text);  // de-duplicated text

 private:
  void BucketRemove(int32_t slot);
  void BucketInsert(int32_t slot);
  void ChangeSlotFree(int32_t slot, int32_t delta);
  void PreemptRunning(int32_t r, uint32_t reason);

  const PolicyInput& in_;
  const PolicyOptions& opt_;
  std::vector<int32_t>* change_log_ = nullptr;
  std::vector<int32_t> kept_;
  std::vector<uint8_t> is_kept_;  // per running job
  // LAS preemption candidates of this round (kept, preemptible, past the guard, level > 0), most
  // attained first; built on first use.
  struct LasVictim {
    int32_t r;
    int32_t level;
    double attained;
  };
  void BuildLasVictims();
  std::vector<LasVictim> las_victims_;
  bool las_victims_built_ = false;
  std::unique_ptr<FleetIndex> owned_index_;
  const FleetIndex* ix_ = nullptr;
  std::vector<std::string> site_ids_;
  std::vector<ClassEcon> econ_;
  int forecast_hours_ = 1;
  std::vector<std::vector<int64_t>> price_prefix_;  // per site: prefix sums of hourly prices (raw)
  void BuildForecastEcon();
  bool forecast_econ_built_ = false;
  std::vector<std::vector<int64_t>> mine_margin_h_;   // [cls][hour] raw uUSD
  std::vector<std::vector<int64_t>> alt_prefix_;      // [cls][hour + 1] prefix of max(0, margin)
  std::vector<std::vector<int64_t>> ai_cost_prefix_;  // [cls][hour + 1]
  Plan plan_;
  // Envelope.
  std::vector<Power> site_it_, site_it_cap_, site_cap_, rack_it_;
  std::vector<uint8_t> envelope_binding_;
  std::vector<int32_t> node_active_;
  // Free tracking: free_ = up and not AI.
  std::vector<uint8_t> free_;
  std::vector<int32_t> slot_free_, class_free_;
  std::vector<std::vector<std::vector<int32_t>>> buckets_;  // [cls][free] -> slots
  std::vector<int32_t> bucket_pos_;                         // [slot] -> index in its bucket
  // Reservation (EASY).
  std::optional<TimePoint> shadow_;
  const workload::Job* reserved_job_ = nullptr;  // the job the reservation holds GPUs for
  std::vector<uint8_t> reserved_slot_;
  std::vector<int32_t> reserved_slots_;
  // Running and started jobs, for reservations: (slot, end time, devices on slot).
  struct Occupancy {
    TimePoint end;
    int32_t devices;
  };
  std::vector<std::vector<Occupancy>> slot_occupancy_;
  // Shapes.
  std::unordered_map<std::string, int32_t> shape_of_;
  std::unordered_map<const workload::Job*, int32_t> shape_by_job_;  // fast path for repeat lookups
  // Cheap test whether a placement may exist (exact for single-node gangs without reservations).
  bool MayPlace(const Shape& shape, int32_t cls) const;
  std::vector<Shape> shapes_;
  // Reason caches (-1 = not built).
  std::vector<int64_t> mine_reason_, unprofitable_reason_, no_mining_reason_, envelope_reason_;
  std::unordered_map<std::string, uint32_t> shared_reason_;
};

// "0.21" style formatting of money per hour, prices, powers (printing only).
std::string Usd2(Money m);
std::string PricePerMwh(EnergyPrice p);

}  // namespace rigshift::sched::internal
