#include "sim/simulated_backend.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "sim/sim_test_util.h"

namespace rigshift::sim {
namespace {

using control::AckOutcome;
using control::Action;
using control::ActionKind;
using econ::Mode;

class SimulatedBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet_ = testing::MakeFleet({{"RTX 3090", 4}, {"RTX 3090", 4}});
    flat_ = fleet::Flatten(fleet_);
    for (const auto* g : flat_.gpu) speed_.Register(*g);
    dir_ = std::filesystem::temp_directory_path() /
           ("rs-simbackend-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.journal_path = (dir_ / "journal.db").string();
    options_.failures.enabled = false;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SimulatedBackend> Open() {
    auto b = SimulatedBackend::Open(flat_, speed_, options_, /*start=*/1000);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? std::move(*b) : nullptr;
  }

  static Action Start(const std::string& key, workload::JobId id, std::vector<int32_t> devices,
                      double work_gpu_seconds) {
    Action a;
    a.key = key;
    a.kind = ActionKind::kStartJob;
    a.job.id = id;
    a.job.gpus = static_cast<int32_t>(devices.size());
    a.job.reference_gpu = "RTX 3090";
    a.job.work_gpu_seconds = work_gpu_seconds;
    a.job.checkpoint_interval = 600;
    a.job.restore_time = 60;
    a.devices = std::move(devices);
    return a;
  }
  static Action Stop(const std::string& key, workload::JobId id) {
    Action a;
    a.key = key;
    a.kind = ActionKind::kStopJob;
    a.job.id = id;
    return a;
  }
  static Action SetMode(const std::string& key, std::vector<int32_t> devices, Mode m) {
    Action a;
    a.key = key;
    a.kind = ActionKind::kSetMode;
    a.devices = std::move(devices);
    a.mode = m;
    return a;
  }

  fleet::Fleet fleet_;
  fleet::FlatFleet flat_;
  workload::SpeedModel speed_;
  std::filesystem::path dir_;
  SimulatedBackendOptions options_;
};

TEST_F(SimulatedBackendTest, RunFinishesWhenItsWorkIsDone) {
  // Scenario: 2 x RTX 3090 on a job of 7,200 reference GPU-seconds measured on an RTX 3090: one
  // hour of wall time, reported as ended by the first poll at or after it.
  auto b = Open();
  auto ack = b->Apply(Start("k1", 7, {0, 1}, 7200), 1000);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->outcome, AckOutcome::kApplied);
  ASSERT_EQ(b->NextEvent(), std::optional<TimePoint>(1000 + 3600));
  auto t = b->Poll(1000 + 3599, {});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->ended.empty());
  t = b->Poll(1000 + 3600, {.snapshot = true});
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->ended.size(), 1u);
  EXPECT_TRUE(t->ended[0].finished);
  EXPECT_EQ(t->ended[0].time, 1000 + 3600);
  EXPECT_EQ(t->devices[0].mode, Mode::kIdle);
  EXPECT_TRUE(t->runs.empty());
}

TEST_F(SimulatedBackendTest, RepeatedKeyChangesNothing) {
  // Scenario: a controller that crashed after sending resends the same command.
  auto b = Open();
  ASSERT_EQ(b->Apply(SetMode("m1", {0, 1, 2}, Mode::kMine), 1000)->outcome, AckOutcome::kApplied);
  ASSERT_EQ(b->Apply(SetMode("m2", {0}, Mode::kOff), 1001)->outcome, AckOutcome::kApplied);
  auto again = b->Apply(SetMode("m1", {0, 1, 2}, Mode::kMine), 1002);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, AckOutcome::kDuplicate);
  auto t = b->Poll(1003, {.snapshot = true});
  EXPECT_EQ(t->devices[0].mode, Mode::kOff);  // m1 was not applied again
  EXPECT_EQ(t->devices[1].mode, Mode::kMine);
}

