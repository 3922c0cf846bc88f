#include "sched/fleet_index.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace rigshift::sched {

FleetIndex FleetIndex::Build(const fleet::FlatFleet& flat) {
  FleetIndex ix;
  const size_t n = flat.device_count();
  ix.device_class_.assign(n, -1);
  ix.device_slot_.assign(n, -1);
  int32_t sites = 0;
  for (int32_t s : flat.node_site) sites = std::max(sites, s + 1);
  for (int32_t s : flat.site) sites = std::max(sites, s + 1);
  ix.site_classes_.resize(static_cast<size_t>(sites));

  using Key = std::tuple<int32_t, int, const void*, int32_t, bool, int64_t, int64_t, int32_t>;
  std::map<Key, int32_t> class_of;
  const bool have_nic = flat.node_nic_gbps.size() == flat.node_count();
  for (size_t node = 0; node < flat.node_count(); ++node) {
    const int32_t first = flat.node_first_device[node];
    const int32_t count = flat.node_device_count[node];
    const double nic = have_nic ? flat.node_nic_gbps[node] : 0.0;
    int32_t d = first;
    while (d < first + count) {
      const auto du = static_cast<size_t>(d);
      const void* model = flat.kind[du] == catalog::DeviceKind::kGpu
                              ? static_cast<const void*>(flat.gpu[du])
                              : static_cast<const void*>(flat.asic[du]);
      int32_t end = d + 1;
      while (end < first + count) {
        const auto eu = static_cast<size_t>(end);
        const void* m2 = flat.kind[eu] == catalog::DeviceKind::kGpu
                             ? static_cast<const void*>(flat.gpu[eu])
                             : static_cast<const void*>(flat.asic[eu]);
        if (m2 != model || flat.kind[eu] != flat.kind[du]) break;
        ++end;
      }
      Key key{flat.node_site[node],
              static_cast<int>(flat.kind[du]),
              model,
              flat.node_pcie_lanes_per_gpu[node],
              flat.node_nvlink[node] != 0,
              static_cast<int64_t>(nic * 1000.0),
              flat.node_host_power[node].raw(),
              count};
      auto [it, inserted] = class_of.try_emplace(key, static_cast<int32_t>(ix.classes_.size()));
      if (inserted) {
        DeviceClass c;
        c.site = flat.node_site[node];
        c.kind = flat.kind[du];
        c.gpu = flat.gpu[du];
        c.asic = flat.asic[du];
        c.pcie_lanes_per_gpu = flat.node_pcie_lanes_per_gpu[node];
        c.nvlink = flat.node_nvlink[node] != 0;
        c.nic_gbps = nic;
        c.host_power = flat.node_host_power[node];
        c.node_device_count = count;
        c.representative = d;
        ix.classes_.push_back(std::move(c));
        ix.site_classes_[static_cast<size_t>(flat.node_site[node])].push_back(it->second);
      }
      const int32_t cls = it->second;
      const auto slot_id = static_cast<int32_t>(ix.slots_.size());
      ix.slots_.push_back(Slot{static_cast<int32_t>(node), cls, d, end - d});
      DeviceClass& c = ix.classes_[static_cast<size_t>(cls)];
      c.slots.push_back(slot_id);
      c.device_count += end - d;
      c.max_slot_size = std::max(c.max_slot_size, end - d);
      for (int32_t k = d; k < end; ++k) {
        ix.device_class_[static_cast<size_t>(k)] = cls;
        ix.device_slot_[static_cast<size_t>(k)] = slot_id;
      }
      d = end;
    }
  }
  return ix;
}

std::string FleetIndex::ClassLabel(int32_t cls, const std::vector<std::string>& site_ids) const {
  const DeviceClass& c = classes_[static_cast<size_t>(cls)];
  std::string label;
  if (c.kind == catalog::DeviceKind::kGpu) {
    label = c.gpu != nullptr ? c.gpu->name : std::string("GPU");
  } else {
    label = c.asic != nullptr ? c.asic->name : std::string("ASIC");
  }
  if (static_cast<size_t>(c.site) < site_ids.size())
    label += " @ " + site_ids[static_cast<size_t>(c.site)];
  if (c.kind == catalog::DeviceKind::kGpu) {
    if (c.pcie_lanes_per_gpu < 8) {
      label += " (x" + std::to_string(c.pcie_lanes_per_gpu) + " riser)";
    } else if (c.nvlink) {
      label += " (NVLink)";
    }
  }
  return label;
}

}  // namespace rigshift::sched
