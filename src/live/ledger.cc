#include "live/ledger.h"

#include <map>
#include <tuple>

namespace rigshift::live {

using econ::Mode;

namespace {
constexpr size_t kOffI = static_cast<size_t>(Mode::kOff);
constexpr size_t kMineI = static_cast<size_t>(Mode::kMine);
constexpr size_t kAiI = static_cast<size_t>(Mode::kAi);
}  // namespace

Money SiteLedger::total_energy_cost() const {
  Money m = host_energy_cost + energy_before_restart;
  for (const auto& c : energy_cost) m += c;
  return m;
}

Money SiteLedger::net_margin() const { return ai_revenue + mining_revenue - total_energy_cost(); }

Ledger::Ledger(const fleet::Fleet& fleet, const fleet::FlatFleet& flat,
               const econ::PowerModel& power)
    : fleet_(fleet), flat_(flat), power_(power) {
  const size_t n = flat.device_count();
  device_group_.assign(n, 0);
  mode_.assign(n, Mode::kOff);
  up_.assign(n, 1);
  ai_price_.assign(n, 0);
  node_active_.assign(flat.node_count(), 0);
  sites_.resize(fleet.sites.size());
  site_ai_price_.assign(fleet.sites.size(), 0);
  std::map<std::tuple<int32_t, const void*, int64_t, int64_t>, int32_t> key_to_group;
  for (size_t d = 0; d < n; ++d) {
    const bool asic = flat.kind[d] == catalog::DeviceKind::kAsic;
    const void* model = asic ? static_cast<const void*>(flat.asic[d]) : static_cast<const void*>(flat.gpu[d]);
    const Power idle = econ::DevicePower(flat, d, Mode::kIdle, power);
    const Power ai = econ::DevicePower(flat, d, Mode::kAi, power);
    auto key = std::make_tuple(flat.site[d], model, idle.raw(), ai.raw());
    auto it = key_to_group.find(key);
    if (it == key_to_group.end()) {
      Group g;
      g.site = flat.site[d];
      g.representative = static_cast<int32_t>(d);
      g.power[static_cast<size_t>(Mode::kIdle)] = idle;
      g.power[kAiI] = ai;
      g.power[kMineI] = econ::DevicePower(flat, d, Mode::kMine, power);
      groups_.push_back(g);
      it = key_to_group.emplace(key, static_cast<int32_t>(groups_.size() - 1)).first;
    }
    device_group_[d] = it->second;
    groups_[static_cast<size_t>(it->second)].count[kOffI]++;
    sites_[static_cast<size_t>(flat.site[d])].devices[kOffI]++;
  }
}

void Ledger::SetPrices(const market::MarketData& market, TimePoint t) {
  for (size_t s = 0; s < sites_.size(); ++s) {
    sites_[s].prices = econ::PricesAt(fleet_.sites[s], market, t);
  }
  for (auto& g : groups_) {
    const auto d = static_cast<size_t>(g.representative);
    if (flat_.kind[d] == catalog::DeviceKind::kAsic) {
      g.hashrate = flat_.asic[d] ? flat_.asic[d]->hashrate : Hashrate();
      g.hashprice = sites_[static_cast<size_t>(g.site)].prices.hashprice;
      continue;
    }
    const econ::MiningChoice c = econ::BestMining(flat_, d, market, t, power_);
    if (!c.algorithm.empty()) {
      g.power[kMineI] = c.power;
      g.hashrate = c.hashrate;
      g.hashprice = market.gpu_mining.at(c.algorithm).At(t);
    } else {
      g.hashrate = Hashrate();
      g.hashprice = HashPrice();
    }
  }
  for (size_t s = 0; s < sites_.size(); ++s) Refresh(s);
}

void Ledger::Refresh(size_t s) {
  SiteLedger& st = sites_[s];
  st.it_power = {};
  for (const auto& g : groups_) {
    if (static_cast<size_t>(g.site) != s) continue;
    for (size_t m = 1; m < kModes; ++m) st.it_power[m] += g.power[m] * g.count[m];
  }
  Power it = st.host_power;
  for (const auto& p : st.it_power) it += p;
  st.facility_power = it.Scaled(fleet_.sites[s].pue_milli, 1000);
}

void Ledger::Advance(TimePoint to) {
  const Duration dt = to - now_;
  if (dt <= 0) return;
  for (size_t s = 0; s < sites_.size(); ++s) {
    SiteLedger& st = sites_[s];
    const int64_t pue = fleet_.sites[s].pue_milli;
    auto cost = [&](Power it) { return CostOf(it.Scaled(pue, 1000), dt, st.prices.energy); };
    for (size_t m = 1; m < kModes; ++m) st.energy_cost[m] += cost(st.it_power[m]);
    st.host_energy_cost += cost(st.host_power);
    st.facility_energy += EnergyOver(st.facility_power, dt);
    st.ai_revenue += Money::FromRaw(MulDiv(site_ai_price_[s], dt, kHour));
  }
  for (const auto& g : groups_) {
    if (g.count[kMineI] == 0 || g.hashrate.IsZero()) continue;
    sites_[static_cast<size_t>(g.site)].mining_revenue +=
        MiningRevenue(g.hashrate * g.count[kMineI], dt, g.hashprice);
  }
  now_ = to;
}

void Ledger::SetMode(int32_t device, Mode m) {
  const auto d = static_cast<size_t>(device);
  const Mode old = mode_[d];
  if (old == m) return;
  Group& g = groups_[static_cast<size_t>(device_group_[d])];
  SiteLedger& st = sites_[static_cast<size_t>(g.site)];
  if (up_[d]) {
    g.count[static_cast<size_t>(old)]--;
    g.count[static_cast<size_t>(m)]++;
  }
  st.devices[static_cast<size_t>(old)]--;
  st.devices[static_cast<size_t>(m)]++;
  if (old == Mode::kAi) site_ai_price_[static_cast<size_t>(g.site)] -= ai_price_[d];
  if (m == Mode::kAi) site_ai_price_[static_cast<size_t>(g.site)] += ai_price_[d];
  mode_[d] = m;
  const auto node = static_cast<size_t>(flat_.node[d]);
  const int32_t before = node_active_[node];
  const int32_t after = before + (old == Mode::kOff ? 1 : 0) - (m == Mode::kOff ? 1 : 0);
  node_active_[node] = after;
  if (before == 0 && after > 0) st.host_power += flat_.node_host_power[node];
  if (before > 0 && after == 0) st.host_power -= flat_.node_host_power[node];
  Refresh(static_cast<size_t>(g.site));
}

void Ledger::SetUp(int32_t device, bool up) {
  const auto d = static_cast<size_t>(device);
  if ((up_[d] != 0) == up) return;
  if (!up) SetMode(device, Mode::kOff);
  Group& g = groups_[static_cast<size_t>(device_group_[d])];
  SiteLedger& st = sites_[static_cast<size_t>(g.site)];
  g.count[static_cast<size_t>(mode_[d])] += up ? 1 : -1;
  st.down += up ? -1 : 1;
  up_[d] = up ? 1 : 0;
  Refresh(static_cast<size_t>(g.site));
}

void Ledger::SetAiPrice(int32_t device, GpuHourPrice price) {
  const auto d = static_cast<size_t>(device);
  if (mode_[d] == Mode::kAi) {
    site_ai_price_[static_cast<size_t>(flat_.site[d])] += price.raw() - ai_price_[d];
  }
  ai_price_[d] = price.raw();
}

}  // namespace rigshift::live
