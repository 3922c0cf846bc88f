#include "sched/round.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "workload/speed_model.h"

namespace rigshift::sched::internal {
namespace {

constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max() / 4;

// Money per kWh of `power` earning `margin_h` per hour, in micro-USD per kWh (ranking only).
int64_t PerKw(Money margin_h, Power power) {
  if (power.raw() <= 0) return margin_h.raw() > 0 ? kUnlimited : -kUnlimited;
  return MulDiv(margin_h.raw(), 1'000'000, power.raw());
}

}  // namespace

std::string Usd2(Money m) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", ToUsd(m));
  return buf;
}

std::string PricePerMwh(EnergyPrice p) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f USD/MWh", ToUsdPerMwh(p));
  return buf;
}

int32_t LasLevel(const QueuedJob& q, const LasOptions& las, TimePoint now) {
  if (las.starvation_factor > 0) {
    const double waited = static_cast<double>(now - q.queued_since);
    if (waited >= static_cast<double>(las.min_starvation_wait) &&
        waited > las.starvation_factor * q.attained_gpu_seconds) {
      return 0;
    }
  }
  return LasLevelOf(q.attained_gpu_seconds, las);
}

int32_t LasLevelOf(double attained_gpu_seconds, const LasOptions& las) {
  int32_t level = 0;
  for (double t : las.thresholds_gpu_seconds) {
    if (attained_gpu_seconds >= t) ++level;
  }
  return level;
}

int32_t LasLevel(const RunningJob& r, const LasOptions& las) {
  return LasLevelOf(r.attained_gpu_seconds, las);
}

Round::Round(const PolicyInput& in, const PolicyOptions& opt) : in_(in), opt_(opt) {
  RS_CHECK(in.fleet != nullptr && in.flat != nullptr && in.market != nullptr);
  if (in.index != nullptr) {
    ix_ = in.index;
  } else {
    owned_index_ = std::make_unique<FleetIndex>(FleetIndex::Build(*in.flat));
    ix_ = owned_index_.get();
  }
  const fleet::FlatFleet& flat = *in.flat;
  const size_t n = flat.device_count();
  RS_CHECK(ix_->device_count() == n);
  const size_t sites = std::max(in.fleet->sites.size(), ix_->site_count());
  RS_CHECK(sites == in.fleet->sites.size());
  for (const auto& s : in.fleet->sites) site_ids_.push_back(s.id);

  // Prices over the forecast window, per site.
  forecast_hours_ = std::max(1, opt.horizon_hours);
  const market::MarketData& fc = in.forecast != nullptr ? *in.forecast : *in.market;
  price_prefix_.assign(sites, std::vector<int64_t>(static_cast<size_t>(forecast_hours_) + 1, 0));
  for (size_t s = 0; s < sites; ++s) {
    for (int h = 0; h < forecast_hours_; ++h) {
      const market::MarketData& m = h == 0 ? *in.market : fc;
      const TimePoint t = in.now + static_cast<int64_t>(h) * kHour;
      const EnergyPrice p = econ::PricesAt(in.fleet->sites[s], m, t).energy;
      price_prefix_[s][static_cast<size_t>(h) + 1] =
          price_prefix_[s][static_cast<size_t>(h)] + p.raw();
    }
  }

  // Economics per class at `now`.
  const auto& classes = ix_->classes();
  econ_.resize(classes.size());
  for (size_t c = 0; c < classes.size(); ++c) {
    const DeviceClass& dc = classes[c];
    ClassEcon& e = econ_[c];
    const fleet::Site& site = in.fleet->sites[static_cast<size_t>(dc.site)];
    const econ::SitePrices prices = econ::PricesAt(site, *in.market, in.now);
    e.energy = prices.energy;
    const auto rep = static_cast<size_t>(dc.representative);
    e.host_share = dc.node_device_count > 0
                       ? Power::FromRaw(dc.host_power.raw() / dc.node_device_count)
                       : Power();
    e.mine_power = econ::DevicePower(flat, rep, econ::Mode::kMine, opt.power);
    e.ai_power = econ::DevicePower(flat, rep, econ::Mode::kAi, opt.power);
    e.idle_power = econ::DevicePower(flat, rep, econ::Mode::kIdle, opt.power);
    const econ::MiningChoice mc = econ::BestMining(flat, rep, *in.market, in.now, opt.power);
    if (!mc.algorithm.empty()) {
      HashPrice price = prices.hashprice;
      if (dc.kind == catalog::DeviceKind::kGpu)
        price = in.market->gpu_mining.at(mc.algorithm).At(in.now);
      e.can_mine = true;
      e.algorithm = mc.algorithm;
      e.hashrate = mc.hashrate;
      e.mine_choice_power = mc.power;
      e.mine_revenue_h = MiningRevenue(mc.hashrate, kHour, price);
      e.mine_cost_h = econ::EnergyCost(mc.power + e.host_share, kHour, prices);
      e.mine_margin_per_kw = PerKw(e.mine_margin_h(), mc.power + e.host_share);
    }
    if (dc.kind == catalog::DeviceKind::kGpu && dc.gpu != nullptr) {
      e.ai_cost_h = econ::EnergyCost(e.ai_power + e.host_share, kHour, prices);
      e.table_price = econ::DefaultGpuHourPrice(*dc.gpu, in.market->gpu_prices);
    }
  }

  // Plan and envelope.
  plan_.mode.assign(n, econ::Mode::kOff);
  plan_.device_reason.assign(n, 0);
  plan_.AddReason("off");
  site_it_.assign(sites, Power());
  site_it_cap_.assign(sites, Power());
  site_cap_.assign(sites, Power());
  envelope_binding_.assign(sites, 0);
  for (size_t s = 0; s < sites; ++s) {
    const fleet::Site& site = in.fleet->sites[s];
    Power cap = site.grid_cap;
    if (s < in.site_cap_override.size() && in.site_cap_override[s].raw() > 0) {
      cap = std::min(cap.raw() > 0 ? cap : in.site_cap_override[s], in.site_cap_override[s]);
    }
    int64_t it_cap = kUnlimited;
    if (cap.raw() > 0) {
      const int64_t pue = std::max<int64_t>(site.pue_milli, 1);
      it_cap = rigshift::internal::MulChecked(cap.raw(), 1000) / pue;  // floor: it x PUE <= cap
    } else {
      cap = Power::FromRaw(kUnlimited);
    }
    if (site.cooling_capacity.raw() > 0) it_cap = std::min(it_cap, site.cooling_capacity.raw());
    site_cap_[s] = cap;
    site_it_cap_[s] = Power::FromRaw(it_cap);
  }
  rack_it_.assign(flat.rack_count(), Power());
  node_active_.assign(flat.node_count(), 0);

  // Free tracking.
  free_.assign(n, 1);
  const auto& slots = ix_->slots();
  slot_free_.assign(slots.size(), 0);
  class_free_.assign(classes.size(), 0);
  bucket_pos_.assign(slots.size(), -1);
  buckets_.resize(classes.size());
  for (size_t c = 0; c < classes.size(); ++c) {
    buckets_[c].resize(static_cast<size_t>(classes[c].max_slot_size) + 1);
  }
  uint32_t down_reason = 0;
  for (size_t sl = 0; sl < slots.size(); ++sl) {
    const Slot& slot = slots[sl];
    int32_t f = 0;
    for (int32_t d = slot.first_device; d < slot.first_device + slot.count; ++d) {
      if (!device_up(d)) {
        free_[static_cast<size_t>(d)] = 0;
        if (down_reason == 0) down_reason = plan_.AddReason("device down: off");
        plan_.device_reason[static_cast<size_t>(d)] = down_reason;
        continue;
      }
      // Only GPUs are free for AI work.
      if (flat.kind[static_cast<size_t>(d)] == catalog::DeviceKind::kGpu) {
        ++f;
      } else {
        free_[static_cast<size_t>(d)] = 0;
      }
    }
    slot_free_[sl] = f;
    class_free_[static_cast<size_t>(slot.cls)] += f;
    BucketInsert(static_cast<int32_t>(sl));
  }
  reserved_slot_.assign(slots.size(), 0);
  mine_reason_.assign(classes.size(), -1);
  unprofitable_reason_.assign(classes.size(), -1);
  no_mining_reason_.assign(classes.size(), -1);
  envelope_reason_.assign(sites, -1);
}

