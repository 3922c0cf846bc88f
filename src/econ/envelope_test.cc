#include "econ/envelope.h"

#include <gtest/gtest.h>

#include <string>

#include "fleet/loader.h"

namespace rigshift::econ {
namespace {

// A 5 MW grid connection at PUE 1.25 carries 4 MW of IT; 100 rigs of 8 x 250 W GPUs + 150 W host
// (2.15 kW each) in one rack group of 10 racks x 10 nodes draw 215 kW at nameplate.
fleet::Site GpuFarm(catalog::GpuModel* gpu) {
  gpu->tdp = Watts(250);
  fleet::Site s;
  s.grid_cap = Megawatts(5);
  s.pue_milli = 1250;
  fleet::DeviceGroup d;
  d.kind = catalog::DeviceKind::kGpu;
  d.gpu = gpu;
  d.count = 8;
  fleet::NodeGroup n;
  n.count = 10;
  n.host_power = Watts(150);
  n.devices.push_back(d);
  fleet::RackGroup r;
  r.count = 10;
  r.nodes.push_back(n);
  fleet::Hall h;
  h.racks.push_back(r);
  s.halls.push_back(h);
  return s;
}

TEST(EnvelopeTest, NameplateBindsAnUnderfilledSite) {
  catalog::GpuModel g;
  fleet::Site s = GpuFarm(&g);
  SiteEnvelope e = EnvelopeOf(s);
  EXPECT_EQ(e.it_cap, Megawatts(4));
  EXPECT_EQ(e.cooling_limit, Megawatts(4));  // none given: as the grid allows
  EXPECT_EQ(e.nameplate_it, Kilowatts(215));
  EXPECT_EQ(e.usable_it, Kilowatts(215));
  EXPECT_EQ(e.binding, EnvelopeLimit::kNameplate);
  EXPECT_EQ(e.Headroom(), Kilowatts(3785));
  EXPECT_EQ(e.NameplateUsePermille(), 54);  // 215 / 4000 = 5.4 %
  EXPECT_EQ(e.Facility(Kilowatts(215)), Watts(268750));
}

TEST(EnvelopeTest, CoolingBindsBeforeTheGrid) {
  catalog::GpuModel g;
  fleet::Site s = GpuFarm(&g);
  s.grid_cap = Kilowatts(300);          // IT cap 240 kW
  s.cooling_capacity = Kilowatts(200);  // but only 200 kW of heat rejected
  SiteEnvelope e = EnvelopeOf(s);
  EXPECT_EQ(e.it_cap, Kilowatts(240));
  EXPECT_EQ(e.usable_it, Kilowatts(200));
  EXPECT_EQ(e.binding, EnvelopeLimit::kCooling);
  EXPECT_EQ(e.Headroom(), Kilowatts(-15));
  EXPECT_STREQ(EnvelopeLimitName(e.binding), "cooling");
}

TEST(EnvelopeTest, GridBindsAnOverbuiltSite) {
  catalog::GpuModel g;
  fleet::Site s = GpuFarm(&g);
  s.grid_cap = Kilowatts(250);  // IT cap 200 kW < 215 kW nameplate
  SiteEnvelope e = EnvelopeOf(s);
  EXPECT_EQ(e.usable_it, Kilowatts(200));
  EXPECT_EQ(e.binding, EnvelopeLimit::kGrid);
  EXPECT_EQ(e.NameplateUsePermille(), 1075);
}

}  // namespace
}  // namespace rigshift::econ


namespace rigshift::econ {
namespace {

// The envelope's nameplate agrees with the fleet model's own sum on every shipped example, and the
// ETH farm's figures are the ones its file states: IT nameplate 4,311.48 kW; 5 MW / 1.08 =
// 4,629.63 kW of IT; cooling 4.8 MW; the hardware binds.
TEST(EnvelopeTest, ExamplesAgreeWithTheFleetModel) {
  for (const char* name :
       {"eth-gpu-farm-ercot.yaml", "asic-hydro-ercot.yaml", "two-site-nyiso.yaml"}) {
    auto f = fleet::LoadFleetFile(std::string(RIGSHIFT_SOURCE_DIR) + "/examples/" + name,
                                  catalog::Catalog::Builtin());
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    for (const auto& site : f->fleet.sites) {
      EXPECT_EQ(EnvelopeOf(site).nameplate_it, site.NameplateItPower()) << name << " " << site.id;
    }
  }
  auto eth =
      fleet::LoadFleetFile(std::string(RIGSHIFT_SOURCE_DIR) + "/examples/eth-gpu-farm-ercot.yaml",
                           catalog::Catalog::Builtin());
  ASSERT_TRUE(eth.ok());
  SiteEnvelope e = EnvelopeOf(eth->fleet.sites[0]);
  EXPECT_EQ(e.nameplate_it, Watts(4311480));
  EXPECT_NEAR(ToKilowatts(e.it_cap), 4629.63, 0.01);
  EXPECT_EQ(e.cooling_limit, Megawatts(4.8));
  EXPECT_EQ(e.binding, EnvelopeLimit::kNameplate);
}

}  // namespace
}  // namespace rigshift::econ
