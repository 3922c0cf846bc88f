// Flatten: expanding rack/node/device groups into flat arrays with stable indices and names.
#include "fleet/model.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "fleet/loader.h"

namespace rigshift::fleet {
namespace {

// Two sites; the first has a rack group of 2 racks x 3 rigs x (4 + 2 GPUs) and a single ASIC
// rack; the second a single server. Every index below is counted by hand from this text.
constexpr char kFleet[] = R"(
name: flatten-test
sites:
  - id: site-a
    grid_cap_mw: 1
    cooling: {kind: air}
    pue: 1.25
    tariff: {market: ercot}
    halls:
      - id: hall-1
        racks:
          - id: rig-r12
            count: 2
            power_limit_kw: 20
            nodes:
              - id: rig
                count: 3
                riser: x1
                ram_gb: 4
                cpu_cores: 2
                nic_gbps: 1
                host_power_w: 100
                devices:
                  - {model: RTX 3070, count: 4}
                  - {model: RTX 3060 Ti, count: 2}
          - id: asic-row
            nodes:
              - {id: s19, count: 2, devices: [{model: S19}]}
  - id: site-b
    grid_cap_mw: 1
    cooling: {kind: air}
    pue: 1.5
    tariff: {market: nyiso}
    halls:
      - id: dc
        racks:
          - id: r1
            nodes:
              - id: dgx
                nvlink: true
                ram_gb: 2048
                cpu_cores: 112
                nic_gbps: 400
                host_power_w: 4600
                devices: [{model: H100 SXM, count: 8}]
)";

Fleet LoadOrDie() {
  auto loaded = LoadFleetText(kFleet, "flatten.yaml", catalog::Catalog::Builtin());
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return loaded.ok() ? loaded->fleet : Fleet{};
}

TEST(FlattenTest, CountsRacksNodesAndDevices) {
  // Scenario: 2 rig racks + 1 ASIC rack + 1 server rack; 6 rigs + 2 ASIC nodes + 1 server.
  FlatFleet flat = Flatten(LoadOrDie());
  EXPECT_EQ(flat.rack_count(), 4u);
  EXPECT_EQ(flat.node_count(), 9u);
  EXPECT_EQ(flat.device_count(), 2u * 3u * 6u + 2u + 8u);  // 46
  EXPECT_EQ(flat.node_nic_gbps.size(), flat.node_count());
}

TEST(FlattenTest, NodeNamesAndIndicesAreStable) {
  // Scenario: the 3rd rig of the 2nd rack of group rig-r12 is node 5; its devices start at 30.
  FlatFleet flat = Flatten(LoadOrDie());
  ASSERT_EQ(flat.node_count(), 9u);
  EXPECT_EQ(flat.node_name[0], "site-a/hall-1/rig-r12#1/rig#1");
  EXPECT_EQ(flat.node_name[5], "site-a/hall-1/rig-r12#2/rig#3");
  EXPECT_EQ(flat.node_name[6], "site-a/hall-1/asic-row/s19#1");
  EXPECT_EQ(flat.node_name[8], "site-b/dc/r1/dgx");
  // Stable device ids: node name and position in the node.
  EXPECT_EQ(DeviceStableId(flat, 0), "site-a/hall-1/rig-r12#1/rig#1/d0");
  const auto last = static_cast<size_t>(flat.node_first_device[8]);
  EXPECT_EQ(DeviceStableId(flat, last + 1), "site-b/dc/r1/dgx/d1");
  EXPECT_EQ(flat.node_first_device[5], 30);
  EXPECT_EQ(flat.node_device_count[5], 6);
  EXPECT_EQ(flat.node_rack[5], 1);
  EXPECT_EQ(flat.node_rack[6], 2);
  EXPECT_EQ(flat.node_site[8], 1);
  EXPECT_EQ(flat.rack_site[3], 1);
  EXPECT_EQ(flat.node_first_device[8], 38);
  // Devices of a node point back at it, in file order (4 x 3070 then 2 x 3060 Ti).
  for (int d = 30; d < 36; ++d) EXPECT_EQ(flat.node[d], 5);
  EXPECT_EQ(flat.gpu[30]->name, "GeForce RTX 3070");
  EXPECT_EQ(flat.gpu[34]->name, "GeForce RTX 3060 Ti");
  EXPECT_EQ(flat.kind[36], catalog::DeviceKind::kAsic);
  EXPECT_EQ(flat.gpu[36], nullptr);
  EXPECT_EQ(flat.asic[36]->name, "Antminer S19");
  EXPECT_EQ(flat.site[45], 1);
}

TEST(FlattenTest, CarriesNodeAndRackAttributes) {
  // Scenario: per-node columns come from the node group; rack limits from the rack group.
  FlatFleet flat = Flatten(LoadOrDie());
  EXPECT_EQ(flat.node_pcie_lanes_per_gpu[0], 1);
  EXPECT_EQ(flat.node_pcie_lanes_per_gpu[8], 16);
  EXPECT_EQ(flat.node_nvlink[0], 0);
  EXPECT_EQ(flat.node_nvlink[8], 1);
  EXPECT_DOUBLE_EQ(flat.node_ram_gb[8], 2048);
  EXPECT_EQ(flat.node_cpu_cores[8], 112);
  EXPECT_DOUBLE_EQ(flat.node_nic_gbps[8], 400);
  EXPECT_EQ(flat.node_host_power[0], Watts(100));
  EXPECT_EQ(flat.rack_power_limit[0], Kilowatts(20));
  EXPECT_TRUE(flat.rack_power_limit[2].IsZero());
  EXPECT_EQ(flat.nameplate_power[0], Watts(220));    // RTX 3070 TDP
  EXPECT_EQ(flat.nameplate_power[36], Watts(3250));  // S19, normal mode
  EXPECT_EQ(flat.nameplate_power[45], Watts(700));   // H100 SXM TDP
}

TEST(ModelTest, NameplatePowerSumsGroups) {
  // Scenario: rack = 3 rigs x (100 W host + 4 x 220 W + 2 x 200 W) = 3 x 1,380 W = 4,140 W.
  Fleet fleet = LoadOrDie();
  ASSERT_EQ(fleet.sites.size(), 2u);
  const Site& a = fleet.sites[0];
  EXPECT_EQ(a.halls[0].racks[0].NameplatePowerPerRack(), Watts(4140));
  // Site A: 2 x 4,140 + 2 x 3,250 = 14,780 W IT; x 1.25 = 18,475 W facility.
  EXPECT_EQ(a.NameplateItPower(), Watts(14780));
  EXPECT_EQ(a.NameplateFacilityPower(), Watts(18475));
  // Site B: 8 x 700 + 4,600 = 10,200 W (a DGX H100's published maximum).
  EXPECT_EQ(fleet.sites[1].NameplateItPower(), Watts(10200));
  EXPECT_EQ(fleet.sites[1].NameplateFacilityPower(), Watts(15300));
  EXPECT_EQ(a.halls[0].racks[0].nodes[0].DevicesPerNode(), 6);
}

}  // namespace
}  // namespace rigshift::fleet