EnergyPrice Round::MeanEnergyPrice(int32_t site, Duration seconds) const {
  const auto& pre = price_prefix_[static_cast<size_t>(site)];
  int64_t hours = (seconds + kHour - 1) / kHour;
  hours = std::clamp<int64_t>(hours, 1, forecast_hours_);
  return EnergyPrice::FromRaw(pre[static_cast<size_t>(hours)] / hours);
}

EnergyPrice Round::EnergyPriceAtHour(int32_t site, int hour) const {
  const auto& pre = price_prefix_[static_cast<size_t>(site)];
  const auto h = static_cast<size_t>(std::clamp(hour, 0, forecast_hours_ - 1));
  return EnergyPrice::FromRaw(pre[h + 1] - pre[h]);
}

void Round::BuildForecastEcon() {
  if (forecast_econ_built_) return;
  forecast_econ_built_ = true;
  const auto& classes = ix_->classes();
  const market::MarketData& fc = in_.forecast != nullptr ? *in_.forecast : *in_.market;
  const auto hours = static_cast<size_t>(forecast_hours_);
  mine_margin_h_.assign(classes.size(), std::vector<int64_t>(hours, 0));
  alt_prefix_.assign(classes.size(), std::vector<int64_t>(hours + 1, 0));
  ai_cost_prefix_.assign(classes.size(), std::vector<int64_t>(hours + 1, 0));
  for (size_t c = 0; c < classes.size(); ++c) {
    const DeviceClass& dc = classes[c];
    const ClassEcon& e = econ_[c];
    const fleet::Site& site = in_.fleet->sites[static_cast<size_t>(dc.site)];
    for (size_t h = 0; h < hours; ++h) {
      const market::MarketData& m = h == 0 ? *in_.market : fc;
      const TimePoint t = in_.now + static_cast<int64_t>(h) * kHour;
      const econ::SitePrices prices = econ::PricesAt(site, m, t);
      int64_t margin = 0;
      if (e.can_mine) {
        HashPrice price = prices.hashprice;
        if (dc.kind == catalog::DeviceKind::kGpu) {
          auto it = m.gpu_mining.find(e.algorithm);
          price = it != m.gpu_mining.end() ? it->second.At(t) : HashPrice();
        }
        margin = (MiningRevenue(e.hashrate, kHour, price) -
                  econ::EnergyCost(e.mine_choice_power + e.host_share, kHour, prices))
                     .raw();
      }
      mine_margin_h_[c][h] = margin;
      alt_prefix_[c][h + 1] = alt_prefix_[c][h] + std::max<int64_t>(0, margin);
      const int64_t ai_cost = dc.kind == catalog::DeviceKind::kGpu
                                  ? econ::EnergyCost(e.ai_power + e.host_share, kHour, prices).raw()
                                  : 0;
      ai_cost_prefix_[c][h + 1] = ai_cost_prefix_[c][h] + ai_cost;
    }
  }
}

namespace {
size_t HoursOf(Duration seconds, int window) {
  int64_t hours = (seconds + kHour - 1) / kHour;
  return static_cast<size_t>(std::clamp<int64_t>(hours, 1, window));
}
}  // namespace

Money Round::MineMarginAtHour(int32_t cls, int hour) {
  BuildForecastEcon();
  const auto h = static_cast<size_t>(std::clamp(hour, 0, forecast_hours_ - 1));
  return Money::FromRaw(mine_margin_h_[static_cast<size_t>(cls)][h]);
}

Money Round::AiCostAtHour(int32_t cls, int hour) {
  BuildForecastEcon();
  const auto h = static_cast<size_t>(std::clamp(hour, 0, forecast_hours_ - 1));
  const auto& pre = ai_cost_prefix_[static_cast<size_t>(cls)];
  return Money::FromRaw(pre[h + 1] - pre[h]);
}

Money Round::MeanAltMargin(int32_t cls, Duration seconds) {
  BuildForecastEcon();
  const size_t h = HoursOf(seconds, forecast_hours_);
  return Money::FromRaw(alt_prefix_[static_cast<size_t>(cls)][h] / static_cast<int64_t>(h));
}

Money Round::MeanAiCost(int32_t cls, Duration seconds) {
  BuildForecastEcon();
  const size_t h = HoursOf(seconds, forecast_hours_);
  return Money::FromRaw(ai_cost_prefix_[static_cast<size_t>(cls)][h] / static_cast<int64_t>(h));
}

Power Round::DevicePowerIn(int32_t device, econ::Mode mode) const {
  const ClassEcon& e = econ_[static_cast<size_t>(ix_->device_class(static_cast<size_t>(device)))];
  switch (mode) {
    case econ::Mode::kOff:
      return Power();
    case econ::Mode::kIdle:
      return e.idle_power;
    case econ::Mode::kMine:
      return e.mine_power;
    case econ::Mode::kAi:
      return e.ai_power;
  }
  return Power();
}

bool Round::CanSet(int32_t device, econ::Mode mode) const {
  const auto d = static_cast<size_t>(device);
  const econ::Mode old = plan_.mode[d];
  const fleet::FlatFleet& flat = *in_.flat;
  const auto node = static_cast<size_t>(flat.node[d]);
  Power delta = DevicePowerIn(device, mode) - DevicePowerIn(device, old);
  if (old == econ::Mode::kOff && mode != econ::Mode::kOff && node_active_[node] == 0) {
    delta += flat.node_host_power[node];
  }
  if (old != econ::Mode::kOff && mode == econ::Mode::kOff && node_active_[node] == 1) {
    delta -= flat.node_host_power[node];
  }
  if (delta.raw() <= 0) return true;
  const auto s = static_cast<size_t>(flat.site[d]);
  if (site_it_[s] + delta > site_it_cap_[s]) return false;
  const auto r = static_cast<size_t>(flat.rack[d]);
  const Power limit = flat.rack_power_limit[r];
  if (limit.raw() > 0 && rack_it_[r] + delta > limit) return false;
  return true;
}

