// The simulator's accounting (sim/engine_internal.h): device groups and their running sums,
// prices, exact money and energy between events, and the World side of what the controller does.
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "sim/engine_internal.h"

namespace rigshift::sim::internal {

using econ::Mode;

namespace {
constexpr int kMine = static_cast<int>(Mode::kMine);
constexpr int kOff = static_cast<int>(Mode::kOff);
constexpr int kAi = static_cast<int>(Mode::kAi);
}  // namespace

int64_t ExactTotals::Div(Int128 n, Int128 d) {
  Int128 q = n / d, r = n % d;
  if ((r < 0 ? -r : r) * 2 >= d) q += n < 0 ? -1 : 1;
  return static_cast<int64_t>(q);
}

MoneyTotals ExactTotals::ToTotals() const {
  MoneyTotals t;
  t.ai_revenue = MicroUsd(Div(ai, 3600));
  t.mining_revenue = MicroUsd(Div(mining, static_cast<Int128>(1'000'000'000) * 86400));
  t.dr_credits = MicroUsd(Div(dr, static_cast<Int128>(1000) * 3600 * 1'000'000'000));
  t.energy_cost = MicroUsd(Div(cost, static_cast<Int128>(1000) * 3600 * 1'000'000'000));
  t.energy = MilliwattHours(Div(energy, 3600 * 1000));
  t.curtailed_energy = MilliwattHours(Div(curtailed, 3600 * 1000));
  return t;
}

void ExactTotals::Add(const ExactTotals& o) {
  ai += o.ai;
  mining += o.mining;
  dr += o.dr;
  cost += o.cost;
  energy += o.energy;
  curtailed += o.curtailed;
}

void Engine::BuildGroups() {
  const size_t n = flat_.device_count();
  device_group_.assign(n, 0);
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

void Engine::RefundUnproductive(const control::JobState& js, TimePoint now, double lost_units) {
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
  sp.queue_job_seconds += ctl_->queued_count() * dt;
  if (!opts_.economics) return;
  ExactTotals seg;
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

// The controller's actions, accounted.

void Engine::ModeChanged(int32_t d, Mode from, Mode to) {
  Group& g = groups_[static_cast<size_t>(device_group_[static_cast<size_t>(d)])];
  g.count[static_cast<size_t>(from)]--;
  g.count[static_cast<size_t>(to)]++;
  int32_t node = flat_.node[static_cast<size_t>(d)];
  if (node >= 0 && static_cast<size_t>(node) < node_active_.size()) {
    int32_t before = node_active_[static_cast<size_t>(node)];
    int32_t after = before + (from == Mode::kOff ? 1 : 0) - (to == Mode::kOff ? 1 : 0);
    node_active_[static_cast<size_t>(node)] = after;
    SiteState& st = sites_[static_cast<size_t>(g.site)];
    if (before == 0 && after > 0) st.host_power += flat_.node_host_power[static_cast<size_t>(node)];
    if (before > 0 && after == 0) st.host_power -= flat_.node_host_power[static_cast<size_t>(node)];
  }
}

void Engine::JobStarted(int32_t j, TimePoint now) {
  const control::JobState& js = ctl_->job(j);
  if (js.starts == 1) queue_delay_.push_back(static_cast<double>(now - js.job->arrival));
  if (opts_.economics) {
    const market::GpuHourPriceTable& table = in_.market->gpu_prices;
    for (int32_t d : js.devices) {
      const catalog::GpuModel* gpu = flat_.gpu[static_cast<size_t>(d)];
      int64_t price = gpu ? sched::JobGpuHourPrice(*js.job, *gpu, table).raw() : 0;
      device_ai_price_[static_cast<size_t>(d)] = price;
      sites_[static_cast<size_t>(flat_.site[static_cast<size_t>(d)])].ai_price_sum += price;
    }
  }
  ScheduleCompletion(j);
}

void Engine::ScheduleCompletion(int32_t j) {
  // A job finishes at the instant its remaining work runs out, rounded up to a whole second.
  const control::JobState& js = ctl_->job(j);
  if (js.rate <= 0) return;
  double secs = std::ceil(js.remaining / js.rate - 1e-9);
  if (secs < 0) secs = 0;
  Push(js.anchor + static_cast<TimePoint>(secs), EventKind::kJobCompletion, j, js.generation);
}

void Engine::ReleasePrices(const control::JobState& js) {
  for (int32_t d : js.devices) {
    sites_[static_cast<size_t>(flat_.site[static_cast<size_t>(d)])].ai_price_sum -=
        device_ai_price_[static_cast<size_t>(d)];
    device_ai_price_[static_cast<size_t>(d)] = 0;
  }
}

void Engine::JobStopped(int32_t j, TimePoint now, control::StopCause cause, double lost_work) {
  const control::JobState& js = ctl_->job(j);
  result_.jobs.lost_work_gpu_hours += std::max(0.0, lost_work) / 3600.0;
  RefundUnproductive(js, now, lost_work);
  if (cause != control::StopCause::kCancelled) ++result_.jobs.preemptions;
  ReleasePrices(js);
}

void Engine::JobCompleted(int32_t j, TimePoint now) {
  const control::JobState& js = ctl_->job(j);
  RefundUnproductive(js, now, 0);
  ReleasePrices(js);
  ++result_.jobs.finished;
  if (now < opts_.end || opts_.run_until_drained) ++result_.series[Bucket(now)].jobs_finished;
  jct_.push_back(static_cast<double>(now - js.job->arrival));
  result_.jobs.last_completion = std::max(result_.jobs.last_completion, now);
  if (js.job->deadline && now > *js.job->deadline) ++result_.jobs.slo_misses;
}

void Engine::Decision(const control::DecisionRecord& record) { opts_.timeline->OnDecision(record); }

SimResult Engine::Finish() {
  result_.end = now_;
  // Runs still going at the end of accounting: their restore seconds so far earned nothing.
  for (int32_t r : ctl_->running()) RefundUnproductive(ctl_->job(r), now_, 0);
  result_.totals = exact_.ToTotals();
  sp_exact_.resize(result_.series.size());
  for (size_t i = 0; i < result_.series.size(); ++i) {
    result_.series[i].totals = sp_exact_[i].ToTotals();
    result_.series[i].facility_energy = result_.series[i].totals.energy;
  }
  const control::ControllerStats& cs = ctl_->stats();
  result_.stats.decisions = cs.decisions;
  result_.stats.incremental_decisions = cs.incremental_decisions;
  result_.stats.plan_errors = cs.plan_errors;
  result_.jobs.preemptions_refused = cs.preemptions_refused;
  FinishJobMetrics();
  result_.classes = usage_;
  std::sort(result_.classes.begin(), result_.classes.end(),
            [](const ClassUsage& a, const ClassUsage& b) {
              return std::tie(a.kind, a.device_class) < std::tie(b.kind, b.device_class);
            });
  if (opts_.keep_job_records) {
    result_.job_records.resize(static_cast<size_t>(ctl_->job_count()));
    for (int32_t i = 0; i < ctl_->job_count(); ++i) {
      const control::JobState& js = ctl_->job(i);
      result_.job_records[static_cast<size_t>(i)] = {js.job->id, js.job->arrival, js.first_start,
                                                     js.completion, js.preemptions};
    }
    std::sort(result_.job_records.begin(), result_.job_records.end(),
              [](const JobRecord& a, const JobRecord& b) { return a.id < b.id; });
  }
  return std::move(result_);
}

void Engine::FinishJobMetrics() {
  JobMetrics& jm = result_.jobs;
  for (int32_t i = 0; i < ctl_->job_count(); ++i) {
    const control::JobState& js = ctl_->job(i);
    if (js.phase == control::JobPhase::kFuture || js.phase == control::JobPhase::kUnplaceable ||
        js.phase == control::JobPhase::kCancelled) {
      continue;
    }
    if (js.phase != control::JobPhase::kDone) {
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
}

}  // namespace rigshift::sim::internal
