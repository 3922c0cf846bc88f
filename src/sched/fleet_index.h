// FleetIndex: the flat fleet grouped for planning. Identical devices are planned as a group:
// a DeviceClass is every device of one site with the same model on nodes of the same shape (PCIe
// lanes per GPU, NVLink, NIC, host power, devices per node), and a Slot is the run of devices of
// one class inside one node (the unit of single-node gang placement). Per-round work is then
// per class (prices, mining choice, power) and per slot (free counts), not per device string.
//
// Built once per fleet (FleetIndex::Build) and reused across rounds; policies build one per call
// when PolicyInput::index is null. Thread-safety: immutable after Build; safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/quantity.h"
#include "fleet/model.h"

namespace rigshift::sched {

struct DeviceClass {
  int32_t site = 0;
  catalog::DeviceKind kind = catalog::DeviceKind::kGpu;
  const catalog::GpuModel* gpu = nullptr;    // GPUs
  const catalog::AsicModel* asic = nullptr;  // ASICs
  int32_t pcie_lanes_per_gpu = 16;
  bool nvlink = false;
  double nic_gbps = 0;
  Power host_power;               // per node
  int32_t node_device_count = 0;  // devices per node (all models)
  int32_t representative = 0;     // a device of the class (for econ calls)
  int32_t device_count = 0;
  int32_t max_slot_size = 0;
  std::vector<int32_t> slots;  // slot ids, ascending
};

struct Slot {
  int32_t node = 0;
  int32_t cls = 0;
  int32_t first_device = 0;  // devices [first_device, first_device + count)
  int32_t count = 0;
};

class FleetIndex {
 public:
  static FleetIndex Build(const fleet::FlatFleet& flat);

  const std::vector<DeviceClass>& classes() const { return classes_; }
  const std::vector<Slot>& slots() const { return slots_; }
  int32_t device_class(size_t d) const { return device_class_[d]; }
  int32_t device_slot(size_t d) const { return device_slot_[d]; }
  // Classes of a site, ascending.
  const std::vector<int32_t>& site_classes(size_t site) const { return site_classes_[site]; }
  size_t site_count() const { return site_classes_.size(); }
  size_t device_count() const { return device_class_.size(); }
  // Short label of a class for reasons: "GeForce RTX 3090 @ site-a (x1 riser)".
  std::string ClassLabel(int32_t cls, const std::vector<std::string>& site_ids) const;

 private:
  std::vector<DeviceClass> classes_;
  std::vector<Slot> slots_;
  std::vector<int32_t> device_class_;
  std::vector<int32_t> device_slot_;
  std::vector<std::vector<int32_t>> site_classes_;
};

}  // namespace rigshift::sched