bool Round::CanPowerAi(const std::vector<int32_t>& devices) const {
  if (devices.empty()) return true;
  const fleet::FlatFleet& flat = *in_.flat;
  // A gang sits in one site, on few racks and nodes: small linear maps.
  Power site_delta;
  std::vector<std::pair<int32_t, Power>> rack_delta;
  std::vector<int32_t> nodes_on;
  for (int32_t dev : devices) {
    const auto d = static_cast<size_t>(dev);
    Power delta = DevicePowerIn(dev, econ::Mode::kAi) - DevicePowerIn(dev, plan_.mode[d]);
    const int32_t node = flat.node[d];
    if (node_active_[static_cast<size_t>(node)] == 0 &&
        std::find(nodes_on.begin(), nodes_on.end(), node) == nodes_on.end()) {
      nodes_on.push_back(node);
      delta += flat.node_host_power[static_cast<size_t>(node)];
    }
    site_delta += delta;
    const int32_t r = flat.rack[d];
    auto it = std::find_if(rack_delta.begin(), rack_delta.end(),
                           [r](const auto& p) { return p.first == r; });
    if (it == rack_delta.end()) {
      rack_delta.emplace_back(r, delta);
    } else {
      it->second += delta;
    }
  }
  const auto s = static_cast<size_t>(flat.site[static_cast<size_t>(devices.front())]);
  if (site_delta.raw() > 0 && site_it_[s] + site_delta > site_it_cap_[s]) return false;
  for (const auto& [r, delta] : rack_delta) {
    const Power limit = flat.rack_power_limit[static_cast<size_t>(r)];
    if (limit.raw() > 0 && delta.raw() > 0 && rack_it_[static_cast<size_t>(r)] + delta > limit)
      return false;
  }
  return true;
}

bool Round::MakeRoomForAi(const std::vector<int32_t>& devices, Money gain_h) {
  if (devices.empty()) return false;
  const fleet::FlatFleet& flat = *in_.flat;
  const int32_t site = flat.site[static_cast<size_t>(devices.front())];
  const auto su = static_cast<size_t>(site);
  // The gang's site delta, as CanPowerAi computes it.
  Power delta;
  std::vector<int32_t> nodes_on;
  for (int32_t dev : devices) {
    const auto d = static_cast<size_t>(dev);
    delta += DevicePowerIn(dev, econ::Mode::kAi) - DevicePowerIn(dev, plan_.mode[d]);
    const int32_t node = flat.node[d];
    if (node_active_[static_cast<size_t>(node)] == 0 &&
        std::find(nodes_on.begin(), nodes_on.end(), node) == nodes_on.end()) {
      nodes_on.push_back(node);
      delta += flat.node_host_power[static_cast<size_t>(node)];
    }
  }
  Power need = site_it_[su] + delta - site_it_cap_[su];
  if (need.raw() <= 0) return CanPowerAi(devices);
  // Mining classes of the site, least margin per kW first.
  std::vector<int32_t> classes = ix_->site_classes(su);
  std::sort(classes.begin(), classes.end(), [&](int32_t a, int32_t b) {
    const int64_t va = econ_[static_cast<size_t>(a)].mine_margin_per_kw,
                  vb = econ_[static_cast<size_t>(b)].mine_margin_per_kw;
    return va != vb ? va < vb : a < b;
  });
  std::vector<int32_t> victims;
  Money lost;
  for (int32_t c : classes) {
    const ClassEcon& e = econ_[static_cast<size_t>(c)];
    for (int32_t slot : ix_->classes()[static_cast<size_t>(c)].slots) {
      const Slot& sl = ix_->slots()[static_cast<size_t>(slot)];
      for (int32_t d = sl.first_device; d < sl.first_device + sl.count && need.raw() > 0; ++d) {
        if (plan_.mode[static_cast<size_t>(d)] != econ::Mode::kMine) continue;
        if (std::find(devices.begin(), devices.end(), d) != devices.end()) continue;
        victims.push_back(d);
        need -= e.mine_power;  // host power stays on unless the whole node goes: not counted
        lost += e.mine_margin_h();
      }
      if (need.raw() <= 0) break;
    }
    if (need.raw() <= 0) break;
  }
  if (need.raw() > 0 || lost >= gain_h) return false;
  MarkEnvelopeBinding(site);
  const uint32_t why = SharedReason("curtailed to make room for AI under site " + site_ids_[su] +
                                    "'s power envelope (mining is always preemptible): off");
  for (int32_t d : victims) SetMode(d, econ::Mode::kOff, why);
  if (CanPowerAi(devices)) return true;
  for (int32_t d : victims)
    SetMode(d, econ::Mode::kMine, MineReason(ix_->device_class(static_cast<size_t>(d))));
  return false;
}

void Round::SetMode(int32_t device, econ::Mode mode, uint32_t reason) {
  const auto d = static_cast<size_t>(device);
  const econ::Mode old = plan_.mode[d];
  plan_.device_reason[d] = reason;
  if (old == mode) return;
  if (change_log_ != nullptr) change_log_->push_back(device);
  const fleet::FlatFleet& flat = *in_.flat;
  const auto node = static_cast<size_t>(flat.node[d]);
  const auto s = static_cast<size_t>(flat.site[d]);
  const auto r = static_cast<size_t>(flat.rack[d]);
  Power delta = DevicePowerIn(device, mode) - DevicePowerIn(device, old);
  if (old == econ::Mode::kOff) {
    if (node_active_[node]++ == 0) delta += flat.node_host_power[node];
  } else if (mode == econ::Mode::kOff) {
    if (--node_active_[node] == 0) delta -= flat.node_host_power[node];
  }
  site_it_[s] += delta;
  rack_it_[r] += delta;
  plan_.mode[d] = mode;
  if (mode == econ::Mode::kAi && free_[d]) {
    free_[d] = 0;
    ChangeSlotFree(ix_->device_slot(d), -1);
  } else if (old == econ::Mode::kAi && device_up(device)) {
    free_[d] = 1;
    ChangeSlotFree(ix_->device_slot(d), +1);
  }
}

void Round::BucketRemove(int32_t slot) {
  const auto sl = static_cast<size_t>(slot);
  const int32_t pos = bucket_pos_[sl];
  if (pos < 0) return;
  auto& bucket =
      buckets_[static_cast<size_t>(ix_->slots()[sl].cls)][static_cast<size_t>(slot_free_[sl])];
  const int32_t last = bucket.back();
  bucket[static_cast<size_t>(pos)] = last;
  bucket_pos_[static_cast<size_t>(last)] = pos;
  bucket.pop_back();
  bucket_pos_[sl] = -1;
}

void Round::BucketInsert(int32_t slot) {
  const auto sl = static_cast<size_t>(slot);
  if (slot_free_[sl] <= 0) return;
  auto& bucket =
      buckets_[static_cast<size_t>(ix_->slots()[sl].cls)][static_cast<size_t>(slot_free_[sl])];
  bucket_pos_[sl] = static_cast<int32_t>(bucket.size());
  bucket.push_back(slot);
}

