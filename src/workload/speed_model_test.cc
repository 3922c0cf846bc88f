// Speed model: measured ratios from the shared data, the roofline for unmeasured cards, and the
// memory and interconnect rules.
#include "workload/speed_model.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "catalog/catalog.h"

namespace rigshift::workload {
namespace {

std::string TracesDir() {
  const char* env = std::getenv("RIGSHIFT_SHARED_DATA");
  std::string base = env && *env ? env : RIGSHIFT_SHARED_DATA_DEFAULT;
  return base + "/traces";
}

const catalog::GpuModel& Gpu(const char* name) {
  const auto* g = catalog::Catalog::Builtin().FindGpu(name);
  EXPECT_NE(g, nullptr) << name;
  return *g;
}

TEST(SpeedModel, ClassifiesCatalogueNames) {
  EXPECT_EQ(ClassifyGpu(Gpu("V100")), GpuClass::kV100);
  EXPECT_EQ(ClassifyGpu(Gpu("Tesla K80")), GpuClass::kK80);
  EXPECT_EQ(ClassifyGpu(Gpu("P100")), GpuClass::kP100);
  EXPECT_EQ(ClassifyGpu(Gpu("T4")), GpuClass::kT4);
  EXPECT_EQ(ClassifyGpu(Gpu("A100")), GpuClass::kA100);
  EXPECT_EQ(ClassifyGpu(Gpu("RTX 2080 Ti")), GpuClass::kRtx2080Ti);
  EXPECT_EQ(ClassifyGpu(Gpu("Quadro RTX 6000")), GpuClass::kQuadroRtx6000);
  EXPECT_EQ(ClassifyGpu(Gpu("RTX 3090")), GpuClass::kUnmeasured);
  EXPECT_EQ(ClassifyGpu(Gpu("RTX 4090")), GpuClass::kUnmeasured);
  EXPECT_EQ(ClassifyGpuName("V100M32"), GpuClass::kV100);
}

// The typed-in defaults must equal what the shared data give (docs/speed-model.md).
TEST(SpeedModel, DefaultsMatchTheSharedData) {
  if (!std::filesystem::exists(TracesDir() + "/gavel/simulation_throughputs.json")) {
    GTEST_SKIP() << "shared data not found at " << TracesDir();
  }
  auto loaded = LoadMeasuredSpeeds(TracesDir());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto defaults = MeasuredSpeeds::Defaults();
  ASSERT_EQ(loaded->relative_to_v100.size(), defaults.relative_to_v100.size());
  for (const auto& [cls, v] : defaults.relative_to_v100) {
    ASSERT_TRUE(loaded->relative_to_v100.count(cls)) << GpuClassName(cls);
    EXPECT_NEAR(loaded->relative_to_v100.at(cls), v, 5e-4) << GpuClassName(cls);
  }
  // The direction everyone knows: K80 < P100 < V100 < A100.
  const auto& m = loaded->relative_to_v100;
  EXPECT_LT(m.at(GpuClass::kK80), m.at(GpuClass::kP100));
  EXPECT_LT(m.at(GpuClass::kP100), 1.0);
  EXPECT_GT(m.at(GpuClass::kA100), 1.0);
}

TEST(SpeedModel, MeasuredRatioBetweenReferenceAndTarget) {
  SpeedModel sm;
  Job j;
  j.work_gpu_seconds = 3600;
  j.reference_gpu = "P100";
  // A job measured on a P100 runs 1/0.8125 times faster on a V100.
  EXPECT_NEAR(sm.Rate(j, Gpu("V100")), 1.0 / 0.8125, 1e-3);
  EXPECT_NEAR(sm.Rate(j, Gpu("P100")), 1.0, 1e-12);
  EXPECT_NEAR(sm.Rate(j, Gpu("K80")), 0.2467 / 0.8125, 1e-3);
  EXPECT_EQ(sm.RateSource(j, Gpu("V100")), "measured (v100)");
  EXPECT_EQ(sm.RateSource(j, Gpu("RTX 3090")), "roofline");
}

// The roofline must land within a factor 1.75 of every measured class it could have predicted
// (the A100 is the worst: Sia's small models leave its tensor cores idle, docs/speed-model.md).
TEST(SpeedModel, RooflineAgreesWithMeasuredCardsWithinFactor) {
  SpeedModelOptions no_measured;
  no_measured.measured.relative_to_v100.clear();
  SpeedModel roof(no_measured);
  SpeedModel measured;
  for (const char* name : {"T4", "A100", "RTX 2080 Ti", "Quadro RTX 6000"}) {
    double r = roof.RelativeSpeed(Gpu(name));
    double m = measured.RelativeSpeed(Gpu(name));
    EXPECT_GT(r / m, 1 / 1.75) << name << " roofline " << r << " measured " << m;
    EXPECT_LT(r / m, 1.75) << name << " roofline " << r << " measured " << m;
  }
  // Newer consumer cards are faster than older ones.
  EXPECT_GT(measured.RelativeSpeed(Gpu("RTX 4090")), measured.RelativeSpeed(Gpu("RTX 3090")));
  EXPECT_GT(measured.RelativeSpeed(Gpu("RTX 3090")), measured.RelativeSpeed(Gpu("GTX 1070")));
}

TEST(SpeedModel, MemoryTooSmallMeansCannotRun) {
  SpeedModel sm;
  Job j;
  j.work_gpu_seconds = 100;
  j.min_memory_gb = 16;
  EXPECT_EQ(sm.Rate(j, Gpu("RTX 3070")), 0.0);  // 8 GB
  EXPECT_GT(sm.Rate(j, Gpu("RTX 3090")), 0.0);  // 24 GB
  EXPECT_NE(sm.RateSource(j, Gpu("RTX 3070")).find("does not fit"), std::string::npos);
}

TEST(SpeedModel, StepJobsUseTheThroughputTableOrDoNotRun) {
  SpeedModelOptions o;
  o.steps.steps_per_second[{"ResNet-18 (batch size 128)", 1, GpuClass::kV100}] = 32.35;
  o.steps.steps_per_second[{"ResNet-18 (batch size 128)", 4, GpuClass::kV100}] = 100.0;
  SpeedModel sm(o);
  Job j;
  j.job_type = "ResNet-18 (batch size 128)";
  j.total_steps = 1000;
  j.gpus = 1;
  EXPECT_DOUBLE_EQ(sm.Rate(j, Gpu("V100")), 32.35);
  EXPECT_EQ(sm.Rate(j, Gpu("K80")), 0.0);  // no entry: Gavel never places it there
  j.gpus = 4;
  EXPECT_DOUBLE_EQ(sm.Rate(j, Gpu("V100")), 25.0);  // per GPU of the gang
  EXPECT_EQ(SpeedModel::WorkUnits(j), 1000.0);
}

TEST(SpeedModel, InterconnectRules) {
  Job single;
  single.gpus = 1;
  NodeLinks riser{1, false, 1};
  NodeLinks server{16, false, 100};
  NodeLinks dgx{16, true, 200};
  EXPECT_TRUE(InterconnectFits(single, riser, 1, false));
  Job pcie;
  pcie.gpus = 4;
  pcie.interconnect = Interconnect::kPcie;
  EXPECT_FALSE(InterconnectFits(pcie, riser, 4, false));  // x1 riser: no peer traffic
  EXPECT_TRUE(InterconnectFits(pcie, server, 4, false));
  EXPECT_FALSE(InterconnectFits(pcie, server, 2, true));  // PCIe gangs stay on one node
  Job nv = pcie;
  nv.interconnect = Interconnect::kNvlink;
  EXPECT_FALSE(InterconnectFits(nv, server, 4, false));
  EXPECT_TRUE(InterconnectFits(nv, dgx, 4, false));
  Job net;
  net.gpus = 16;
  net.interconnect = Interconnect::kNetwork;
  net.network_gbps = 100;
  EXPECT_TRUE(InterconnectFits(net, server, 8, true));
  EXPECT_FALSE(InterconnectFits(net, riser, 8, true));
}

}  // namespace
}  // namespace rigshift::workload
