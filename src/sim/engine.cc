#include "sim/engine.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>
#include <tuple>
#include <unordered_map>

#include "core/rng.h"
#include "sched/fleet_index.h"
#include "sched/incremental.h"

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

namespace {

using econ::Mode;
using workload::Job;

constexpr int kMine = static_cast<int>(Mode::kMine);
constexpr int kOff = static_cast<int>(Mode::kOff);
constexpr int kAi = static_cast<int>(Mode::kAi);

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

enum class Phase : uint8_t { kFuture, kQueued, kRunning, kDone, kUnplaceable };

struct JobState {
  const Job* job = nullptr;
  Phase phase = Phase::kFuture;
  double total_work = 0;
  double remaining = 0;  // at `anchor` (or now when queued)
  double rate = 0;       // gang units per second while running
  TimePoint anchor = 0;  // progress counts from here (run start + restore)
  TimePoint run_start = 0;
  TimePoint first_start = -1;
  TimePoint completion = -1;
  TimePoint queued_since = 0;
  double attained_gpu_seconds = 0;  // finished runs
  int32_t preemptions = 0;
  uint32_t generation = 0;
  bool needs_restore = false;
  int32_t running_pos = -1;  // index into running_
  int64_t queue_seen = -1;   // decision number that last put it in the policy's view
  std::vector<int32_t> devices;
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
  static int64_t Div(Int128 n, Int128 d) {
    Int128 q = n / d, r = n % d;
    if ((r < 0 ? -r : r) * 2 >= d) q += n < 0 ? -1 : 1;
    return static_cast<int64_t>(q);
  }
  MoneyTotals ToTotals() const {
    MoneyTotals t;
    t.ai_revenue = MicroUsd(Div(ai, 3600));
    t.mining_revenue = MicroUsd(Div(mining, static_cast<Int128>(1'000'000'000) * 86400));
    t.dr_credits = MicroUsd(Div(dr, static_cast<Int128>(1000) * 3600 * 1'000'000'000));
    t.energy_cost = MicroUsd(Div(cost, static_cast<Int128>(1000) * 3600 * 1'000'000'000));
    t.energy = MilliwattHours(Div(energy, 3600 * 1000));
    t.curtailed_energy = MilliwattHours(Div(curtailed, 3600 * 1000));
    return t;
  }
  void Add(const ExactTotals& o) {
    ai += o.ai;
    mining += o.mining;
    dr += o.dr;
    cost += o.cost;
    energy += o.energy;
    curtailed += o.curtailed;
  }
};

struct SiteState {
  econ::SitePrices prices;
  Power host_power;          // hosts of nodes with a device not off
  int64_t ai_price_sum = 0;  // uUSD per hour: sum of the GPU-hour prices of devices in AI
  Power cap_override;        // demand response; zero = none
  bool dr_active = false;
  Power dr_baseline;  // facility power just before the event
  EnergyPrice dr_credit;
};

class Engine {
 public:
  Engine(const SimInputs& in, const sched::Policy& policy, const sched::PolicyOptions& popts,
         const EngineOptions& opts)
      : in_(in),
        flat_(*in.flat),
        policy_(policy),
        popts_(popts),
        opts_(opts),
        rng_policy_(opts.seed),
        rng_fail_(opts.seed ^ 0x5eed'fa11'0000'0001ULL) {}

  Result<SimResult> Run();

 private:
  // Setup.
  Status Setup();
  void BuildGroups();
  void ScheduleNextPriceChange(size_t series, TimePoint after);
  void BuildDemandResponse();
  bool Placeable(const Job& job) const;

  // Time.
  void Advance(TimePoint to);
  void AccumulateSegment(TimePoint a, TimePoint b);
  // Index of the series bucket holding instant `t` (created when new).
  size_t Bucket(TimePoint t);
  // Takes back the AI revenue of a run's seconds that did not advance its job (restore time spent
  // and work thrown away), at the gang's price, when the run stops, completes or is still running
  // at the end of accounting (docs/simulate.md, "Accounting").
  void RefundUnproductive(const JobState& js, TimePoint now, double lost_units);
  void RefreshPrices(TimePoint t);
  Power SiteItPower(size_t s) const;
  Power SiteFacilityPower(size_t s) const;

  // State changes.
  void SetMode(int32_t d, Mode m);
  void StartJob(int32_t j, const std::vector<int32_t>& devices, TimePoint now);
  // A start of a plan or delta that can be applied now: the job's index, else -1. Starts are
  // applied one by one, so a device an earlier start took is busy (device_job_) for later ones.
  int32_t CheckStart(const sched::JobStart& s) const;
  void ApplyStart(const sched::JobStart& s, int32_t j, TimePoint now, const char* trigger,
                  std::string_view reason);
  void StopJob(int32_t j, TimePoint now, bool failure);
  void CompleteJob(int32_t j, TimePoint now);
  void Enqueue(int32_t j, TimePoint now);
  void ScheduleCompletion(int32_t j);
  double RemainingAt(const JobState& js, TimePoint t) const;
  // Healthy GPUs that run no job.
  int64_t FreeGpus() const { return gpus_total_ - gpus_down_ - gpus_busy_; }

  // Decisions.
  void Decide(TimePoint now, const char* trigger);
  // Incremental decisions between full rounds (planner_ set). Each returns false when a full
  // round is due: the planner had to be dropped (its delta did not apply cleanly), or a job is
  // blocked with no EASY reservation in force (the planner stays until that round).
  bool IncrementalEnd(TimePoint now, const std::vector<int32_t>& devices);
  bool IncrementalArrival(TimePoint now, int32_t j);
  bool ApplyDelta(const sched::IncrementalPlanner::Delta& delta, TimePoint now,
                  const char* trigger);
  // Applies one device's planned mode (plans and deltas alike); false when nothing changed.
  bool ApplyMode(size_t d, Mode want);
  sched::QueuedJob QueuedView(const JobState& js) const {
    return {js.job, js.remaining, js.attained_gpu_seconds, js.queued_since, js.preemptions};
  }
  void Emit(TimePoint now, const char* trigger, std::string subject, std::string action,
            std::string_view reason);

  void Push(TimePoint t, EventKind k, int64_t id, uint32_t gen = 0) {
    events_.push(Event{t, k, id, gen});
  }

  SimResult Finish();

  const SimInputs& in_;
  const fleet::FlatFleet& flat_;
  const sched::Policy& policy_;
  const sched::PolicyOptions& popts_;
  const EngineOptions& opts_;
  Rng rng_policy_;
  Rng rng_fail_;
  sched::FleetIndex index_;

  // Devices.
  std::vector<Mode> mode_;
  std::vector<uint8_t> up_;
  std::vector<int32_t> device_job_;
  std::vector<int32_t> device_group_;
  std::vector<int64_t> device_ai_price_;  // uUSD/h while in AI
  std::vector<int32_t> node_active_;      // devices not off, per node
  std::vector<Group> groups_;
  std::vector<ClassUsage> usage_;
  std::vector<SiteState> sites_;

  // Prices.
  struct SeriesRef {
    TimePoint start;
    Duration step;
    TimePoint end;
  };
  std::vector<SeriesRef> series_;
  std::vector<DemandResponseEvent> dr_;

  // Jobs.
  std::vector<Job> owned_jobs_;
  std::vector<JobState> jobs_;
  std::unordered_map<workload::JobId, int32_t> job_index_;  // lookups only
  std::vector<int32_t> queue_;  // job indices, with stale entries skipped
  size_t queue_head_ = 0;       // entries before it are stale
  int64_t queue_live_ = 0;
  std::vector<int32_t> running_;
  int64_t arrivals_pending_ = 0;
  int64_t gpus_total_ = 0, gpus_down_ = 0, gpus_busy_ = 0;

  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  TimePoint now_ = 0;
  TimePoint last_decision_ = INT64_MIN;
  bool deferred_pending_ = false;
  bool ended_ = false;  // window end passed (drain mode)

  // The last full round's input and, for policies with an incremental rule, the planner that
  // continues from it (event mode). The planner reads pin_ and the buffers its spans point into
  // (up_, mode_, queue_view_, running_view_, caps_): none of them is rebuilt or resized while it
  // lives; a failure, repair, price change or demand-response event drops it.
  sched::PolicyInput pin_;
  std::vector<sched::QueuedJob> queue_view_;
  std::vector<sched::RunningJob> running_view_;
  std::vector<Power> caps_;
  std::unique_ptr<sched::IncrementalPlanner> planner_;
  std::vector<sched::QueuedJob> waiting_view_;
  std::vector<int32_t> ended_devices_;
  int64_t waiting_stamp_ = 0;

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

Status Engine::Setup() {
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
  index_ = sched::FleetIndex::Build(flat_);
  const size_t n = flat_.device_count();
  mode_.assign(n, Mode::kOff);
  up_.assign(n, 1);
  device_job_.assign(n, -1);
  device_ai_price_.assign(n, 0);
  node_active_.assign(flat_.node_count(), 0);
  sites_.assign(in_.fleet->sites.size(), SiteState{});
  BuildGroups();
  if (opts_.economics) RefreshPrices(opts_.start);

  // Jobs: in (arrival, id) order; arrivals outside [start, end) are not simulated.
  std::vector<const Job*> sorted;
  for (const auto& j : *in_.jobs) {
    if (j.arrival >= opts_.start && j.arrival < opts_.end) sorted.push_back(&j);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const Job* a, const Job* b) {
    return a->arrival != b->arrival ? a->arrival < b->arrival : a->id < b->id;
  });
  jobs_.resize(sorted.size());
  job_index_.reserve(sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    JobState& js = jobs_[i];
    js.job = sorted[i];
    js.total_work = workload::SpeedModel::WorkUnits(*js.job);
    js.remaining = js.total_work;
    if (!job_index_.emplace(js.job->id, static_cast<int32_t>(i)).second) {
      return Status::InvalidArgument("simulate: duplicate job id " + std::to_string(js.job->id));
    }
    Push(js.job->arrival, EventKind::kJobArrival, static_cast<int64_t>(i));
  }
  arrivals_pending_ = static_cast<int64_t>(jobs_.size());

  // Prices.
  if (opts_.economics) {
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
    BuildDemandResponse();
  }
  // Failures.
  if (opts_.failures.enabled) {
    for (size_t d = 0; d < n; ++d) {
      bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
      double mtbf =
          (asic ? opts_.failures.asic_mtbf_hours : opts_.failures.gpu_mtbf_hours) * 3600.0;
      if (mtbf <= 0) continue;
      double at = static_cast<double>(opts_.start) + std::ceil(rng_fail_.Exponential(mtbf));
      if (at < static_cast<double>(opts_.end)) {
        Push(static_cast<TimePoint>(at), EventKind::kDeviceFailure, static_cast<int64_t>(d));
      }
    }
  }
  if (opts_.round_length <= 0 && opts_.epoch > 0) Push(opts_.start, EventKind::kEpoch, 0);
  Push(opts_.end, EventKind::kEnd, 0);
  now_ = opts_.start;
  next_progress_ = opts_.start + kDay;
  result_.policy = std::string(policy_.name());
  result_.start = opts_.start;
  if (opts_.keep_job_records) result_.job_records.resize(jobs_.size());
  return Status::Ok();
}

void Engine::BuildGroups() {
  const size_t n = flat_.device_count();
  device_group_.assign(n, 0);
  for (size_t d = 0; d < n; ++d) gpus_total_ += flat_.kind[d] == catalog::DeviceKind::kGpu ? 1 : 0;
  std::map<std::tuple<int32_t, const void*, int64_t, int64_t, int64_t>, int32_t> key_to_group;
  std::map<std::pair<int, std::string>, int32_t> usage_index;
  for (size_t d = 0; d < n; ++d) {
    bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
    const void* model =
        asic ? static_cast<const void*>(flat_.asic[d]) : static_cast<const void*>(flat_.gpu[d]);
    Power pi = econ::DevicePower(flat_, d, Mode::kIdle, opts_.power);
    Power pa = econ::DevicePower(flat_, d, Mode::kAi, opts_.power);
    Power pm = econ::DevicePower(flat_, d, Mode::kMine, opts_.power);
    auto key = std::make_tuple(flat_.site[d], model, pi.raw(), pa.raw(), pm.raw());
    auto it = key_to_group.find(key);
    if (it == key_to_group.end()) {
      Group g;
      g.site = flat_.site[d];
      g.kind = flat_.kind[d];
      g.gpu = flat_.gpu[d];
      g.asic = flat_.asic[d];
      g.representative = static_cast<int32_t>(d);
      g.power[static_cast<int>(Mode::kIdle)] = pi;
      g.power[kAi] = pa;
      g.power[kMine] = pm;
      std::string name =
          asic ? (g.asic ? g.asic->name : "unknown ASIC") : (g.gpu ? g.gpu->name : "unknown GPU");
      auto uk = std::make_pair(asic ? 1 : 0, name);
      auto ui = usage_index.find(uk);
      if (ui == usage_index.end()) {
        ClassUsage u;
        u.device_class = name;
        u.kind = asic ? "asic" : "gpu";
        usage_.push_back(u);
        ui = usage_index.emplace(uk, static_cast<int32_t>(usage_.size() - 1)).first;
      }
      g.usage_index = ui->second;
      groups_.push_back(g);
      it = key_to_group.emplace(key, static_cast<int32_t>(groups_.size() - 1)).first;
    }
    device_group_[d] = it->second;
    groups_[static_cast<size_t>(it->second)].count[kOff]++;
    usage_[static_cast<size_t>(groups_[static_cast<size_t>(it->second)].usage_index)].devices++;
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
  const auto& p = opts_.demand_response;
  if (p.enabled) {
    for (size_t s = 0; s < in_.fleet->sites.size(); ++s) {
      const auto& site = in_.fleet->sites[s];
      auto it = in_.market->electricity.find(site.tariff.market);
      if (it == in_.market->electricity.end()) continue;
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
          dr_.push_back(
              {static_cast<int32_t>(s), run_start, t, site.grid_cap.Scaled(p.cap_permille, 1000),
               p.credit,
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

bool Engine::Placeable(const Job& job) const {
  // Some class can host the whole gang, by the rule sched's Round places with (round.cc,
  // Round::ShapeIdOf): on one node, or across nodes of the class when the job tolerates it, with
  // as many GPUs per node as its interconnect allows (all of a node's, or one per node when the
  // node's NIC only carries one GPU's traffic).
  for (const auto& c : index_.classes()) {
    if (c.kind != catalog::DeviceKind::kGpu || c.gpu == nullptr) continue;
    if (c.gpu->memory_gb < job.min_memory_gb) continue;
    if (in_.speed->Rate(job, *c.gpu) <= 0) continue;
    workload::NodeLinks links{c.pcie_lanes_per_gpu, c.nvlink, c.nic_gbps};
    if (job.gpus <= c.max_slot_size && workload::InterconnectFits(job, links, job.gpus, false))
      return true;
    if (job.gpus <= 1 || c.slots.size() <= 1) continue;
    const int64_t per_node = workload::SpanGpusPerNode(job, links, c.max_slot_size);
    if (per_node * static_cast<int64_t>(c.slots.size()) >= job.gpus) return true;
  }
  return false;
}

void Engine::RefreshPrices(TimePoint t) {
  const auto& m = *in_.market;
  for (size_t s = 0; s < sites_.size(); ++s)
    sites_[s].prices = econ::PricesAt(in_.fleet->sites[s], m, t);
  for (auto& g : groups_) {
    if (g.kind == catalog::DeviceKind::kAsic) {
      g.mine_hashrate = g.asic ? g.asic->hashrate : Hashrate();
      g.mine_price = sites_[static_cast<size_t>(g.site)].prices.hashprice;
      continue;
    }
    econ::MiningChoice c =
        econ::BestMining(flat_, static_cast<size_t>(g.representative), m, t, opts_.power);
    if (!c.algorithm.empty()) {
      g.power[kMine] = c.power;
      g.mine_hashrate = c.hashrate;
      g.mine_price = m.gpu_mining.at(c.algorithm).At(t);
    } else {
      g.mine_hashrate = Hashrate();
      g.mine_price = HashPrice();
      if (g.gpu && !g.gpu->mining.empty()) g.power[kMine] = g.gpu->mining.front().power;
    }
  }
}

Power Engine::SiteItPower(size_t s) const {
  Power p = sites_[s].host_power;
  for (const auto& g : groups_) {
    if (static_cast<size_t>(g.site) != s) continue;
    for (int m = 1; m < kModeCount; ++m)
      p += g.power[static_cast<size_t>(m)] * g.count[static_cast<size_t>(m)];
  }
  return p;
}

Power Engine::SiteFacilityPower(size_t s) const {
  return SiteItPower(s).Scaled(in_.fleet->sites[s].pue_milli, 1000);
}

void Engine::Advance(TimePoint to) {
  while (now_ < to) {
    TimePoint bucket_start =
        opts_.start + ((now_ - opts_.start) / opts_.series_step) * opts_.series_step;
    TimePoint seg_end = std::min(to, bucket_start + opts_.series_step);
    AccumulateSegment(now_, seg_end);
    now_ = seg_end;
  }
}

size_t Engine::Bucket(TimePoint t) {
  const size_t bucket = static_cast<size_t>((t - opts_.start) / opts_.series_step);
  if (result_.series.size() <= bucket) {
    const size_t old = result_.series.size();
    result_.series.resize(bucket + 1);
    for (size_t i = old; i <= bucket; ++i) {
      result_.series[i].start = opts_.start + static_cast<TimePoint>(i) * opts_.series_step;
    }
  }
  if (sp_exact_.size() < result_.series.size()) sp_exact_.resize(result_.series.size());
  return bucket;
}

void Engine::RefundUnproductive(const JobState& js, TimePoint now, double lost_units) {
  // uUSD per hour of the whole gang (zero with economics off).
  int64_t gang_price = 0;
  for (int32_t d : js.devices) gang_price += device_ai_price_[static_cast<size_t>(d)];
  if (gang_price == 0) return;
  // Restore seconds actually spent in this run: [run_start, min(now, anchor)).
  const int64_t restore_s = std::max<TimePoint>(0, std::min(now, js.anchor) - js.run_start);
  // Work thrown away, as seconds of this gang: an integer number of seconds in the checkpoint
  // case (progress since the last checkpoint); rounded when a failure restarts a job from scratch.
  const int64_t lost_s =
      js.rate > 0 && lost_units > 0 ? static_cast<int64_t>(std::llround(lost_units / js.rate)) : 0;
  const int64_t secs = restore_s + lost_s;
  if (secs <= 0) return;
  const Int128 refund = static_cast<Int128>(gang_price) * secs;
  exact_.ai -= refund;
  // Booked in the bucket of the second just before `now` (the run's last billed second), so that
  // a run ending on a bucket boundary or at the end of the window adds no bucket of its own.
  sp_exact_[Bucket(std::max(opts_.start, now - 1))].ai -= refund;
}

void Engine::AccumulateSegment(TimePoint a, TimePoint b) {
  const Duration dt = b - a;
  if (dt <= 0) return;
  const size_t bucket = Bucket(a);
  SeriesPoint& sp = result_.series[bucket];
  for (auto& g : groups_) {
    auto& u = usage_[static_cast<size_t>(g.usage_index)];
    for (int m = 0; m < kModeCount; ++m) {
      int64_t ds = g.count[static_cast<size_t>(m)] * dt;
      u.mode_seconds[static_cast<size_t>(m)] += ds;
      sp.mode_device_seconds[static_cast<size_t>(m)] += ds;
    }
    u.down_seconds += g.down * dt;
  }
  sp.queue_job_seconds += queue_live_ * dt;
  ExactTotals seg;
  if (opts_.economics) {
    Power fleet_facility;
    for (size_t s = 0; s < sites_.size(); ++s) {
      const SiteState& st = sites_[s];
      const int64_t pue = in_.fleet->sites[s].pue_milli;
      Power it = SiteItPower(s);
      Power facility = it.Scaled(pue, 1000);
      fleet_facility += facility;
      seg.cost += static_cast<Int128>(it.raw()) * pue * dt * st.prices.energy.raw();
      seg.energy += static_cast<Int128>(it.raw()) * pue * dt;
      seg.ai += static_cast<Int128>(st.ai_price_sum) * dt;
      if (st.dr_active && st.dr_baseline > facility) {
        seg.dr +=
            static_cast<Int128>((st.dr_baseline - facility).raw()) * 1000 * dt * st.dr_credit.raw();
      }
    }
    for (const auto& g : groups_) {
      if (g.mine_hashrate.IsZero()) continue;
      const int64_t pue = in_.fleet->sites[static_cast<size_t>(g.site)].pue_milli;
      int64_t mining = g.count[kMine];
      if (mining > 0) {
        seg.mining += static_cast<Int128>(g.mine_hashrate.raw()) * mining * dt * g.mine_price.raw();
      }
      int64_t off = g.count[kOff];
      if (off > 0) seg.curtailed += static_cast<Int128>(g.power[kMine].raw()) * off * pue * dt;
    }
    sp_exact_[bucket].Add(seg);
    exact_.Add(seg);
    sp.peak_facility_power = std::max(sp.peak_facility_power, fleet_facility);
  }
}

void Engine::SetMode(int32_t d, Mode m) {
  Mode old = mode_[static_cast<size_t>(d)];
  if (old == m) return;
  Group& g = groups_[static_cast<size_t>(device_group_[static_cast<size_t>(d)])];
  g.count[static_cast<size_t>(old)]--;
  g.count[static_cast<size_t>(m)]++;
  mode_[static_cast<size_t>(d)] = m;
  int32_t node = flat_.node[static_cast<size_t>(d)];
  if (node >= 0 && static_cast<size_t>(node) < node_active_.size()) {
    int32_t before = node_active_[static_cast<size_t>(node)];
    int32_t after = before + (old == Mode::kOff ? 1 : 0) - (m == Mode::kOff ? 1 : 0);
    node_active_[static_cast<size_t>(node)] = after;
    SiteState& st = sites_[static_cast<size_t>(g.site)];
    if (before == 0 && after > 0) st.host_power += flat_.node_host_power[static_cast<size_t>(node)];
    if (before > 0 && after == 0) st.host_power -= flat_.node_host_power[static_cast<size_t>(node)];
  }
}

double Engine::RemainingAt(const JobState& js, TimePoint t) const {
  if (js.phase != Phase::kRunning) return js.remaining;
  double p = static_cast<double>(std::max<TimePoint>(0, t - js.anchor));
  return std::max(0.0, js.remaining - p * js.rate);
}

void Engine::ScheduleCompletion(int32_t j) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  ++js.generation;
  if (js.rate <= 0) return;
  double secs = std::ceil(js.remaining / js.rate - 1e-9);
  if (secs < 0) secs = 0;
  Push(js.anchor + static_cast<TimePoint>(secs), EventKind::kJobCompletion, j, js.generation);
}

void Engine::StartJob(int32_t j, const std::vector<int32_t>& devices, TimePoint now) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  double rate = -1;
  for (int32_t d : devices) {
    const catalog::GpuModel* gpu = flat_.gpu[static_cast<size_t>(d)];
    double r = gpu ? in_.speed->Rate(*js.job, *gpu) : 0;
    rate = rate < 0 ? r : std::min(rate, r);
  }
  js.rate = std::max(0.0, rate) * static_cast<double>(devices.size());
  js.phase = Phase::kRunning;
  js.devices = devices;
  js.run_start = now;
  js.anchor = now + (js.needs_restore ? js.job->restore_time : 0);
  js.needs_restore = false;
  if (js.first_start < 0) {
    js.first_start = now;
    queue_delay_.push_back(static_cast<double>(now - js.job->arrival));
  }
  --queue_live_;
  js.running_pos = static_cast<int32_t>(running_.size());
  running_.push_back(j);
  const market::GpuHourPriceTable* table = opts_.economics ? &in_.market->gpu_prices : nullptr;
  for (int32_t d : devices) {
    device_job_[static_cast<size_t>(d)] = j;
    ++gpus_busy_;
    SetMode(d, Mode::kAi);
    if (table) {
      const catalog::GpuModel* gpu = flat_.gpu[static_cast<size_t>(d)];
      int64_t price = gpu ? sched::JobGpuHourPrice(*js.job, *gpu, *table).raw() : 0;
      device_ai_price_[static_cast<size_t>(d)] = price;
      sites_[static_cast<size_t>(flat_.site[static_cast<size_t>(d)])].ai_price_sum += price;
    }
  }
  ScheduleCompletion(j);
}

void Engine::Enqueue(int32_t j, TimePoint now) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  js.phase = Phase::kQueued;
  js.queued_since = now;
  queue_.push_back(j);
  ++queue_live_;
  // Drop stale entries when they are the majority (amortised O(1)).
  if (queue_.size() > 64 && static_cast<int64_t>(queue_.size()) > 2 * queue_live_) {
    std::vector<int32_t> live;
    live.reserve(static_cast<size_t>(queue_live_));
    std::vector<uint8_t> seen(jobs_.size(), 0);
    for (int32_t q : queue_) {
      if (jobs_[static_cast<size_t>(q)].phase == Phase::kQueued && !seen[static_cast<size_t>(q)]) {
        seen[static_cast<size_t>(q)] = 1;
        live.push_back(q);
      }
    }
    queue_.swap(live);
    queue_head_ = 0;
  }
}

void Engine::StopJob(int32_t j, TimePoint now, bool failure) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  const Job& job = *js.job;
  double progress_s = static_cast<double>(std::max<TimePoint>(0, now - js.anchor));
  double done = std::min(js.remaining, progress_s * js.rate);
  double kept = done;
  if (opts_.preemption_costs) {
    if (failure && job.preemptibility == workload::Preemptibility::kNever) {
      kept = -(js.total_work - js.remaining);  // back to the beginning
    } else if (job.preemptibility == workload::Preemptibility::kCheckpoint &&
               job.checkpoint_interval > 0) {
      double ckpt = std::floor(progress_s / static_cast<double>(job.checkpoint_interval)) *
                    static_cast<double>(job.checkpoint_interval);
      kept = std::min(done, ckpt * js.rate);
    }
    js.needs_restore = job.restore_time > 0;
  }
  result_.jobs.lost_work_gpu_hours += std::max(0.0, done - kept) / 3600.0;
  RefundUnproductive(js, now, done - kept);
  js.remaining = std::min(js.total_work, std::max(0.0, js.remaining - kept));
  js.attained_gpu_seconds +=
      static_cast<double>(now - js.run_start) * static_cast<double>(js.devices.size());
  ++js.preemptions;
  ++js.generation;
  ++result_.jobs.preemptions;
  for (int32_t d : js.devices) {
    device_job_[static_cast<size_t>(d)] = -1;
    --gpus_busy_;
    sites_[static_cast<size_t>(flat_.site[static_cast<size_t>(d)])].ai_price_sum -=
        device_ai_price_[static_cast<size_t>(d)];
    device_ai_price_[static_cast<size_t>(d)] = 0;
    if (up_[static_cast<size_t>(d)]) SetMode(d, Mode::kIdle);
  }
  js.devices.clear();
  int32_t pos = js.running_pos;
  running_[static_cast<size_t>(pos)] = running_.back();
  jobs_[static_cast<size_t>(running_[static_cast<size_t>(pos)])].running_pos = pos;
  running_.pop_back();
  js.running_pos = -1;
  Enqueue(j, now);
}

void Engine::CompleteJob(int32_t j, TimePoint now) {
  JobState& js = jobs_[static_cast<size_t>(j)];
  RefundUnproductive(js, now, 0);
  js.attained_gpu_seconds +=
      static_cast<double>(now - js.run_start) * static_cast<double>(js.devices.size());
  js.remaining = 0;
  js.phase = Phase::kDone;
  js.completion = now;
  for (int32_t d : js.devices) {
    device_job_[static_cast<size_t>(d)] = -1;
    --gpus_busy_;
    sites_[static_cast<size_t>(flat_.site[static_cast<size_t>(d)])].ai_price_sum -=
        device_ai_price_[static_cast<size_t>(d)];
    device_ai_price_[static_cast<size_t>(d)] = 0;
    SetMode(d, Mode::kIdle);
  }
  js.devices.clear();
  int32_t pos = js.running_pos;
  running_[static_cast<size_t>(pos)] = running_.back();
  jobs_[static_cast<size_t>(running_[static_cast<size_t>(pos)])].running_pos = pos;
  running_.pop_back();
  js.running_pos = -1;
  ++result_.jobs.finished;
  if (now < opts_.end || opts_.run_until_drained) ++result_.series[Bucket(now)].jobs_finished;
  jct_.push_back(static_cast<double>(now - js.job->arrival));
  result_.jobs.last_completion = std::max(result_.jobs.last_completion, now);
  if (js.job->deadline && now > *js.job->deadline) ++result_.jobs.slo_misses;
}

void Engine::Emit(TimePoint now, const char* trigger, std::string subject, std::string action,
                  std::string_view reason) {
  if (opts_.timeline == nullptr) return;
  DecisionRecord r;
  r.time = now;
  r.policy = std::string(policy_.name());
  r.trigger = trigger;
  r.subject = std::move(subject);
  r.action = std::move(action);
  r.reason = std::string(reason);
  opts_.timeline->OnDecision(r);
}

// Timeline rows for mode changes: one per run of contiguous devices with the same change and
// reason (a plan may switch thousands of devices for one reason).
class ModeRuns {
 public:
  template <typename EmitFn>
  void Add(size_t d, Mode from, Mode to, uint32_t reason, const EmitFn& emit) {
    if (in_run_ && last_ + 1 == d && from_ == from && to_ == to && reason_ == reason) {
      last_ = d;
      return;
    }
    Flush(emit);
    in_run_ = true;
    first_ = last_ = d;
    from_ = from;
    to_ = to;
    reason_ = reason;
  }
  template <typename EmitFn>
  void Flush(const EmitFn& emit) {
    if (!in_run_) return;
    std::string subject = first_ == last_
                              ? "device " + std::to_string(first_)
                              : "devices " + std::to_string(first_) + ".." + std::to_string(last_);
    emit(std::move(subject), std::string(econ::ModeName(from_)) + " -> " + econ::ModeName(to_),
         reason_);
    in_run_ = false;
  }

 private:
  size_t first_ = 0, last_ = 0;
  Mode from_ = Mode::kOff, to_ = Mode::kOff;
  uint32_t reason_ = 0;
  bool in_run_ = false;
};

bool Engine::ApplyMode(size_t d, Mode want) {
  const Mode have = mode_[d];
  if (want == have) return false;
  if (!up_[d]) return false;
  if (device_job_[d] >= 0) {
    if (want != Mode::kAi) ++result_.stats.plan_errors;
    return false;
  }
  if (want == Mode::kAi) {
    ++result_.stats.plan_errors;
    want = Mode::kIdle;
  }
  if (!opts_.economics && want == Mode::kMine) want = Mode::kIdle;
  if (want == have) return false;
  SetMode(static_cast<int32_t>(d), want);
  return true;
}

void Engine::Decide(TimePoint now, const char* trigger) {
  // The planner reads the buffers rebuilt below: drop it first.
  planner_.reset();
  ++result_.stats.decisions;
  last_decision_ = now;
  job_set_changed_ = false;
  // The view the policy reads.
  std::vector<sched::QueuedJob>& queue = queue_view_;
  queue.clear();
  {
    const size_t view = static_cast<size_t>(std::max<int64_t>(1, opts_.max_queue_view));
    queue.reserve(std::min(view, static_cast<size_t>(queue_live_)));
    // Skip (and drop) stale entries at the front; collect up to `view` live ones.
    while (queue_head_ < queue_.size() &&
           jobs_[static_cast<size_t>(queue_[queue_head_])].phase != Phase::kQueued) {
      ++queue_head_;
    }
    if (queue_head_ > 1024 && queue_head_ * 2 > queue_.size()) {
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(queue_head_));
      queue_head_ = 0;
    }
    for (size_t k = queue_head_; k < queue_.size() && queue.size() < view; ++k) {
      JobState& js = jobs_[static_cast<size_t>(queue_[k])];
      if (js.phase != Phase::kQueued) continue;
      if (js.queue_seen == result_.stats.decisions) continue;  // a duplicate entry (re-queued)
      js.queue_seen = result_.stats.decisions;
      queue.push_back(QueuedView(js));
    }
  }
  std::vector<sched::RunningJob>& running = running_view_;
  running.clear();
  running.reserve(running_.size());
  for (int32_t r : running_) {
    const JobState& js = jobs_[static_cast<size_t>(r)];
    sched::RunningJob rj;
    rj.job = js.job;
    rj.devices = std::span<const int32_t>(js.devices);
    rj.start = js.run_start;
    TimePoint progress = std::max<TimePoint>(0, now - js.anchor);
    Duration ck = js.job->checkpoint_interval > 0 ? js.job->checkpoint_interval : progress + 1;
    if (progress == 0)
      rj.last_checkpoint = js.run_start;
    else
      rj.last_checkpoint = js.anchor + (progress / ck) * ck;
    rj.remaining_work = RemainingAt(js, now);
    rj.attained_gpu_seconds = js.attained_gpu_seconds + static_cast<double>(now - js.run_start) *
                                                            static_cast<double>(js.devices.size());
    running.push_back(rj);
  }
  caps_.assign(sites_.size(), Power());
  bool any_cap = false;
  for (size_t s = 0; s < sites_.size(); ++s) {
    caps_[s] = sites_[s].cap_override;
    any_cap = any_cap || !caps_[s].IsZero();
  }
  sched::PolicyInput& pin = pin_;
  pin = sched::PolicyInput{};
  pin.fleet = in_.fleet;
  pin.flat = &flat_;
  pin.index = &index_;
  pin.device_up = std::span<const uint8_t>(up_);
  pin.current_mode = std::span<const Mode>(mode_);
  pin.market = in_.market;
  pin.forecast = in_.forecast ? in_.forecast(now) : nullptr;
  pin.now = now;
  pin.queue = std::span<const sched::QueuedJob>(queue);
  pin.running = std::span<const sched::RunningJob>(running);
  if (any_cap) pin.site_cap_override = std::span<const Power>(caps_);

  // Event mode: the policy may hand back an incremental planner for the events until the next
  // full round (round mode replans only at round boundaries, as Gavel does).
  const bool incremental = opts_.incremental && opts_.round_length <= 0;
  sched::Plan plan = incremental ? policy_.DecideIncremental(pin, rng_policy_, &planner_)
                                 : policy_.Decide(pin, rng_policy_);
  const int64_t errors_before = result_.stats.plan_errors;
  const size_t n = flat_.device_count();
  if (plan.mode.size() != n) {
    ++result_.stats.plan_errors;
    planner_.reset();
    return;
  }
  auto reason_of = [&](uint32_t idx) -> std::string_view {
    return idx < plan.reasons.size() ? std::string_view(plan.reasons[idx]) : std::string_view();
  };
  // 1. Preemptions.
  for (const auto& p : plan.preemptions) {
    auto it = job_index_.find(p.job);
    if (it == job_index_.end() || jobs_[static_cast<size_t>(it->second)].phase != Phase::kRunning) {
      ++result_.stats.plan_errors;
      continue;
    }
    JobState& js = jobs_[static_cast<size_t>(it->second)];
    if (js.job->preemptibility == workload::Preemptibility::kNever) {
      ++result_.jobs.preemptions_refused;
      // The plan counted these GPUs free: its planner would place work on them.
      planner_.reset();
      continue;
    }
    StopJob(it->second, now, /*failure=*/false);
    Emit(now, trigger, "job " + std::to_string(p.job), "preempt", reason_of(p.reason));
  }
  // 2. Starts.
  for (const auto& s : plan.starts) {
    const int32_t j = CheckStart(s);
    if (j < 0) {
      ++result_.stats.plan_errors;
      continue;
    }
    ApplyStart(s, j, now, trigger, reason_of(s.reason));
  }
  // 3. Modes. Timeline rows group contiguous devices with the same change and reason.
  if (!std::equal(plan.mode.begin(), plan.mode.end(), mode_.begin())) {
    ModeRuns runs;
    auto emit = [&](std::string subject, std::string action, uint32_t reason) {
      Emit(now, trigger, std::move(subject), std::move(action), reason_of(reason));
    };
    for (size_t d = 0; d < n; ++d) {
      if (plan.mode[d] == mode_[d]) continue;  // the common case: one compare per device
      const Mode have = mode_[d];
      if (!ApplyMode(d, plan.mode[d])) continue;
      if (opts_.timeline) {
        runs.Add(d, have, mode_[d], d < plan.device_reason.size() ? plan.device_reason[d] : 0,
                 emit);
      }
    }
    runs.Flush(emit);
  }
  // A plan the engine could not follow exactly leaves the planner's state wrong: next time, a
  // full round.
  if (result_.stats.plan_errors != errors_before) planner_.reset();
}

int32_t Engine::CheckStart(const sched::JobStart& s) const {
  auto it = job_index_.find(s.job);
  if (it == job_index_.end()) return -1;
  const JobState& js = jobs_[static_cast<size_t>(it->second)];
  if (js.phase != Phase::kQueued || static_cast<int32_t>(s.devices.size()) != js.job->gpus)
    return -1;
  const size_t n = flat_.device_count();
  for (auto d = s.devices.begin(); d != s.devices.end(); ++d) {
    const auto du = static_cast<size_t>(*d);
    if (*d < 0 || du >= n || !up_[du] || device_job_[du] >= 0 || flat_.gpu[du] == nullptr ||
        in_.speed->Rate(*js.job, *flat_.gpu[du]) <= 0 || std::find(s.devices.begin(), d, *d) != d) {
      return -1;
    }
  }
  return it->second;
}

void Engine::ApplyStart(const sched::JobStart& s, int32_t j, TimePoint now, const char* trigger,
                        std::string_view reason) {
  StartJob(j, s.devices, now);
  if (opts_.timeline) {
    std::string where = std::to_string(s.devices.size()) + " x " +
                        flat_.gpu[static_cast<size_t>(s.devices.front())]->name + " from device " +
                        std::to_string(s.devices.front());
    Emit(now, trigger, "job " + std::to_string(s.job), "start on " + where, reason);
  }
}

bool Engine::ApplyDelta(const sched::IncrementalPlanner::Delta& delta, TimePoint now,
                        const char* trigger) {
  ++result_.stats.incremental_decisions;
  const std::vector<std::string>& reasons = planner_->reasons();
  auto reason_of = [&](uint32_t idx) -> std::string_view {
    return idx < reasons.size() ? std::string_view(reasons[idx]) : std::string_view();
  };
  const int64_t errors_before = result_.stats.plan_errors;
  const size_t n = flat_.device_count();
  for (const auto& s : delta.starts) {
    const int32_t j = CheckStart(s);
    if (j < 0) {
      ++result_.stats.plan_errors;
      continue;
    }
    ApplyStart(s, j, now, trigger, reason_of(s.reason));
  }
  ModeRuns runs;
  auto emit = [&](std::string subject, std::string action, uint32_t reason) {
    Emit(now, trigger, std::move(subject), std::move(action), reason_of(reason));
  };
  for (size_t i = 0; i < delta.modes.size(); ++i) {
    const auto d = static_cast<size_t>(delta.modes[i].first);
    if (d >= n) {
      ++result_.stats.plan_errors;
      continue;
    }
    const Mode have = mode_[d];
    if (!ApplyMode(d, delta.modes[i].second)) continue;
    if (opts_.timeline) {
      runs.Add(d, have, mode_[d], i < delta.mode_reasons.size() ? delta.mode_reasons[i] : 0, emit);
    }
  }
  runs.Flush(emit);
  if (result_.stats.plan_errors == errors_before) return true;
  planner_.reset();
  return false;
}

bool Engine::IncrementalEnd(TimePoint now, const std::vector<int32_t>& devices) {
  // The head of the queue, in the engine's order (arrival or re-queue time); the planner orders
  // it as the policy does (priority, LAS level).
  waiting_view_.clear();
  const int64_t stamp = -(++waiting_stamp_);  // never a decision number (those are positive)
  while (queue_head_ < queue_.size() &&
         jobs_[static_cast<size_t>(queue_[queue_head_])].phase != Phase::kQueued) {
    ++queue_head_;  // started since they were queued: stale
  }
  for (size_t k = queue_head_;
       k < queue_.size() && waiting_view_.size() < static_cast<size_t>(opts_.incremental_waiting);
       ++k) {
    JobState& js = jobs_[static_cast<size_t>(queue_[k])];
    if (js.phase != Phase::kQueued || js.queue_seen == stamp) continue;
    js.queue_seen = stamp;
    waiting_view_.push_back(QueuedView(js));
  }
  planner_->set_now(now);
  const sched::IncrementalPlanner::Delta delta = planner_->OnEnd(devices, waiting_view_);
  return ApplyDelta(delta, now, "completion") && !delta.wants_full_round;
}

bool Engine::IncrementalArrival(TimePoint now, int32_t j) {
  planner_->set_now(now);
  const sched::IncrementalPlanner::Delta delta =
      planner_->OnArrival(QueuedView(jobs_[static_cast<size_t>(j)]));
  return ApplyDelta(delta, now, "arrival") && !delta.wants_full_round;
}

Result<SimResult> Engine::Run() {
  RETURN_IF_ERROR(Setup());
  const TimePoint drain_limit = opts_.end + 10 * 365 * kDay;
  const bool rounds = opts_.round_length > 0;
  int64_t devices_down = 0;
  while (!events_.empty()) {
    const TimePoint t = events_.top().time;
    if (t > drain_limit) break;
    Advance(t);
    bool decide = false;
    const char* trigger = "event";
    bool round_boundary = false;
    bool stop = false;
    auto mark = [&](bool enabled, const char* why) {
      if (enabled && !decide) {
        decide = true;
        trigger = why;
      }
    };
    while (!events_.empty() && events_.top().time == t) {
      const Event e = events_.top();
      events_.pop();
      ++result_.stats.events;
      switch (e.kind) {
        case EventKind::kPriceChange:
          planner_.reset();  // the planner's economics are the last round's prices
          RefreshPrices(t);
          ScheduleNextPriceChange(static_cast<size_t>(e.id), t);
          mark(opts_.decide_on.price_change, "price");
          break;
        case EventKind::kDeviceRepair: {
          const size_t d = static_cast<size_t>(e.id);
          const bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
          // A GPU's health changes what is free for AI: a full round. An ASIC only mines or not.
          const bool incremental = planner_ != nullptr && asic && opts_.decide_on.failure;
          if (!incremental) planner_.reset();
          up_[d] = 1;
          if (flat_.kind[d] == catalog::DeviceKind::kGpu) --gpus_down_;
          Group& g = groups_[static_cast<size_t>(device_group_[d])];
          g.down--;
          g.count[kOff]++;
          --devices_down;
          double mtbf =
              (asic ? opts_.failures.asic_mtbf_hours : opts_.failures.gpu_mtbf_hours) * 3600.0;
          TimePoint next = t + static_cast<TimePoint>(std::ceil(rng_fail_.Exponential(mtbf)));
          if (next < opts_.end) Push(next, EventKind::kDeviceFailure, e.id);
          job_set_changed_ = true;
          if (incremental) {
            if (!ApplyDelta(planner_->OnAsicHealth(static_cast<int32_t>(d)), t, "repair"))
              mark(true, "repair");
          } else {
            mark(opts_.decide_on.failure, "repair");
          }
          if (rounds && !round_active_) round_boundary = true;
          break;
        }
        case EventKind::kDeviceFailure: {
          const size_t d = static_cast<size_t>(e.id);
          if (!up_[d]) break;
          const bool incremental = planner_ != nullptr && opts_.decide_on.failure &&
                                   flat_.kind[d] == catalog::DeviceKind::kAsic;
          if (!incremental) planner_.reset();
          ++result_.stats.device_failures;
          if (device_job_[d] >= 0) StopJob(device_job_[d], t, /*failure=*/true);
          SetMode(static_cast<int32_t>(d), Mode::kOff);
          up_[d] = 0;
          if (flat_.kind[d] == catalog::DeviceKind::kGpu) ++gpus_down_;
          Group& g = groups_[static_cast<size_t>(device_group_[d])];
          g.count[kOff]--;
          g.down++;
          ++devices_down;
          bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
          double mttr =
              (asic ? opts_.failures.asic_mttr_hours : opts_.failures.gpu_mttr_hours) * 3600.0;
          Push(t + std::max<TimePoint>(
                       1, static_cast<TimePoint>(std::ceil(rng_fail_.Exponential(mttr)))),
               EventKind::kDeviceRepair, e.id);
          job_set_changed_ = true;
          Emit(t, "failure", "device " + std::to_string(d), "down",
               "hardware failure (random, MTBF model)");
          if (incremental) {
            if (!ApplyDelta(planner_->OnAsicHealth(static_cast<int32_t>(d)), t, "failure"))
              mark(true, "failure");
          } else {
            mark(opts_.decide_on.failure, "failure");
          }
          break;
        }
        case EventKind::kDemandResponseStart: {
          const DemandResponseEvent& ev = dr_[static_cast<size_t>(e.id)];
          SiteState& st = sites_[static_cast<size_t>(ev.site)];
          planner_.reset();  // a new power cap
          st.dr_baseline = SiteFacilityPower(static_cast<size_t>(ev.site));
          st.dr_active = true;
          // PolicyInput reads a zero cap as "no override": a full curtailment is 1 mW.
          st.cap_override = std::max(ev.cap, Milliwatts(1));
          st.dr_credit = ev.credit;
          ++result_.stats.dr_events;
          mark(opts_.decide_on.demand_response, "demand-response");
          Emit(t, "demand-response", "site " + in_.fleet->sites[static_cast<size_t>(ev.site)].id,
               "cap " + FormatPower(ev.cap), ev.program);
          break;
        }
        case EventKind::kDemandResponseEnd: {
          const DemandResponseEvent& ev = dr_[static_cast<size_t>(e.id)];
          SiteState& st = sites_[static_cast<size_t>(ev.site)];
          planner_.reset();
          st.dr_active = false;
          st.cap_override = Power();
          mark(opts_.decide_on.demand_response, "demand-response");
          break;
        }
        case EventKind::kJobCompletion: {
          JobState& js = jobs_[static_cast<size_t>(e.id)];
          if (js.phase != Phase::kRunning || js.generation != e.generation) break;  // stale
          const bool incremental = planner_ != nullptr && opts_.decide_on.completion;
          if (incremental) ended_devices_ = js.devices;
          CompleteJob(static_cast<int32_t>(e.id), t);
          job_set_changed_ = true;
          if (incremental) {
            // Decided now by the planner; a full round only when its delta did not apply.
            if (!IncrementalEnd(t, ended_devices_)) mark(true, "completion");
          } else {
            mark(opts_.decide_on.completion, "completion");
          }
          if (rounds && round_active_ && running_.empty() && opts_.round_ends_when_work_ends) {
            round_boundary = true;
          }
          break;
        }
        case EventKind::kJobArrival: {
          --arrivals_pending_;
          ++result_.jobs.arrived;
          JobState& js = jobs_[static_cast<size_t>(e.id)];
          if (!Placeable(*js.job)) {
            js.phase = Phase::kUnplaceable;
            ++result_.jobs.unplaceable;
            break;
          }
          Enqueue(static_cast<int32_t>(e.id), t);
          job_set_changed_ = true;
          const bool can_start = !opts_.decide_on.arrival_needs_free_gpu || FreeGpus() > 0;
          if (planner_ != nullptr && opts_.decide_on.arrival) {
            if (can_start && !IncrementalArrival(t, static_cast<int32_t>(e.id)))
              mark(true, "arrival");
          } else {
            mark(opts_.decide_on.arrival && can_start, "arrival");
          }
          if (rounds && !round_active_) round_boundary = true;
          break;
        }
        case EventKind::kRoundEnd:
          if (round_active_ && e.id == round_id_) round_boundary = true;
          break;
        case EventKind::kEpoch:
          if (e.id == 0) {
            TimePoint next = t + opts_.epoch;
            if (next < opts_.end || opts_.run_until_drained) Push(next, EventKind::kEpoch, 0);
            mark(true, "epoch");
          } else {
            deferred_pending_ = false;
            mark(true, "deferred");
          }
          break;
        case EventKind::kEnd:
          ended_ = true;
          if (!opts_.run_until_drained) stop = true;
          break;
      }
    }
    if (stop) break;
    if (rounds) {
      if (round_boundary) {
        // min_decision_gap in round mode (Gavel's minimum_time_between_allocation_resets): a
        // changed job set is replanned only once the gap since the last decision has passed;
        // until then the last plan stands (docs/gavel-fidelity.md).
        const bool gap_passed = opts_.min_decision_gap <= 0 || last_decision_ == INT64_MIN ||
                                t >= last_decision_ + opts_.min_decision_gap;
        if ((job_set_changed_ && gap_passed) || opts_.decide_every_round) Decide(t, "round");
        if (!running_.empty()) {
          round_active_ = true;
          ++round_id_;
          Push(t + opts_.round_length, EventKind::kRoundEnd, round_id_);
        } else if (job_set_changed_ && queue_live_ > 0) {
          // Nothing runs and the gap holds the next plan back: the next round starts when the
          // gap has passed (or earlier arrivals wait for it, as they would inside a round).
          round_active_ = true;
          ++round_id_;
          Push(last_decision_ + opts_.min_decision_gap, EventKind::kRoundEnd, round_id_);
        } else {
          round_active_ = false;
        }
      }
    } else if (decide) {
      if (opts_.min_decision_gap > 0 && last_decision_ != INT64_MIN &&
          t < last_decision_ + opts_.min_decision_gap) {
        if (!deferred_pending_) {
          deferred_pending_ = true;
          Push(last_decision_ + opts_.min_decision_gap, EventKind::kEpoch, 1);
        }
      } else {
        Decide(t, trigger);
      }
    }
    if (opts_.progress && t >= next_progress_) {
      opts_.progress(t);
      next_progress_ = t + kDay;
    }
    // (A round held back by min_decision_gap, with nothing running, is still to come.)
    if (ended_ && opts_.run_until_drained && running_.empty() && arrivals_pending_ == 0 &&
        !round_active_ && (queue_live_ == 0 || devices_down == 0)) {
      break;  // drained, or nothing left that could ever change
    }
  }
  return Finish();
}

SimResult Engine::Finish() {
  result_.end = now_;
  // Runs still going at the end of accounting: their restore seconds so far earned nothing.
  for (int32_t r : running_) RefundUnproductive(jobs_[static_cast<size_t>(r)], now_, 0);
  result_.totals = exact_.ToTotals();
  sp_exact_.resize(result_.series.size());
  for (size_t i = 0; i < result_.series.size(); ++i) {
    result_.series[i].totals = sp_exact_[i].ToTotals();
    result_.series[i].facility_energy = result_.series[i].totals.energy;
  }
  JobMetrics& jm = result_.jobs;
  for (const auto& js : jobs_) {
    if (js.phase == Phase::kFuture || js.phase == Phase::kUnplaceable) continue;
    if (js.phase != Phase::kDone) {
      ++jm.unfinished;
      if (js.first_start < 0) ++jm.never_started;
      if (js.job->deadline && *js.job->deadline < now_) ++jm.slo_misses;
    }
  }
  auto stats = [](std::vector<double>& v, double* avg, double* p50, double* p99) {
    if (v.empty()) return;
    double sum = 0;
    for (double x : v) sum += x;
    *avg = sum / static_cast<double>(v.size());
    std::sort(v.begin(), v.end());
    auto rank = [&](double q) {
      size_t k = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
      return v[std::min(v.size() - 1, k == 0 ? 0 : k - 1)];
    };
    if (p50) *p50 = rank(0.50);
    *p99 = rank(0.99);
  };
  stats(jct_, &jm.avg_jct_s, &jm.p50_jct_s, &jm.p99_jct_s);
  stats(queue_delay_, &jm.avg_queue_delay_s, nullptr, &jm.p99_queue_delay_s);
  result_.classes = usage_;
  std::sort(result_.classes.begin(), result_.classes.end(),
            [](const ClassUsage& a, const ClassUsage& b) {
              return std::tie(a.kind, a.device_class) < std::tie(b.kind, b.device_class);
            });
  if (opts_.keep_job_records) {
    result_.job_records.resize(jobs_.size());
    for (size_t i = 0; i < jobs_.size(); ++i) {
      const JobState& js = jobs_[i];
      result_.job_records[i] = {js.job->id, js.job->arrival, js.first_start, js.completion,
                                js.preemptions};
    }
    std::sort(result_.job_records.begin(), result_.job_records.end(),
              [](const JobRecord& a, const JobRecord& b) { return a.id < b.id; });
  }
  return std::move(result_);
}

}  // namespace

Result<SimResult> Simulate(const SimInputs& inputs, const sched::Policy& policy,
                           const sched::PolicyOptions& policy_options,
                           const EngineOptions& options) {
  Engine engine(inputs, policy, policy_options, options);
  return engine.Run();
}

}  // namespace rigshift::sim