void Round::ChangeSlotFree(int32_t slot, int32_t delta) {
  BucketRemove(slot);
  slot_free_[static_cast<size_t>(slot)] += delta;
  class_free_[static_cast<size_t>(ix_->slots()[static_cast<size_t>(slot)].cls)] += delta;
  BucketInsert(slot);
}

int32_t Round::ShapeIdOf(const workload::Job& job) {
  auto cached = shape_by_job_.find(&job);
  if (cached != shape_by_job_.end()) return cached->second;
  std::string key;
  key.reserve(job.reference_gpu.size() + job.job_type.size() + 48);
  key += job.reference_gpu;
  key += '\x1f';
  key += job.job_type;
  key += '\x1f';
  key += std::to_string(job.gpus);
  key += '/';
  key += std::to_string(static_cast<int64_t>(job.min_memory_gb * 1000));
  key += '/';
  key += std::to_string(static_cast<int>(job.interconnect));
  key += '/';
  key += std::to_string(static_cast<int64_t>(job.network_gbps * 1000));
  key += job.total_steps > 0 ? "/s" : "/w";
  auto [it, inserted] = shape_of_.try_emplace(std::move(key), static_cast<int32_t>(shapes_.size()));
  shape_by_job_.emplace(&job, it->second);
  if (!inserted) return it->second;
  Shape shape;
  shape.gpus = std::max(1, job.gpus);
  const auto& classes = ix_->classes();
  shape.fit.resize(classes.size());
  for (size_t c = 0; c < classes.size(); ++c) {
    const DeviceClass& dc = classes[c];
    if (dc.kind != catalog::DeviceKind::kGpu || dc.gpu == nullptr) continue;
    if (dc.gpu->memory_gb < job.min_memory_gb) continue;
    double rate = opt_.speed != nullptr ? opt_.speed->Rate(job, *dc.gpu) : 1.0;
    if (!(rate > 0)) continue;
    workload::NodeLinks links{dc.pcie_lanes_per_gpu, dc.nvlink, dc.nic_gbps};
    ShapeFit& f = shape.fit[c];
    f.single_node = shape.gpus <= dc.max_slot_size &&
                    workload::InterconnectFits(job, links, shape.gpus, /*spans_nodes=*/false);
    if (shape.gpus > 1 && dc.slots.size() > 1) {
      f.span_cap = workload::SpanGpusPerNode(job, links, dc.max_slot_size);
    }
    const bool fits_class =
        f.single_node ||
        static_cast<int64_t>(f.span_cap) * static_cast<int64_t>(dc.slots.size()) >= shape.gpus;
    if (!fits_class) {
      f = ShapeFit{};
      continue;
    }
    f.rate = rate;
    shape.runs_anywhere = true;
  }
  shapes_.push_back(std::move(shape));
  return static_cast<int32_t>(shapes_.size() - 1);
}

GpuHourPrice Round::PriceOn(const workload::Job& job, int32_t cls) const {
  if (job.price.raw() > 0) return job.price;
  return econ_[static_cast<size_t>(cls)].table_price;
}

double Round::ExpectedSeconds(const workload::Job& job, double remaining_work, int32_t cls) {
  const Shape& shape = ShapeOf(job);
  const double rate = shape.fit[static_cast<size_t>(cls)].rate;
  if (!(rate > 0)) return std::numeric_limits<double>::infinity();
  return std::max(1.0, remaining_work / (rate * shape.gpus));
}

void Round::PreemptRunning(int32_t r, uint32_t reason) {
  const RunningJob& rj = in_.running[static_cast<size_t>(r)];
  plan_.preemptions.push_back(Preemption{rj.job->id, r, reason});
}

void Round::KeepRunning(const PreemptFn& preempt) {
  const fleet::FlatFleet& flat = *in_.flat;
  std::vector<int32_t> kept;
  kept.reserve(in_.running.size());
  uint32_t down_reason = 0;
  for (size_t r = 0; r < in_.running.size(); ++r) {
    const RunningJob& rj = in_.running[r];
    RS_CHECK(rj.job != nullptr);
    bool any_down = false;
    for (int32_t d : rj.devices) any_down = any_down || !device_up(d);
    if (any_down) {
      if (down_reason == 0) down_reason = SharedReason("preempted: a device of its gang is down");
      PreemptRunning(static_cast<int32_t>(r), down_reason);
      continue;
    }
    if (auto why = preempt(static_cast<int32_t>(r))) {
      PreemptRunning(static_cast<int32_t>(r), *why);
      continue;
    }
    const int32_t cls = ix_->device_class(static_cast<size_t>(rj.devices.front()));
    const uint32_t reason = SharedReason("ai: running job continues on " + ClassLabel(cls));
    for (int32_t d : rj.devices) SetMode(d, econ::Mode::kAi, reason);
    kept.push_back(static_cast<int32_t>(r));
  }
  // Envelope on what is kept (a demand-response cap or a lowered grid cap can force it): preempt
  // the least margin per watt first, never-preemptible jobs last.
  auto over = [&](int32_t s) {
    return site_it_[static_cast<size_t>(s)] > site_it_cap_[static_cast<size_t>(s)];
  };
  auto rack_over = [&](int32_t rk) {
    const Power limit = flat.rack_power_limit[static_cast<size_t>(rk)];
    return limit.raw() > 0 && rack_it_[static_cast<size_t>(rk)] > limit;
  };
  bool any_over = false;
  for (int32_t s = 0; s < site_count(); ++s) any_over = any_over || over(s);
  for (size_t rk = 0; rk < rack_it_.size() && !any_over; ++rk)
    any_over = rack_over(static_cast<int32_t>(rk));
  if (any_over) {
    struct Victim {
      bool never;
      int64_t per_kw;
      int32_t r;
    };
    std::vector<Victim> victims;
    for (int32_t r : kept) {
      const RunningJob& rj = in_.running[static_cast<size_t>(r)];
      const int32_t cls = ix_->device_class(static_cast<size_t>(rj.devices.front()));
      const ClassEcon& e = econ_[static_cast<size_t>(cls)];
      const Money margin = RentalRevenue(1, kHour, PriceOn(*rj.job, cls)) - e.ai_cost_h;
      victims.push_back({rj.job->preemptibility == workload::Preemptibility::kNever,
                         PerKw(margin, e.ai_power + e.host_share), r});
    }
    std::sort(victims.begin(), victims.end(), [](const Victim& a, const Victim& b) {
      if (a.never != b.never) return !a.never;
      if (a.per_kw != b.per_kw) return a.per_kw < b.per_kw;
      return a.r < b.r;
    });
    std::vector<uint8_t> dropped(in_.running.size(), 0);
    for (const Victim& v : victims) {
      const RunningJob& rj = in_.running[static_cast<size_t>(v.r)];
      const int32_t s = flat.site[static_cast<size_t>(rj.devices.front())];
      bool needs = over(s);
      for (int32_t d : rj.devices) needs = needs || rack_over(flat.rack[static_cast<size_t>(d)]);
      if (!needs) continue;
      MarkEnvelopeBinding(s);
      const uint32_t reason = SharedReason(
          "preempted: site " + site_id(s) + " over its power envelope (cap " +
          FormatPower(site_cap_[static_cast<size_t>(s)]) + "); least margin per watt goes first");
      for (int32_t d : rj.devices) SetMode(d, econ::Mode::kOff, EnvelopeReason(s));
      PreemptRunning(v.r, reason);
      dropped[static_cast<size_t>(v.r)] = 1;
    }
    kept.erase(std::remove_if(kept.begin(), kept.end(),
                              [&](int32_t r) { return dropped[static_cast<size_t>(r)] != 0; }),
               kept.end());
  }
  kept_ = kept;
  is_kept_.assign(in_.running.size(), 0);
  for (int32_t r : kept_) is_kept_[static_cast<size_t>(r)] = 1;
  // Occupancy for EASY reservations.
  slot_occupancy_.assign(ix_->slots().size(), {});
  for (int32_t r : kept) {
    const RunningJob& rj = in_.running[static_cast<size_t>(r)];
    const int32_t cls = ix_->device_class(static_cast<size_t>(rj.devices.front()));
    const double secs = ExpectedSeconds(*rj.job, rj.remaining_work, cls);
    const TimePoint end = in_.now + static_cast<TimePoint>(std::min(secs, 1e12));
    for (int32_t d : rj.devices)
      slot_occupancy_[static_cast<size_t>(ix_->device_slot(static_cast<size_t>(d)))].push_back(
          {end, 1});
  }
}