TEST_F(SimulatedBackendTest, RefusesToRunAJobTwiceOrOnBusyDevices) {
  auto b = Open();
  ASSERT_EQ(b->Apply(Start("s1", 1, {0, 1}, 1e6), 1000)->outcome, AckOutcome::kApplied);
  auto twice = b->Apply(Start("s2", 1, {2, 3}, 1e6), 1001);
  EXPECT_EQ(twice->outcome, AckOutcome::kRejected);
  EXPECT_NE(twice->detail.find("already running"), std::string::npos);
  auto busy = b->Apply(Start("s3", 2, {1, 2}, 1e6), 1001);
  EXPECT_EQ(busy->outcome, AckOutcome::kRejected);
  EXPECT_NE(busy->detail.find("runs job 1"), std::string::npos);
  auto mine_busy = b->Apply(SetMode("m", {0}, Mode::kMine), 1001);
  EXPECT_EQ(mine_busy->outcome, AckOutcome::kRejected);
}

TEST_F(SimulatedBackendTest, StopKeepsTheLastCheckpointAndRestartPaysRestore) {
  // Scenario: 1 GPU, checkpoint every 600 s, stopped 1,000 s into the run: 600 s of work kept;
  // the restart spends 60 s restoring before it advances.
  auto b = Open();
  ASSERT_EQ(b->Apply(Start("s1", 5, {0}, 3600), 1000)->outcome, AckOutcome::kApplied);
  ASSERT_EQ(b->Apply(Stop("p1", 5), 2000)->outcome, AckOutcome::kApplied);
  ASSERT_EQ(b->Apply(Start("s2", 5, {1}, 3600), 3000)->outcome, AckOutcome::kApplied);
  EXPECT_EQ(b->NextEvent(), std::optional<TimePoint>(3000 + 60 + 3000));
}

TEST_F(SimulatedBackendTest, ReopenedJournalRestoresTheWorld) {
  // Scenario: the process dies; the backend's own record brings back every run and mode, and
  // a resent key is still a duplicate.
  {
    auto b = Open();
    ASSERT_EQ(b->Apply(Start("s1", 9, {4, 5}, 7200), 1000)->outcome, AckOutcome::kApplied);
    ASSERT_EQ(b->Apply(SetMode("m1", {0, 1}, Mode::kMine), 1000)->outcome, AckOutcome::kApplied);
  }
  auto b = Open();
  EXPECT_EQ(b->Apply(Start("s1", 9, {4, 5}, 7200), 1500)->outcome, AckOutcome::kDuplicate);
  auto t = b->Poll(1500, {.snapshot = true});
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->runs.size(), 1u);
  EXPECT_EQ(t->runs[0].job, 9);
  EXPECT_EQ(t->devices[0].mode, Mode::kMine);
  EXPECT_EQ(t->devices[4].mode, Mode::kAi);
  t = b->Poll(1000 + 3600, {});
  ASSERT_EQ(t->ended.size(), 1u);
  auto rows = SimulatedBackend::ReadJournal(options_.journal_path);
  ASSERT_TRUE(rows.ok());
  std::set<std::string> keys;
  for (const auto& r : *rows) {
    if (!r.key.empty()) {
      EXPECT_TRUE(keys.insert(r.key).second) << r.key;
    }
  }
  EXPECT_EQ(keys.size(), 2u);
}

TEST_F(SimulatedBackendTest, FailuresStopRunsAndRepairsBringDevicesBack) {
  // Scenario: MTBF of one hour on 8 GPUs over two days: some failure hits a running gang, which
  // is reported as a run end that did not finish; every failed device comes back.
  options_.failures.enabled = true;
  options_.failures.gpu_mtbf_hours = 1;
  options_.failures.gpu_mttr_hours = 0.5;
  options_.journal_path.clear();
  auto b = Open();
  ASSERT_EQ(b->Apply(Start("s1", 3, {0, 1, 2, 3, 4, 5, 6, 7}, 1e9), 1000)->outcome,
            AckOutcome::kApplied);
  auto t = b->Poll(1000 + 2 * kDay, {});
  ASSERT_TRUE(t.ok());
  ASSERT_FALSE(t->ended.empty());
  EXPECT_FALSE(t->ended[0].finished);
  int downs = 0, ups = 0;
  for (const auto& h : t->health) (h.up ? ups : downs)++;
  EXPECT_GT(downs, 8);
  EXPECT_GE(ups, downs - 8);
}

}  // namespace
}  // namespace rigshift::sim
