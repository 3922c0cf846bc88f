#include "live/live_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "sim/sim_test_util.h"
#include "sim/simulated_backend.h"

namespace rigshift::live {
namespace {

constexpr TimePoint kT0 = 1'685'577'600;  // 2023-06-01 00:00 UTC

// A small fleet (2 rigs of 4 RTX 3090, 4 ASICs) on a flat market, the real store and the
// simulated backend, on virtual time.
class LiveServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet_ = sim::testing::MakeFleet({{"RTX 3090", 4}, {"RTX 3090", 4}, {"S19j Pro", 4}});
    flat_ = fleet::Flatten(fleet_);
    for (const auto* g : flat_.gpu) {
      if (g) speed_.Register(*g);
    }
    market_ = sim::testing::MakeMarket(kT0, std::vector<double>(24 * 20, 40.0), 0.08);
    dir_ = std::filesystem::temp_directory_path() /
           ("rs-live-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    service_.reset();
    backend_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    service_.reset();
    backend_.reset();
    store_.reset();
    auto st = store::OpenSqliteStore((dir_ / "rigshift.db").string(), store::OpenOptions{});
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    sim::SimulatedBackendOptions bo;
    bo.journal_path = (dir_ / "backend.db").string();
    bo.failures.enabled = false;
    auto b = sim::SimulatedBackend::Open(flat_, speed_, bo, kT0);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    backend_ = std::move(*b);
    LiveOptions o;
    o.policy_name = "backfill-mine";
    o.start = kT0;
    o.perfect_foresight = true;
    auto s = LiveService::Create(fleet_, flat_, market_, speed_, store_.get(), backend_.get(),
                                 nullptr, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    service_ = std::move(*s);
  }

  // Steps the service on virtual time until `until`.
  void RunUntil(TimePoint until) {
    TimePoint now = service_->now();
    for (int i = 0; i < 100000 && now < until; ++i) {
      ASSERT_TRUE(service_->Step(now).ok());
      now = std::min(until, std::max(service_->NextDue(), now + 1));
    }
    ASSERT_TRUE(service_->Step(until).ok());
  }

  server::JobSpec Spec(const std::string& name, int gpus, double hours) {
    server::JobSpec spec;
    spec.name = name;
    spec.gpus = gpus;
    spec.reference_gpu = "RTX 3090";
    spec.work_gpu_seconds = hours * 3600 * gpus;
    spec.price = UsdPerGpuHour(1.0);
    return spec;
  }

  fleet::Fleet fleet_;
  fleet::FlatFleet flat_;
  workload::SpeedModel speed_;
  market::MarketData market_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<sim::SimulatedBackend> backend_;
  std::unique_ptr<LiveService> service_;
};

TEST_F(LiveServiceTest, SubmittedJobsRunToCompletionAndIdleGpusMine) {
  // Scenario: two 4-GPU jobs of an hour each on 8 GPUs: both start at once, finish after an
  // hour (plus nothing: no restore on a first start); meanwhile the ASICs mine.
  ASSERT_TRUE(store_->CreateTenant("acme", kT0).ok());
  server::Principal acme{server::Role::kTenant, "acme"};
  ASSERT_TRUE(service_->Step(kT0).ok());
  auto a = service_->SubmitJob(acme, Spec("a", 4, 1), "k-a");
  auto b = service_->SubmitJob(acme, Spec("b", 4, 1), "k-b");
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString();
  RunUntil(kT0 + 30 * kMinute);
  auto ja = service_->GetJob(acme, a->id);
  ASSERT_TRUE(ja.ok());
  EXPECT_EQ(ja->state, server::JobState::kRunning);
  EXPECT_EQ(ja->devices.size(), 4u);
  auto sites = service_->ListSites();
  EXPECT_EQ(sites[0].devices_by_mode["ai"], 8);
  EXPECT_EQ(sites[0].devices_by_mode["mine"], 4);
  RunUntil(kT0 + 2 * kHour);
  EXPECT_EQ(service_->GetJob(acme, a->id)->state, server::JobState::kCompleted);
  EXPECT_EQ(service_->GetJob(acme, b->id)->state, server::JobState::kCompleted);
  EXPECT_EQ(service_->jobs_done(), 2);
  // Revenue: 8 GPU-hours at 1 USD.
  const auto revenue = service_->GetRevenue();
  EXPECT_NEAR(ToUsd(revenue[0].revenue), 8.0, 0.01);
  // Every decision has its reason in the store.
  auto decisions = service_->ListDecisions(server::DecisionFilter{});
  ASSERT_FALSE(decisions.items.empty());
  for (const auto& d : decisions.items) EXPECT_FALSE(d.reason.empty());
}

TEST_F(LiveServiceTest, RestartResumesTheRunWithoutStartingItAgain) {
  // Scenario: the process dies while a 2-hour job runs; the new process rebuilds the controller
  // from the store and the backend's record: the job is still running on the same GPUs, finishes
  // at its time, and the backend's journal holds exactly one start of it.
  ASSERT_TRUE(store_->CreateTenant("acme", kT0).ok());
  server::Principal acme{server::Role::kTenant, "acme"};
  ASSERT_TRUE(service_->Step(kT0).ok());
  auto a = service_->SubmitJob(acme, Spec("a", 2, 2), "k-a");
  ASSERT_TRUE(a.ok());
  RunUntil(kT0 + kHour);
  const auto devices = service_->GetJob(acme, a->id)->devices;
  ASSERT_EQ(devices.size(), 2u);
  Open();  // the crash: everything in memory is gone
  ASSERT_TRUE(service_->Step(kT0 + kHour).ok());
  auto again = service_->GetJob(acme, a->id);
  EXPECT_EQ(again->state, server::JobState::kRunning);
  EXPECT_EQ(again->devices, devices);
  RunUntil(kT0 + 3 * kHour);
  EXPECT_EQ(service_->GetJob(acme, a->id)->state, server::JobState::kCompleted);
  auto rows = sim::SimulatedBackend::ReadJournal((dir_ / "backend.db").string());
  ASSERT_TRUE(rows.ok());
  int starts = 0;
  for (const auto& r : *rows) {
    if (r.kind == "apply" && r.key.find("start_job") != std::string::npos) ++starts;
  }
  EXPECT_EQ(starts, 1);
}

TEST_F(LiveServiceTest, ATenantSeesAndCancelsOnlyItsOwnJobs) {
  ASSERT_TRUE(store_->CreateTenant("acme", kT0).ok());
  ASSERT_TRUE(store_->CreateTenant("globex", kT0).ok());
  server::Principal acme{server::Role::kTenant, "acme"};
  server::Principal globex{server::Role::kTenant, "globex"};
  ASSERT_TRUE(service_->Step(kT0).ok());
  auto a = service_->SubmitJob(acme, Spec("a", 1, 1), "k");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(service_->GetJob(globex, a->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->CancelJob(globex, a->id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(service_->ListJobs(globex, server::JobFilter{}).items.empty());
  EXPECT_EQ(service_->ListJobs(acme, server::JobFilter{}).items.size(), 1u);
  auto c = service_->CancelJob(acme, a->id);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  RunUntil(kT0 + 10 * kMinute);
  EXPECT_EQ(service_->GetJob(acme, a->id)->state, server::JobState::kCancelled);
}

TEST_F(LiveServiceTest, ARepeatedIdempotencyKeyGivesTheSameJob) {
  ASSERT_TRUE(store_->CreateTenant("acme", kT0).ok());
  server::Principal acme{server::Role::kTenant, "acme"};
  ASSERT_TRUE(service_->Step(kT0).ok());
  auto a = service_->SubmitJob(acme, Spec("a", 1, 1), "same");
  RunUntil(kT0 + 5 * kMinute);
  auto b = service_->SubmitJob(acme, Spec("a", 1, 1), "same");
  ASSERT_TRUE(a.ok() && b.ok()) << b.status().ToString();
  EXPECT_EQ(a->id, b->id);
  auto other = service_->SubmitJob(acme, Spec("a", 2, 1), "same");
  EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace rigshift::live