void Round::PreemptKept(int32_t running_index, uint32_t reason) {
  const RunningJob& rj = in_.running[static_cast<size_t>(running_index)];
  for (int32_t d : rj.devices) SetMode(d, econ::Mode::kOff, reason);
  PreemptRunning(running_index, reason);
  kept_.erase(std::remove(kept_.begin(), kept_.end(), running_index), kept_.end());
  is_kept_[static_cast<size_t>(running_index)] = 0;
}

void Round::UndoPreemptKept(int32_t running_index) {
  const RunningJob& rj = in_.running[static_cast<size_t>(running_index)];
  RS_CHECK(!plan_.preemptions.empty() && plan_.preemptions.back().running_index == running_index);
  const int32_t cls = ix_->device_class(static_cast<size_t>(rj.devices.front()));
  const uint32_t reason = SharedReason("ai: running job continues on " + ClassLabel(cls));
  for (int32_t d : rj.devices) SetMode(d, econ::Mode::kAi, reason);
  plan_.preemptions.pop_back();
  kept_.push_back(running_index);
  is_kept_[static_cast<size_t>(running_index)] = 1;
}

std::vector<int32_t> Round::QueueOrder(const std::vector<int64_t>* density) const {
  std::vector<int32_t> order(in_.queue.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  std::vector<int32_t> level(in_.queue.size(), 0);
  if (opt_.order == JobOrder::kLas) {
    for (size_t i = 0; i < order.size(); ++i) level[i] = LasLevel(in_.queue[i], opt_.las, in_.now);
  }
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const workload::Job& ja = *in_.queue[static_cast<size_t>(a)].job;
    const workload::Job& jb = *in_.queue[static_cast<size_t>(b)].job;
    if (ja.priority != jb.priority) return ja.priority > jb.priority;
    if (level[static_cast<size_t>(a)] != level[static_cast<size_t>(b)]) {
      return level[static_cast<size_t>(a)] < level[static_cast<size_t>(b)];
    }
    if (density != nullptr &&
        (*density)[static_cast<size_t>(a)] != (*density)[static_cast<size_t>(b)]) {
      return (*density)[static_cast<size_t>(a)] > (*density)[static_cast<size_t>(b)];
    }
    if (ja.arrival != jb.arrival) return ja.arrival < jb.arrival;
    return ja.id < jb.id;
  });
  if (order.size() > static_cast<size_t>(std::max(0, opt_.max_jobs_examined))) {
    order.resize(static_cast<size_t>(std::max(0, opt_.max_jobs_examined)));
  }
  return order;
}

bool Round::MayPlace(const Shape& shape, int32_t cls) const {
  const ShapeFit& fit = shape.fit[static_cast<size_t>(cls)];
  const int32_t k = shape.gpus;
  if (!(fit.rate > 0) || class_free_[static_cast<size_t>(cls)] < k) return false;
  if (fit.span_cap > 0) return true;
  if (!fit.single_node) return false;
  const auto& buckets = buckets_[static_cast<size_t>(cls)];
  for (size_t f = static_cast<size_t>(k); f < buckets.size(); ++f) {
    if (!buckets[f].empty()) return true;
  }
  return false;
}

std::vector<int32_t> Round::FindPlacement(const workload::Job& job, int32_t cls,
                                          bool avoid_reserved) {
  std::vector<int32_t> out;
  const Shape& shape = ShapeOf(job);
  const ShapeFit& fit = shape.fit[static_cast<size_t>(cls)];
  const int32_t k = shape.gpus;
  if (!(fit.rate > 0) || class_free_[static_cast<size_t>(cls)] < k) return out;
  const auto& buckets = buckets_[static_cast<size_t>(cls)];
  const auto& slots = ix_->slots();
  auto take = [&](int32_t slot, int32_t count) {
    const Slot& s = slots[static_cast<size_t>(slot)];
    for (int32_t d = s.first_device; d < s.first_device + s.count && count > 0; ++d) {
      if (free_[static_cast<size_t>(d)]) {
        out.push_back(d);
        --count;
      }
    }
  };
  if (fit.single_node) {
    // Best fit: the slot with the fewest free devices that still holds the gang.
    for (size_t f = static_cast<size_t>(k); f < buckets.size(); ++f) {
      for (int32_t slot : buckets[f]) {
        if (avoid_reserved && reserved_slot_[static_cast<size_t>(slot)]) continue;
        take(slot, k);
        std::sort(out.begin(), out.end());
        return out;
      }
    }
  }
  if (fit.span_cap > 0) {
    // Fewest nodes: the slots with the most free devices first.
    int32_t need = k;
    for (size_t f = buckets.size(); f-- > 1 && need > 0;) {
      for (int32_t slot : buckets[f]) {
        if (avoid_reserved && reserved_slot_[static_cast<size_t>(slot)]) continue;
        const int32_t here = std::min({need, fit.span_cap, static_cast<int32_t>(f)});
        take(slot, here);
        need -= here;
        if (need == 0) break;
      }
    }
    if (need == 0) {
      std::sort(out.begin(), out.end());
      return out;
    }
  }
  out.clear();
  return out;
}

