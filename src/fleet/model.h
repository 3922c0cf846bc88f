// The fleet model: sites, halls, racks, nodes (hosts) and devices (GPUs and ASICs), as loaded
// from a fleet file and checked against the catalogue.
//
// Groups keep a 10,000-device site a short file and a small object: a RackGroup of count 50, each
// holding NodeGroups of count 4, each with 8 GPUs, is 1,600 GPUs in three structs. Code that needs
// one row per device (the scheduler, the simulator) calls Flatten(), which expands groups into
// flat arrays (struct of arrays) with stable indices.
//
// Every element remembers where it was declared (SourceLoc) so that later checks can still name
// the file, line and field. Thread-safety: immutable values once loaded; safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/quantity.h"

namespace rigshift::fleet {

struct SourceLoc {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string path;  // field path, e.g. "sites[0].halls[1].racks[2].power_limit_kw"
};

enum class CoolingKind { kAir, kHydro, kImmersion };
const char* CoolingKindName(CoolingKind k);

// What a site pays for power: a market series plus fixed adders, and an optional demand charge.
struct Tariff {
  std::string market;            // series name, e.g. "ercot", "nyiso", "pjm", "caiso", "fixed"
  EnergyPrice fixed_price;       // used when market == "fixed"
  EnergyPrice adder;             // transmission, distribution, fees: added to every MWh
  Money demand_charge_per_kw_month;  // on the month's peak kW; zero when none
};

struct DeviceGroup {
  std::string model;  // as written in the file
  int count = 0;
  catalog::DeviceKind kind = catalog::DeviceKind::kGpu;
  const catalog::GpuModel* gpu = nullptr;    // set when kind == kGpu (points into the catalogue)
  const catalog::AsicModel* asic = nullptr;  // set when kind == kAsic
  std::string mode;   // ASIC power mode ("normal" by default) or GPU mining algorithm preference
  SourceLoc loc;

  // TDP of a GPU; an ASIC's power in its configured mode (the nominal power when the mode is
  // "normal" or unknown to the catalogue).
  Power NameplatePowerEach() const;
};

// A host. GPUs hang off a host; an ASIC is its own controller, so a node holding ASICs models the
// controller board only (cpu/ram fields may stay zero).
struct NodeGroup {
  std::string id;
  int count = 1;
  int cpu_cores = 0;
  double ram_gb = 0;
  double disk_gb = 0;
  double nic_gbps = 0;
  int pcie_lanes_per_gpu = 16;  // 1 for a mining riser, 16 for a server slot
  bool nvlink = false;          // GPUs in the node share an NVLink/NVSwitch domain
  Power host_power;             // CPU, fans, PSU losses beyond the devices
  std::vector<DeviceGroup> devices;
  SourceLoc loc;

  int DevicesPerNode() const;
};

struct RackGroup {
  std::string id;
  int count = 1;
  Power power_limit;  // per rack; zero means unlimited
  std::vector<NodeGroup> nodes;
  SourceLoc loc;

  Power NameplatePowerPerRack() const;
};

struct Hall {
  std::string id;
  std::vector<RackGroup> racks;
  SourceLoc loc;
};

struct Site {
  std::string id;
  std::string name;
  std::string location;  // free text ("Texas, US")
  Power grid_cap;
  CoolingKind cooling = CoolingKind::kAir;
  Power cooling_capacity;  // heat it can reject; zero means "as the grid cap allows"
  int64_t pue_milli = 1000;  // PUE x 1000 (1.35 -> 1350); fixed point, never a double
  Tariff tariff;
  double uplink_gbps = 0;
  int redundancy_tier = 1;  // Uptime tier 1..4
  double floor_space_m2 = 0;
  std::vector<Hall> halls;
  SourceLoc loc;

  Power NameplateItPower() const;       // devices + hosts at nameplate
  Power NameplateFacilityPower() const;  // IT x PUE
};

struct Fleet {
  std::string name;
  std::string source_file;
  std::vector<Site> sites;
};

// One row per device, grouped by site; indices are stable for a given fleet file.
// Struct of arrays: the scheduler's inner loops touch only the columns they need.
struct FlatFleet {
  // Per device.
  std::vector<catalog::DeviceKind> kind;
  std::vector<const catalog::GpuModel*> gpu;    // nullptr for ASICs
  std::vector<const catalog::AsicModel*> asic;  // nullptr for GPUs
  std::vector<int32_t> site;   // index into Fleet::sites
  std::vector<int32_t> rack;   // index into racks (global, expanded)
  std::vector<int32_t> node;   // index into nodes (global, expanded)
  std::vector<Power> nameplate_power;
  // Per expanded node.
  std::vector<int32_t> node_site;
  std::vector<int32_t> node_rack;
  std::vector<int32_t> node_pcie_lanes_per_gpu;
  std::vector<uint8_t> node_nvlink;
  std::vector<double> node_ram_gb;
  std::vector<int32_t> node_cpu_cores;
  std::vector<Power> node_host_power;
  // NIC bandwidth per node (Gbps), for gangs across nodes (kNetwork). May be empty when a loader
  // predates it: sched then treats every NIC as 0 Gbps (no cross-node gangs). Added for sched.
  std::vector<double> node_nic_gbps;
  std::vector<int32_t> node_first_device;  // devices of node n: [first, first + count)
  std::vector<int32_t> node_device_count;
  std::vector<std::string> node_name;      // "site/hall/rack-group#i/node-group#j"
  // Per expanded rack.
  std::vector<int32_t> rack_site;
  std::vector<Power> rack_power_limit;  // zero = unlimited

  size_t device_count() const { return kind.size(); }
  size_t node_count() const { return node_site.size(); }
  size_t rack_count() const { return rack_site.size(); }
};

FlatFleet Flatten(const Fleet& fleet);

// The stable id of device `d`: its node's name and its position in the node,
// "site/hall/rack#i/node#j/dK" (K from 0). It survives edits elsewhere in the fleet file, unlike
// the flat index, so the store, the API and backends name devices by it.
std::string DeviceStableId(const FlatFleet& flat, size_t d);

}  // namespace rigshift::fleet
