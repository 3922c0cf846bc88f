#include "sim/accounting.h"

namespace rigshift::sim {

MoneyTotals& MoneyTotals::operator+=(const MoneyTotals& o) {
  ai_revenue += o.ai_revenue;
  mining_revenue += o.mining_revenue;
  dr_credits += o.dr_credits;
  energy_cost += o.energy_cost;
  energy += o.energy;
  curtailed_energy += o.curtailed_energy;
  return *this;
}

double ClassUsage::ModeShare(econ::Mode m, Duration window) const {
  if (devices <= 0 || window <= 0) return 0;
  return static_cast<double>(mode_seconds[static_cast<size_t>(m)]) /
         (static_cast<double>(devices) * static_cast<double>(window));
}

double ClassUsage::Utilisation(Duration window) const {
  return ModeShare(kind == "asic" ? econ::Mode::kMine : econ::Mode::kAi, window);
}

double SimResult::GpuUtilisation() const {
  int64_t devices = 0;
  double busy = 0;
  for (const auto& c : classes) {
    if (c.kind != "gpu") continue;
    devices += c.devices;
    busy += static_cast<double>(c.mode_seconds[static_cast<size_t>(econ::Mode::kAi)]);
  }
  Duration window = end - start;
  if (devices == 0 || window <= 0) return 0;
  return busy / (static_cast<double>(devices) * static_cast<double>(window));
}

}  // namespace rigshift::sim