void Round::Start(int32_t queue_index, std::vector<int32_t> devices, uint32_t reason) {
  const QueuedJob& q = in_.queue[static_cast<size_t>(queue_index)];
  for (int32_t d : devices) SetMode(d, econ::Mode::kAi, reason);
  if (!slot_occupancy_.empty()) {
    const int32_t cls = ix_->device_class(static_cast<size_t>(devices.front()));
    const double secs = ExpectedSeconds(*q.job, q.remaining_work, cls);
    const TimePoint end = in_.now + static_cast<TimePoint>(std::min(secs, 1e12));
    for (int32_t d : devices)
      slot_occupancy_[static_cast<size_t>(ix_->device_slot(static_cast<size_t>(d)))].push_back(
          {end, 1});
  }
  plan_.starts.push_back(JobStart{q.job->id, queue_index, std::move(devices), reason});
}

void Round::StartExternal(const workload::Job& job, std::vector<int32_t> devices, uint32_t reason) {
  for (int32_t d : devices) SetMode(d, econ::Mode::kAi, reason);
  plan_.starts.push_back(JobStart{job.id, -1, std::move(devices), reason});
}

std::optional<TimePoint> Round::Reserve(const workload::Job& job) {
  const Shape& shape = ShapeOf(job);
  const int32_t k = shape.gpus;
  const auto& classes = ix_->classes();
  const auto& slots = ix_->slots();
  std::optional<TimePoint> best;
  int32_t best_slot = -1, best_cls = -1;
  std::vector<Occupancy> occ;
  for (size_t c = 0; c < classes.size(); ++c) {
    const ShapeFit& fit = shape.fit[c];
    if (!(fit.rate > 0)) continue;
    if (fit.single_node) {
      for (int32_t slot : classes[c].slots) {
        const auto sl = static_cast<size_t>(slot);
        if (slots[sl].count < k) continue;
        int32_t free = slot_free_[sl];
        occ = slot_occupancy_.empty() ? std::vector<Occupancy>{} : slot_occupancy_[sl];
        std::sort(occ.begin(), occ.end(),
                  [](const Occupancy& a, const Occupancy& b) { return a.end < b.end; });
        std::optional<TimePoint> t;
        if (free >= k) t = in_.now;
        for (size_t i = 0; i < occ.size() && !t; ++i) {
          free += occ[i].devices;
          if (free >= k) t = occ[i].end;
        }
        if (t && (!best || *t < *best)) {
          best = t;
          best_slot = slot;
          best_cls = static_cast<int32_t>(c);
        }
      }
    } else if (fit.span_cap > 0) {
      int32_t free = class_free_[c];
      occ.clear();
      if (!slot_occupancy_.empty()) {
        for (int32_t slot : classes[c].slots) {
          const auto& so = slot_occupancy_[static_cast<size_t>(slot)];
          occ.insert(occ.end(), so.begin(), so.end());
        }
      }
      std::sort(occ.begin(), occ.end(),
                [](const Occupancy& a, const Occupancy& b) { return a.end < b.end; });
      std::optional<TimePoint> t;
      if (free >= k) t = in_.now;
      for (size_t i = 0; i < occ.size() && !t; ++i) {
        free += occ[i].devices;
        if (free >= k) t = occ[i].end;
      }
      if (t && (!best || *t < *best)) {
        best = t;
        best_slot = -1;
        best_cls = static_cast<int32_t>(c);
      }
    }
  }
  if (!best) return std::nullopt;
  if (best_slot >= 0) {
    reserved_slot_[static_cast<size_t>(best_slot)] = 1;
    reserved_slots_.push_back(best_slot);
  } else {
    int32_t need = k;
    const auto& buckets = buckets_[static_cast<size_t>(best_cls)];
    for (size_t f = buckets.size(); f-- > 1 && need > 0;) {
      for (int32_t slot : buckets[f]) {
        reserved_slot_[static_cast<size_t>(slot)] = 1;
        reserved_slots_.push_back(slot);
        need -= static_cast<int32_t>(f);
        if (need <= 0) break;
      }
    }
  }
  shadow_ = best;
  reserved_job_ = &job;
  return best;
}

void Round::ScheduleQueue(const std::vector<int32_t>& order, const ChooseFn& choose,
                          const StartReasonFn& start_reason, bool easy) {
  const auto& classes = ix_->classes();
  const uint32_t no_fit =
      SharedReason("waits: cannot run on this fleet (memory, interconnect or speed data)");
  const uint32_t no_free = SharedReason("waits: no free placement that fits it now");
  int64_t total_free = 0;
  for (int32_t f : class_free_) total_free += f;
  std::vector<int32_t> candidates;
  std::vector<std::vector<int32_t>> placements(classes.size());
  uint32_t reserved_reason = 0;
  for (int32_t qi : order) {
    const QueuedJob& q = in_.queue[static_cast<size_t>(qi)];
    const workload::Job& job = *q.job;
    const Shape& shape = ShapeOf(job);
    if (!shape.runs_anywhere) {
      plan_.waits.push_back({job.id, qi, no_fit});
      continue;
    }
    candidates.clear();
    for (size_t c = 0; c < classes.size() && total_free >= shape.gpus; ++c) {
      if (MayPlace(shape, static_cast<int32_t>(c))) candidates.push_back(static_cast<int32_t>(c));
    }
    // The policy chooses among classes where a placement may exist; the placement and the
    // envelope are then checked on the chosen class only, and a class that fails is dropped and
    // the choice made again (cheaper than placing on every class first).
    Choice choice;
    while (!candidates.empty()) {
      choice = choose(qi, candidates);
      if (choice.cls < 0) break;
      const auto c = static_cast<size_t>(choice.cls);
      bool avoid = false;
      if (has_reservation()) {
        const double secs = ExpectedSeconds(job, q.remaining_work, choice.cls);
        avoid = static_cast<double>(in_.now) + secs > static_cast<double>(*shadow_);
      }
      placements[c] = FindPlacement(job, choice.cls, avoid);
      if (!placements[c].empty() && CanPowerAi(placements[c])) break;
      candidates.erase(std::find(candidates.begin(), candidates.end(), choice.cls));
      choice = Choice{};
    }
    if (candidates.empty()) {
      if (easy && !has_reservation()) {
        if (auto t = Reserve(job)) {
          reserved_reason =
              SharedReason("waits: EASY backfill holds GPUs for job " + std::to_string(job.id) +
                           " from " + FormatTimestamp(*t) + "; later jobs may not delay it");
          plan_.waits.push_back({job.id, qi,
                                 SharedReason("waits: head of the queue; GPUs reserved from " +
                                              FormatTimestamp(*t))});
          continue;
        }
      }
      plan_.waits.push_back({job.id, qi, has_reservation() ? reserved_reason : no_free});
      continue;
    }
    if (choice.cls < 0) {
      plan_.waits.push_back({job.id, qi, choice.wait_reason});
      continue;
    }
    const uint32_t why = start_reason(qi, choice.cls);
    total_free -= shape.gpus;
    Start(qi, std::move(placements[static_cast<size_t>(choice.cls)]), why);
  }
}

namespace {

std::string GpuHours(double gpu_seconds) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f GPU-h", gpu_seconds / static_cast<double>(kHour));
  return buf;
}

std::string Hours(Duration seconds) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f h", static_cast<double>(seconds) / kHour);
  return buf;
}

