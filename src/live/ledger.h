// What the live fleet has earned and spent, per site and per mode, from what the backends report:
// every device's observed mode, the GPU-hour price of the job on each AI device, and the prices
// of the market feed. The same definitions as the simulator's accounting (sim/accounting.h):
// energy = IT power (devices + hosts of nodes with a device not off) x PUE x (price + adder),
// mining = hashrate x hashprice of the catalogue profile that pays most now, AI = GPU-hour price
// per device-second in AI. Devices of one site with the same model and power move together
// (a group), so an interval costs O(groups), not O(devices).
//
// Energy is split by what it serves: AI devices, mining devices, idle devices and hosts.
// Thread-safety: one thread (the controller's); readers take Snapshot() copies.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/quantity.h"
#include "core/time.h"
#include "econ/value.h"
#include "fleet/model.h"
#include "market/series.h"

namespace rigshift::live {

inline constexpr int kModes = 4;  // econ::Mode: off, idle, mine, ai

struct SiteLedger {
  // Money so far.
  Money ai_revenue;
  Money mining_revenue;
  std::array<Money, kModes> energy_cost{};  // by the mode of the devices that drew it
  Money host_energy_cost;
  // Energy bought before the last restart (the store keeps its total, not the split by mode).
  Money energy_before_restart;
  Energy facility_energy;
  // Now.
  std::array<Power, kModes> it_power{};  // devices by mode
  Power host_power;
  Power facility_power;  // (devices + hosts) x PUE
  std::array<int64_t, kModes> devices{};
  int64_t down = 0;
  econ::SitePrices prices;
  Money total_energy_cost() const;
  Money net_margin() const;
};

class Ledger {
 public:
  Ledger(const fleet::Fleet& fleet, const fleet::FlatFleet& flat, const econ::PowerModel& power);

  // Prices from `t` on (call at every price change, and once before the first Advance).
  void SetPrices(const market::MarketData& market, TimePoint t);
  // Integrates money and energy over [now, to) at the current modes and prices.
  void Advance(TimePoint to);
  void SetMode(int32_t device, econ::Mode mode);
  void SetUp(int32_t device, bool up);
  // The GPU-hour price billed while `device` is in AI (zero: none).
  void SetAiPrice(int32_t device, GpuHourPrice price);

  TimePoint now() const { return now_; }
  void set_now(TimePoint t) { now_ = t; }
  econ::Mode mode(int32_t device) const { return mode_[static_cast<size_t>(device)]; }
  bool up(int32_t device) const { return up_[static_cast<size_t>(device)] != 0; }
  const std::vector<SiteLedger>& sites() const { return sites_; }
  // Restores money counters after a restart (per site: ai, mining, energy by mode, hosts).
  SiteLedger& mutable_site(size_t s) { return sites_[s]; }

 private:
  struct Group {
    int32_t site = 0;
    int32_t representative = 0;
    std::array<Power, kModes> power{};  // IT power per device per mode (kMine: current choice)
    Hashrate hashrate;                  // per device mining now
    HashPrice hashprice;
    std::array<int64_t, kModes> count{};  // up devices per mode
  };
  void Refresh(size_t site);

  const fleet::Fleet& fleet_;
  const fleet::FlatFleet& flat_;
  econ::PowerModel power_;
  std::vector<Group> groups_;
  std::vector<int32_t> device_group_;
  std::vector<econ::Mode> mode_;
  std::vector<uint8_t> up_;
  std::vector<int64_t> ai_price_;       // uUSD per hour, per device
  std::vector<int64_t> site_ai_price_;  // sum over devices in AI
  std::vector<int32_t> node_active_;    // devices not off, per node
  std::vector<SiteLedger> sites_;
  TimePoint now_ = 0;
};

}  // namespace rigshift::live
