#include "fleet/model.h"

#include <string>

namespace rigshift::fleet {

const char* CoolingKindName(CoolingKind k) {
  switch (k) {
    case CoolingKind::kAir:
      return "air";
    case CoolingKind::kHydro:
      return "hydro";
    case CoolingKind::kImmersion:
      return "immersion";
  }
  return "unknown";
}

Power DeviceGroup::NameplatePowerEach() const {
  if (kind == catalog::DeviceKind::kGpu) return gpu != nullptr ? gpu->tdp : Power();
  if (asic == nullptr) return Power();
  // An ASIC draws what its configured power mode draws; the nominal (normal) mode otherwise.
  if (!mode.empty()) {
    if (const catalog::AsicPowerMode* m = asic->Mode(mode); m != nullptr) return m->power;
  }
  return asic->power;
}

int NodeGroup::DevicesPerNode() const {
  int n = 0;
  for (const DeviceGroup& d : devices) n += d.count;
  return n;
}

Power RackGroup::NameplatePowerPerRack() const {
  Power total;
  for (const NodeGroup& node : nodes) {
    Power per_node = node.host_power;
    for (const DeviceGroup& d : node.devices) per_node += d.NameplatePowerEach() * d.count;
    total += per_node * node.count;
  }
  return total;
}

Power Site::NameplateItPower() const {
  Power total;
  for (const Hall& hall : halls) {
    for (const RackGroup& rack : hall.racks) total += rack.NameplatePowerPerRack() * rack.count;
  }
  return total;
}

Power Site::NameplateFacilityPower() const { return NameplateItPower().Scaled(pue_milli, 1000); }

namespace {

// "id" for a group of one, "id#k" (1-based) for the k-th member of a larger group.
std::string MemberName(const std::string& id, int count, int index) {
  if (count == 1) return id;
  return id + "#" + std::to_string(index + 1);
}

}  // namespace

FlatFleet Flatten(const Fleet& fleet) {
  FlatFleet flat;
  // Size the arrays first: one pass over the groups, no per-device work.
  size_t devices = 0, nodes = 0, racks = 0;
  for (const Site& site : fleet.sites) {
    for (const Hall& hall : site.halls) {
      for (const RackGroup& rack : hall.racks) {
        racks += static_cast<size_t>(rack.count);
        for (const NodeGroup& node : rack.nodes) {
          size_t n = static_cast<size_t>(rack.count) * static_cast<size_t>(node.count);
          nodes += n;
          devices += n * static_cast<size_t>(node.DevicesPerNode());
        }
      }
    }
  }
  flat.kind.reserve(devices);
  flat.gpu.reserve(devices);
  flat.asic.reserve(devices);
  flat.site.reserve(devices);
  flat.rack.reserve(devices);
  flat.node.reserve(devices);
  flat.nameplate_power.reserve(devices);
  flat.node_site.reserve(nodes);
  flat.node_rack.reserve(nodes);
  flat.node_pcie_lanes_per_gpu.reserve(nodes);
  flat.node_nvlink.reserve(nodes);
  flat.node_ram_gb.reserve(nodes);
  flat.node_cpu_cores.reserve(nodes);
  flat.node_host_power.reserve(nodes);
  flat.node_nic_gbps.reserve(nodes);
  flat.node_first_device.reserve(nodes);
  flat.node_device_count.reserve(nodes);
  flat.node_name.reserve(nodes);
  flat.rack_site.reserve(racks);
  flat.rack_power_limit.reserve(racks);

  for (size_t s = 0; s < fleet.sites.size(); ++s) {
    const Site& site = fleet.sites[s];
    const auto site_index = static_cast<int32_t>(s);
    for (const Hall& hall : site.halls) {
      for (const RackGroup& rack : hall.racks) {
        for (int i = 0; i < rack.count; ++i) {
          const auto rack_index = static_cast<int32_t>(flat.rack_site.size());
          flat.rack_site.push_back(site_index);
          flat.rack_power_limit.push_back(rack.power_limit);
          const std::string rack_prefix =
              site.id + "/" + hall.id + "/" + MemberName(rack.id, rack.count, i) + "/";
          for (const NodeGroup& node : rack.nodes) {
            for (int j = 0; j < node.count; ++j) {
              const auto node_index = static_cast<int32_t>(flat.node_site.size());
              flat.node_site.push_back(site_index);
              flat.node_rack.push_back(rack_index);
              flat.node_pcie_lanes_per_gpu.push_back(node.pcie_lanes_per_gpu);
              flat.node_nvlink.push_back(node.nvlink ? 1 : 0);
              flat.node_ram_gb.push_back(node.ram_gb);
              flat.node_cpu_cores.push_back(node.cpu_cores);
              flat.node_host_power.push_back(node.host_power);
              flat.node_nic_gbps.push_back(node.nic_gbps);
              flat.node_first_device.push_back(static_cast<int32_t>(flat.kind.size()));
              flat.node_device_count.push_back(node.DevicesPerNode());
              flat.node_name.push_back(rack_prefix + MemberName(node.id, node.count, j));
              for (const DeviceGroup& dev : node.devices) {
                const Power each = dev.NameplatePowerEach();
                for (int k = 0; k < dev.count; ++k) {
                  flat.kind.push_back(dev.kind);
                  flat.gpu.push_back(dev.kind == catalog::DeviceKind::kGpu ? dev.gpu : nullptr);
                  flat.asic.push_back(dev.kind == catalog::DeviceKind::kAsic ? dev.asic : nullptr);
                  flat.site.push_back(site_index);
                  flat.rack.push_back(rack_index);
                  flat.node.push_back(node_index);
                  flat.nameplate_power.push_back(each);
                }
              }
            }
          }
        }
      }
    }
  }
  return flat;
}

std::string DeviceStableId(const FlatFleet& flat, size_t d) {
  const auto n = static_cast<size_t>(flat.node[d]);
  return flat.node_name[n] + "/d" + std::to_string(static_cast<int32_t>(d) - flat.node_first_device[n]);
}

}  // namespace rigshift::fleet