// Victims tried per class for one waiting job (bounds the round's work on large fleets).
constexpr size_t kMaxLasTrialsPerClass = 256;

}  // namespace

bool Round::LasPreemptFor(int32_t queue_index, const ChooseFn& choose,
                          const StartReasonFn& start_reason) {
  const QueuedJob& q = in_.queue[static_cast<size_t>(queue_index)];
  const workload::Job& job = *q.job;
  const Shape& shape = ShapeOf(job);
  if (!shape.runs_anywhere) return false;
  const LasOptions& las = opt_.las;
  const int32_t level = LasLevel(q, las, in_.now);

  // Victims: kept jobs of strictly lower LAS priority, past the thrashing guard, most attained
  // service first (the candidates are sorted once per round; see BuildLasVictims).
  BuildLasVictims();
  std::vector<LasVictim> victims;
  for (const LasVictim& v : las_victims_) {
    if (v.level <= level || !is_kept_[static_cast<size_t>(v.r)]) continue;
    if (in_.running[static_cast<size_t>(v.r)].job->priority > job.priority) continue;
    victims.push_back(v);
  }

  // Classes where the free devices plus the victims' could hold the gang.
  const auto& classes = ix_->classes();
  std::vector<int64_t> could_free(classes.size(), 0);
  for (const LasVictim& v : victims) {
    for (int32_t d : in_.running[static_cast<size_t>(v.r)].devices)
      ++could_free[static_cast<size_t>(ix_->device_class(static_cast<size_t>(d)))];
  }
  std::vector<int32_t> candidates;
  for (size_t c = 0; c < classes.size(); ++c) {
    if (!(shape.fit[c].rate > 0)) continue;
    if (class_free_[c] + could_free[c] < shape.gpus) continue;
    candidates.push_back(static_cast<int32_t>(c));
  }

  auto in_class = [&](int32_t r, int32_t cls) {
    for (int32_t d : in_.running[static_cast<size_t>(r)].devices)
      if (ix_->device_class(static_cast<size_t>(d)) == cls) return true;
    return false;
  };
  auto undo = [&](const std::vector<int32_t>& preempted) {
    for (size_t i = preempted.size(); i-- > 0;) UndoPreemptKept(preempted[i]);
  };
  std::vector<int32_t> trial, needed, placement;
  while (!candidates.empty()) {
    const Choice choice = choose(queue_index, candidates);
    if (choice.cls < 0) return false;  // the policy runs it on none of these classes
    const int32_t cls = choice.cls;
    // EASY: a job that would outlast the reservation stays off the reserved slots (unless the
    // reservation is its own).
    const bool avoid = has_reservation() && reserved_job_ != &job &&
                       static_cast<double>(in_.now) + ExpectedSeconds(job, q.remaining_work, cls) >
                           static_cast<double>(*shadow_);
    auto fits = [&] {
      placement = FindPlacement(job, cls, avoid);
      return !placement.empty() && CanPowerAi(placement);
    };
    // Preempt, most attained first, until the gang fits (trial reasons: 0, replaced below).
    trial.clear();
    bool ok = fits();
    for (const LasVictim& v : victims) {
      if (ok || trial.size() >= kMaxLasTrialsPerClass) break;
      if (!in_class(v.r, cls)) continue;
      PreemptKept(v.r, 0);
      trial.push_back(v.r);
      ok = fits();
    }
    undo(trial);
    if (ok) {
      // Keep only the victims whose devices the placement uses.
      needed.clear();
      for (int32_t r : trial) {
        for (int32_t d : in_.running[static_cast<size_t>(r)].devices) {
          if (std::find(placement.begin(), placement.end(), d) != placement.end()) {
            needed.push_back(r);
            break;
          }
        }
      }
      const std::string attained_text = GpuHours(q.attained_gpu_seconds);
      for (int32_t r : needed) {
        const RunningJob& rj = in_.running[static_cast<size_t>(r)];
        const int32_t lv = LasLevel(rj, las);
        const std::string who = "job " + std::to_string(rj.job->id) + " at level " +
                                std::to_string(lv) + " (" + GpuHours(rj.attained_gpu_seconds) + ")";
        PreemptKept(r, plan_.AddReason("LAS: job " + std::to_string(job.id) + " (level " +
                                       std::to_string(level) + ", " + attained_text +
                                       " attained) waits; " + who + " preempted after " +
                                       Hours(in_.now - rj.start) + " in this run"));
      }
      ok = fits();
      if (!ok) undo(needed);
    }
    if (!ok) {
      candidates.erase(std::find(candidates.begin(), candidates.end(), cls));
      continue;
    }
    std::string why(plan_.Reason(start_reason(queue_index, cls)));
    if (!needed.empty()) {
      why += " (LAS level " + std::to_string(level) + ": in place of ";
      for (size_t i = 0; i < needed.size(); ++i) {
        const RunningJob& rj = in_.running[static_cast<size_t>(needed[i])];
        why += (i == 0 ? "job " : ", job ") + std::to_string(rj.job->id) + " (level " +
               std::to_string(LasLevel(rj, las)) + ")";
      }
      why += ")";
    }
    Start(queue_index, std::move(placement), plan_.AddReason(why));
    if (reserved_job_ == &job) {
      // The job that held the EASY reservation has started: later jobs may use those slots.
      for (int32_t slot : reserved_slots_) reserved_slot_[static_cast<size_t>(slot)] = 0;
      reserved_slots_.clear();
      shadow_.reset();
      reserved_job_ = nullptr;
    }
    return true;
  }
  return false;
}

void Round::BuildLasVictims() {
  if (las_victims_built_) return;
  las_victims_built_ = true;
  for (int32_t r : kept_) {
    const RunningJob& rj = in_.running[static_cast<size_t>(r)];
    if (rj.job->preemptibility == workload::Preemptibility::kNever) continue;
    if (in_.now - rj.start < opt_.las.min_run_before_preempt) continue;
    const int32_t level = LasLevel(rj, opt_.las);
    if (level == 0) continue;  // nobody is above level 0
    las_victims_.push_back({r, level, rj.attained_gpu_seconds});
  }
  // Most attained first, then the higher level, then the running index (deterministic).
  std::sort(las_victims_.begin(), las_victims_.end(), [](const LasVictim& a, const LasVictim& b) {
    if (a.attained != b.attained) return a.attained > b.attained;
    if (a.level != b.level) return a.level > b.level;
    return a.r < b.r;
  });
}

