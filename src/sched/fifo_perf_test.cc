// fifo_perf (Gavel's FIFO, performance-aware): each behaviour on a small cluster written as data.
#include "sched/fifo_perf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "workload/speed_model.h"

namespace rigshift::sched {
namespace {

using workload::GpuClass;
using workload::Job;

// A cluster of one site with `nodes x per_node` GPUs of each listed model.
struct Cluster {
  std::vector<catalog::GpuModel> models;  // stable: reserved up front
  fleet::Fleet fleet;
  fleet::FlatFleet flat;

  Cluster(const std::vector<std::tuple<std::string, int, int>>& spec) {
    models.reserve(spec.size());
    fleet::Site site;
    site.id = "s";
    site.grid_cap = Megawatts(1);
    fleet::Hall hall;
    hall.id = "h";
    for (const auto& [name, nodes, per_node] : spec) {
      catalog::GpuModel m;
      m.name = name;
      m.memory_gb = 16;
      m.tdp = Watts(250);
      models.push_back(m);
      fleet::RackGroup rack;
      rack.id = name;
      fleet::NodeGroup node;
      node.id = "n";
      node.count = nodes;
      fleet::DeviceGroup dev;
      dev.model = name;
      dev.count = per_node;
      dev.gpu = &models.back();
      node.devices.push_back(dev);
      rack.nodes.push_back(node);
      hall.racks.push_back(rack);
    }
    site.halls.push_back(hall);
    fleet.sites.push_back(site);
    flat = fleet::Flatten(fleet);
  }
  // Devices of a model, ascending.
  std::vector<int32_t> DevicesOf(const std::string& name) const {
    std::vector<int32_t> out;
    for (size_t d = 0; d < flat.device_count(); ++d) {
      if (flat.gpu[d]->name == name) out.push_back(static_cast<int32_t>(d));
    }
    return out;
  }
};

Job MakeJob(workload::JobId id, TimePoint arrival, int gpus, const std::string& type = "T") {
  Job j;
  j.id = id;
  j.arrival = arrival;
  j.gpus = gpus;
  j.job_type = type;
  j.total_steps = 1000;
  return j;
}

// Steps/s per (type, gpus, class).
workload::SpeedModel Speeds(
    const std::vector<std::tuple<std::string, int, GpuClass, double>>& rows) {
  workload::SpeedModelOptions o;
  for (const auto& [type, gpus, cls, sps] : rows) o.steps.steps_per_second[{type, gpus, cls}] = sps;
  return workload::SpeedModel(o);
}

Plan Decide(const Cluster& c, const workload::SpeedModel& speed, std::vector<QueuedJob> queue,
            std::vector<RunningJob> running = {}) {
  PolicyOptions opt;
  opt.speed = &speed;
  FifoPerfPolicy policy(opt);
  PolicyInput in;
  in.fleet = &c.fleet;
  in.flat = &c.flat;
  in.queue = queue;
  in.running = running;
  Rng rng(1);
  return policy.Decide(in, rng);
}

const JobStart* StartOf(const Plan& p, workload::JobId id) {
  for (const auto& s : p.starts) {
    if (s.job == id) return &s;
  }
  return nullptr;
}

bool Preempted(const Plan& p, workload::JobId id) {
  return std::any_of(p.preemptions.begin(), p.preemptions.end(),
                     [&](const Preemption& x) { return x.job == id; });
}

TEST(FifoPerf, GivesEachJobItsFastestTypeWithRoom) {
  // Scenario: 1 V100, 1 P100, 1 K80; job 0 (type A) is fastest on V100, job 1 (type B) is fastest
  // on V100 too but V100 is taken, so it gets P100; job 2 gets what is left (K80).
  Cluster c({{"Tesla K80", 1, 1}, {"Tesla P100", 1, 1}, {"Tesla V100", 1, 1}});
  auto speed = Speeds({{"A", 1, GpuClass::kV100, 10},
                       {"A", 1, GpuClass::kP100, 8},
                       {"A", 1, GpuClass::kK80, 2},
                       {"B", 1, GpuClass::kV100, 5},
                       {"B", 1, GpuClass::kP100, 4},
                       {"B", 1, GpuClass::kK80, 3}});
  Job j0 = MakeJob(0, 0, 1, "A"), j1 = MakeJob(1, 5, 1, "B"), j2 = MakeJob(2, 5, 1, "A");
  Plan p = Decide(c, speed, {{&j2}, {&j1}, {&j0}});  // queue order does not matter
  ASSERT_EQ(p.starts.size(), 3u);
  EXPECT_EQ(StartOf(p, 0)->devices, c.DevicesOf("Tesla V100"));
  EXPECT_EQ(StartOf(p, 1)->devices, c.DevicesOf("Tesla P100"));
  EXPECT_EQ(StartOf(p, 2)->devices, c.DevicesOf("Tesla K80"));
  EXPECT_EQ(StartOf(p, 2)->queue_index, 0);
  EXPECT_NE(std::string(p.Reason(StartOf(p, 0)->reason)).find("Tesla V100"), std::string::npos);
  for (size_t d = 0; d < c.flat.device_count(); ++d) EXPECT_EQ(p.mode[d], econ::Mode::kAi);
}

TEST(FifoPerf, StopsAtTheFirstJobThatFitsNowhere) {
  // Scenario: 4 V100s. Job 0 takes 2; job 1 needs 4 and fits nowhere; job 2 (1 GPU) would fit
  // but FIFO does not backfill, so it waits.
  Cluster c({{"Tesla V100", 1, 4}});
  auto speed = Speeds(
      {{"T", 1, GpuClass::kV100, 1}, {"T", 2, GpuClass::kV100, 2}, {"T", 4, GpuClass::kV100, 4}});
  Job j0 = MakeJob(0, 0, 2), j1 = MakeJob(1, 1, 4), j2 = MakeJob(2, 2, 1);
  Plan p = Decide(c, speed, {{&j0}, {&j1}, {&j2}});
  ASSERT_EQ(p.starts.size(), 1u);
  EXPECT_EQ(p.starts[0].job, 0);
  int idle = 0;
  for (auto m : p.mode) idle += m == econ::Mode::kIdle;
  EXPECT_EQ(idle, 2);
}

TEST(FifoPerf, TiesAndArrivalTiesBreakByIdAndModelName) {
  // Scenario: two jobs arrive at once; equal speed on both types: the lower id goes first, onto
  // the model whose name sorts first.
  Cluster c({{"Tesla V100", 1, 1}, {"Tesla P100", 1, 1}});
  auto speed = Speeds({{"T", 1, GpuClass::kV100, 3}, {"T", 1, GpuClass::kP100, 3}});
  Job j7 = MakeJob(7, 10, 1), j3 = MakeJob(3, 10, 1);
  Plan p = Decide(c, speed, {{&j7}, {&j3}});
  ASSERT_EQ(p.starts.size(), 2u);
  EXPECT_EQ(p.starts[0].job, 3);
  EXPECT_EQ(StartOf(p, 3)->devices, c.DevicesOf("Tesla P100"));
  EXPECT_EQ(StartOf(p, 7)->devices, c.DevicesOf("Tesla V100"));
}

TEST(FifoPerf, ZeroRateTypeIsHeldNotRun) {
  // Scenario (Gavel's rule): V100 is busy with job 0; job 1 runs nowhere but V100, so its best
  // type with room is K80 at rate 0: it holds both K80s without running, and job 2, which could
  // run on K80, must wait.
  Cluster c({{"Tesla V100", 1, 2}, {"Tesla K80", 1, 2}});
  auto speed = Speeds({{"T", 2, GpuClass::kV100, 4},
                       {"U", 2, GpuClass::kV100, 4},
                       {"U", 2, GpuClass::kK80, 0},
                       {"T", 1, GpuClass::kK80, 1}});
  Job j0 = MakeJob(0, 0, 2, "T"), j1 = MakeJob(1, 1, 2, "U"), j2 = MakeJob(2, 2, 1, "T");
  Plan p = Decide(c, speed, {{&j0}, {&j1}, {&j2}});
  ASSERT_EQ(p.starts.size(), 1u);
  EXPECT_EQ(p.starts[0].job, 0);
  for (int32_t d : c.DevicesOf("Tesla K80")) {
    EXPECT_EQ(p.mode[static_cast<size_t>(d)], econ::Mode::kIdle);
    EXPECT_NE(std::string(p.DeviceReason(static_cast<size_t>(d))).find("held for job 1"),
              std::string::npos);
  }
}

TEST(FifoPerf, KeepsARunningJobThatStaysOnItsType) {
  // Scenario: job 0 runs on V100 device 1 (not the lowest); it stays there, untouched.
  Cluster c({{"Tesla V100", 1, 2}});
  auto speed = Speeds({{"T", 1, GpuClass::kV100, 1}});
  Job j0 = MakeJob(0, 0, 1), j1 = MakeJob(1, 3, 1);
  const std::vector<int32_t> devs = {1};
  RunningJob r{&j0, devs, 0, 0, 500, 0};
  Plan p = Decide(c, speed, {{&j1}}, {r});
  EXPECT_TRUE(p.preemptions.empty());
  ASSERT_EQ(p.starts.size(), 1u);
  EXPECT_EQ(p.starts[0].job, 1);
  EXPECT_EQ(p.starts[0].devices, std::vector<int32_t>{0});
  EXPECT_EQ(p.mode[1], econ::Mode::kAi);
}

TEST(FifoPerf, MovesARunningJobToAFasterTypeThatFreedUp) {
  // Scenario: job 0 (earliest) runs on K80 because V100 was full; V100 is free now, so the pass
  // from scratch gives it V100: a migration (preempted and started in the same plan) and the later
  // job 1 gets the K80.
  Cluster c({{"Tesla V100", 1, 1}, {"Tesla K80", 1, 1}});
  auto speed = Speeds({{"T", 1, GpuClass::kV100, 10}, {"T", 1, GpuClass::kK80, 2}});
  Job j0 = MakeJob(0, 0, 1), j1 = MakeJob(1, 9, 1);
  const std::vector<int32_t> k80 = c.DevicesOf("Tesla K80");
  RunningJob r{&j0, k80, 0, 0, 500, 0};
  Plan p = Decide(c, speed, {{&j1}}, {r});
  EXPECT_TRUE(Preempted(p, 0));
  ASSERT_NE(StartOf(p, 0), nullptr);
  EXPECT_EQ(StartOf(p, 0)->queue_index, -1);
  EXPECT_EQ(StartOf(p, 0)->devices, c.DevicesOf("Tesla V100"));
  EXPECT_NE(std::string(p.Reason(StartOf(p, 0)->reason)).find("moves from Tesla K80"),
            std::string::npos);
  ASSERT_NE(StartOf(p, 1), nullptr);
  EXPECT_EQ(StartOf(p, 1)->devices, k80);
}

TEST(FifoPerf, PreemptsARunningJobBehindTheStop) {
  // Scenario: job 1 runs on the only two GPUs; job 0 arrived earlier (re-queued) and needs both;
  // the pass places job 0 first, so job 1 no longer fits anywhere and is preempted.
  Cluster c({{"Tesla V100", 1, 2}});
  auto speed = Speeds({{"T", 2, GpuClass::kV100, 2}});
  Job j0 = MakeJob(0, 0, 2), j1 = MakeJob(1, 5, 2);
  const std::vector<int32_t> devs = {0, 1};
  RunningJob r{&j1, devs, 5, 5, 500, 0};
  Plan p = Decide(c, speed, {{&j0}}, {r});
  EXPECT_TRUE(Preempted(p, 1));
  ASSERT_NE(StartOf(p, 0), nullptr);
  EXPECT_EQ(StartOf(p, 0)->devices, devs);
  EXPECT_EQ(StartOf(p, 1), nullptr);
}

TEST(FifoPerf, PrefersOneNodeForAGang) {
  // Scenario: V100 nodes of 4; node 0 has 3 free (one busy), node 1 has 4 free: a 4-GPU gang goes
  // whole onto node 1 rather than spreading.
  Cluster c({{"Tesla V100", 2, 4}});
  auto speed = Speeds({{"T", 1, GpuClass::kV100, 1}, {"T", 4, GpuClass::kV100, 4}});
  Job j0 = MakeJob(0, 0, 1), j1 = MakeJob(1, 1, 4);
  const std::vector<int32_t> devs = {0};
  RunningJob r{&j0, devs, 0, 0, 500, 0};
  Plan p = Decide(c, speed, {{&j1}}, {r});
  ASSERT_NE(StartOf(p, 1), nullptr);
  EXPECT_EQ(StartOf(p, 1)->devices, (std::vector<int32_t>{4, 5, 6, 7}));
}

TEST(FifoPerf, DownDevicesAreOffAndNotUsed) {
  Cluster c({{"Tesla V100", 1, 2}});
  auto speed = Speeds({{"T", 1, GpuClass::kV100, 1}});
  Job j0 = MakeJob(0, 0, 1), j1 = MakeJob(1, 1, 1);
  PolicyOptions opt;
  opt.speed = &speed;
  FifoPerfPolicy policy(opt);
  std::vector<QueuedJob> q = {{&j0}, {&j1}};
  const std::vector<uint8_t> up = {0, 1};
  PolicyInput in;
  in.fleet = &c.fleet;
  in.flat = &c.flat;
  in.queue = q;
  in.device_up = up;
  Rng rng(1);
  Plan p = policy.Decide(in, rng);
  ASSERT_EQ(p.starts.size(), 1u);
  EXPECT_EQ(p.starts[0].job, 0);
  EXPECT_EQ(p.starts[0].devices, std::vector<int32_t>{1});
  EXPECT_EQ(p.mode[0], econ::Mode::kOff);
  ASSERT_EQ(p.site_power.size(), 1u);
  EXPECT_GT(p.site_power[0].it.raw(), 0);
}

TEST(FifoPerf, MakePolicyKnowsIt) {
  auto p = MakePolicy("fifo_perf", PolicyOptions{});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->name(), "fifo_perf");
}

}  // namespace
}  // namespace rigshift::sched