void Round::LasPreemptWaiting(const ChooseFn& choose, const StartReasonFn& start_reason) {
  if (!las_preempts() || plan_.waits.empty()) return;
  // The highest level among possible victims: a waiting job at or above it cannot preempt.
  BuildLasVictims();
  int32_t max_victim_level = 0;
  for (const LasVictim& v : las_victims_) max_victim_level = std::max(max_victim_level, v.level);
  if (max_victim_level <= 0) return;
  std::vector<JobWait> waits = std::move(plan_.waits);
  plan_.waits.clear();
  int tried = 0;
  bool freed = false;  // some preemption this round may have left devices free
  for (const JobWait& w : waits) {
    if (w.queue_index < 0 || tried >= opt_.las.max_preempting_jobs) {
      plan_.waits.push_back(w);
      continue;
    }
    const QueuedJob& q = in_.queue[static_cast<size_t>(w.queue_index)];
    if (!freed && LasLevel(q, opt_.las, in_.now) >= max_victim_level) {
      plan_.waits.push_back(w);
      continue;
    }
    ++tried;
    const size_t before = plan_.preemptions.size();
    if (LasPreemptFor(w.queue_index, choose, start_reason)) {
      freed = freed || plan_.preemptions.size() > before;
      continue;
    }
    plan_.waits.push_back(w);
  }
}

Power Round::CurrentSiteIt(int32_t site) const {
  if (in_.current_mode.empty()) return Power();
  const fleet::FlatFleet& flat = *in_.flat;
  Power total;
  for (size_t node = 0; node < flat.node_count(); ++node) {
    if (flat.node_site[node] != site) continue;
    bool on = false;
    for (int32_t d = flat.node_first_device[node];
         d < flat.node_first_device[node] + flat.node_device_count[node]; ++d) {
      const econ::Mode m = in_.current_mode[static_cast<size_t>(d)];
      if (m == econ::Mode::kOff) continue;
      on = true;
      total += DevicePowerIn(d, m);
    }
    if (on) total += flat.node_host_power[node];
  }
  return total;
}

void Round::FillMining(const MineFn& mine, const OffFn& off_reason,
                       const std::vector<int64_t>* limit, const OffFn& limit_reason) {
  const auto& classes = ix_->classes();
  const auto& slots = ix_->slots();
  for (int32_t s = 0; s < site_count(); ++s) {
    std::vector<std::pair<int32_t, uint32_t>> miners;  // class, reason
    for (int32_t c : ix_->site_classes(static_cast<size_t>(s))) {
      std::optional<uint32_t> why = mine(c);
      if (why) {
        miners.emplace_back(c, *why);
        continue;
      }
      const uint32_t off = off_reason(c);
      for (int32_t slot : classes[static_cast<size_t>(c)].slots) {
        const Slot& sl = slots[static_cast<size_t>(slot)];
        for (int32_t d = sl.first_device; d < sl.first_device + sl.count; ++d) {
          if (device_up(d) && plan_.mode[static_cast<size_t>(d)] == econ::Mode::kOff) {
            plan_.device_reason[static_cast<size_t>(d)] = off;
          }
        }
      }
    }
    std::stable_sort(miners.begin(), miners.end(), [&](const auto& a, const auto& b) {
      const int64_t va = econ_[static_cast<size_t>(a.first)].mine_margin_per_kw;
      const int64_t vb = econ_[static_cast<size_t>(b.first)].mine_margin_per_kw;
      if (va != vb) return va > vb;
      return a.first < b.first;
    });
    for (const auto& [c, why] : miners) {
      int64_t left =
          limit != nullptr ? (*limit)[static_cast<size_t>(c)] : std::numeric_limits<int64_t>::max();
      for (int32_t slot : classes[static_cast<size_t>(c)].slots) {
        const Slot& sl = slots[static_cast<size_t>(slot)];
        for (int32_t d = sl.first_device; d < sl.first_device + sl.count; ++d) {
          if (!device_up(d) || plan_.mode[static_cast<size_t>(d)] != econ::Mode::kOff) continue;
          if (left <= 0) {
            plan_.device_reason[static_cast<size_t>(d)] =
                limit_reason ? limit_reason(c) : off_reason(c);
            continue;
          }
          if (CanSet(d, econ::Mode::kMine)) {
            --left;
            SetMode(d, econ::Mode::kMine, why);
          } else {
            MarkEnvelopeBinding(s);
            plan_.device_reason[static_cast<size_t>(d)] = EnvelopeReason(s);
          }
        }
      }
    }
  }
}

Plan Round::Finish() {
  plan_.site_power.resize(static_cast<size_t>(site_count()));
  for (int32_t s = 0; s < site_count(); ++s) {
    const auto su = static_cast<size_t>(s);
    SitePower& sp = plan_.site_power[su];
    sp.it = site_it_[su];
    sp.facility = site_it_[su].Scaled(in_.fleet->sites[su].pue_milli, 1000);
    sp.cap = site_cap_[su];
    sp.envelope_binding = envelope_binding_[su] != 0;
    RS_CHECK(site_it_[su] <= site_it_cap_[su]);
  }
  for (size_t r = 0; r < rack_it_.size(); ++r) {
    const Power limit = in_.flat->rack_power_limit[r];
    RS_CHECK(limit.raw() <= 0 || rack_it_[r] <= limit);
  }
  return std::move(plan_);
}

uint32_t Round::SharedReason(const std::string& text) {
  auto it = shared_reason_.find(text);
  if (it != shared_reason_.end()) return it->second;
  const uint32_t idx = plan_.AddReason(text);
  shared_reason_.emplace(text, idx);
  return idx;
}

uint32_t Round::MineReason(int32_t cls) {
  int64_t& cached = mine_reason_[static_cast<size_t>(cls)];
  if (cached < 0) {
    const ClassEcon& e = econ_[static_cast<size_t>(cls)];
    cached = plan_.AddReason("mine " + e.algorithm + ": pays " + Usd2(e.mine_revenue_h) +
                             " USD/h > power " + Usd2(e.mine_cost_h) + " USD/h at " +
                             PricePerMwh(e.energy));
  }
  return static_cast<uint32_t>(cached);
}

uint32_t Round::UnprofitableReason(int32_t cls) {
  int64_t& cached = unprofitable_reason_[static_cast<size_t>(cls)];
  if (cached < 0) {
    const ClassEcon& e = econ_[static_cast<size_t>(cls)];
    cached = plan_.AddReason("mining " + e.algorithm + " pays " + Usd2(e.mine_revenue_h) +
                             " USD/h <= power " + Usd2(e.mine_cost_h) + " USD/h at " +
                             PricePerMwh(e.energy) + ": off");
  }
  return static_cast<uint32_t>(cached);
}

uint32_t Round::NoMiningReason(int32_t cls) {
  int64_t& cached = no_mining_reason_[static_cast<size_t>(cls)];
  if (cached < 0)
    cached = plan_.AddReason("no priced mining profile for " + ClassLabel(cls) + ": off");
  return static_cast<uint32_t>(cached);
}

uint32_t Round::EnvelopeReason(int32_t site) {
  int64_t& cached = envelope_reason_[static_cast<size_t>(site)];
  if (cached < 0) {
    const auto s = static_cast<size_t>(site);
    cached =
        plan_.AddReason("site " + site_ids_[s] + " at its power envelope (facility cap " +
                        FormatPower(site_cap_[s]) + ", IT cap " + FormatPower(site_it_cap_[s]) +
                        ", or a rack limit): less valuable load curtailed: off");
  }
  return static_cast<uint32_t>(cached);
}

}  // namespace rigshift::sched::internal
