// The Store contract: every implementation must pass these (SQLite in memory and on a file now;
// a PostgreSQL factory plugs into INSTANTIATE_TEST_SUITE_P below). One test per behaviour.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <ostream>
#include <memory>
#include <string>

#include "store/store.h"

namespace rigshift::store {
namespace {

struct StoreFactory {
  std::string name;
  // Opens a fresh, empty store; `dir` is a scratch directory the test removes afterwards.
  std::function<Result<std::unique_ptr<Store>>(const std::string& dir)> open;
};

void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

class StoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rigshift-store-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto opened = GetParam().open(dir_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    ASSERT_TRUE(store_->CreateTenant("acme", 100).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  workload::Job Spec(int gpus = 2, double work = 3600) {
    workload::Job job;
    job.name = "train-resnet";
    job.gpus = gpus;
    job.min_memory_gb = 16;
    job.reference_gpu = "GeForce RTX 3090";
    job.work_gpu_seconds = work;
    job.price = UsdPerGpuHour(0.45);
    return job;
  }

  JobRecord Submit(const std::string& key, TimePoint now, const std::string& tenant = "acme",
                   int gpus = 2) {
    auto r = store_->SubmitJob({tenant, key, Spec(gpus), "python train.py"}, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->job : JobRecord{};
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

// ---- tenants

TEST_P(StoreContractTest, TenantNamesAreUnique) {
  auto again = store_->CreateTenant("acme", 200);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto other = store_->CreateTenant("globex", 300);
  ASSERT_TRUE(other.ok());
  auto got = store_->GetTenant("globex");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->created_at, 300);
  auto all = store_->ListTenants();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "acme");
  EXPECT_EQ(store_->GetTenant("initech").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateTenant("", 1).status().code(), StatusCode::kInvalidArgument);
}

// ---- tokens

TEST_P(StoreContractTest, TokenAuthenticatesUntilRevoked) {
  auto token = store_->CreateToken(TokenRole::kTenant, "acme", "ci", 500);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->secret.size(), 43u);
  EXPECT_EQ(token->secret.substr(0, 3), "rs_");
  auto who = store_->Authenticate(token->secret);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->role, TokenRole::kTenant);
  EXPECT_EQ(who->tenant, "acme");
  EXPECT_EQ(who->token_id, token->id);

  std::string wrong = token->secret;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_EQ(store_->Authenticate(wrong).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(store_->Authenticate("").status().code(), StatusCode::kUnauthenticated);

  ASSERT_TRUE(store_->RevokeToken(token->id, 600).ok());
  EXPECT_EQ(store_->Authenticate(token->secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(store_->RevokeToken(token->id + 100, 600).code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, TokensAreListedWithoutSecretsAndSecretsDiffer) {
  auto a = store_->CreateToken(TokenRole::kOperator, "", "ops laptop", 10);
  auto b = store_->CreateToken(TokenRole::kTenant, "acme", "", 20);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->secret, b->secret);
  auto op = store_->Authenticate(a->secret);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->role, TokenRole::kOperator);
  EXPECT_EQ(op->tenant, "");
  auto list = store_->ListTokens();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].label, "ops laptop");
  EXPECT_EQ((*list)[0].role, TokenRole::kOperator);
  EXPECT_EQ((*list)[1].tenant, "acme");
  EXPECT_FALSE((*list)[1].revoked_at.has_value());
}

TEST_P(StoreContractTest, TenantTokenNeedsAnExistingTenant) {
  EXPECT_EQ(store_->CreateToken(TokenRole::kTenant, "nobody", "", 1).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateToken(TokenRole::kTenant, "", "", 1).status().code(),
            StatusCode::kInvalidArgument);
}

// ---- jobs

TEST_P(StoreContractTest, SubmitAssignsIdArrivalAndQueuedState) {
  const JobRecord job = Submit("k1", 1000);
  EXPECT_GT(job.id, 0);
  EXPECT_EQ(job.spec.id, job.id);
  EXPECT_EQ(job.spec.arrival, 1000);
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_EQ(job.submitted_at, 1000);
  EXPECT_EQ(job.command, "python train.py");
  EXPECT_EQ(job.progress.remaining_work, 3600);
  EXPECT_EQ(job.spec.price, UsdPerGpuHour(0.45));
  auto got = store_->GetJob(job.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->spec.name, "train-resnet");
  EXPECT_EQ(got->spec.gpus, 2);
  EXPECT_EQ(store_->GetJob(job.id + 1).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, ResubmittingTheSameKeyAndBodyReturnsTheSameJob) {
  const JobRecord first = Submit("k1", 1000);
  auto again = store_->SubmitJob({"acme", "k1", Spec(), "python train.py"}, 2000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->job.id, first.id);
  EXPECT_EQ(again->job.submitted_at, 1000);
  auto page = store_->ListJobs({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 1u);
}

TEST_P(StoreContractTest, ReusingAKeyForAnotherBodyIsAlreadyExists) {
  Submit("k1", 1000);
  auto other = store_->SubmitJob({"acme", "k1", Spec(4), "python train.py"}, 2000);
  EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists);
  auto other_cmd = store_->SubmitJob({"acme", "k1", Spec(), "python eval.py"}, 2000);
  EXPECT_EQ(other_cmd.status().code(), StatusCode::kAlreadyExists);
  // Keys are per tenant.
  ASSERT_TRUE(store_->CreateTenant("globex", 1).ok());
  auto globex = store_->SubmitJob({"globex", "k1", Spec(4), ""}, 2000);
  ASSERT_TRUE(globex.ok());
  EXPECT_TRUE(globex->created);
}

TEST_P(StoreContractTest, SubmitRejectsUnknownTenantAndBadSpec) {
  EXPECT_EQ(store_->SubmitJob({"nobody", "k", Spec(), ""}, 1).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->SubmitJob({"acme", "k", Spec(0), ""}, 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SubmitJob({"acme", "", Spec(), ""}, 1).status().code(),
            StatusCode::kInvalidArgument);
  workload::Job bad = Spec();
  bad.work_gpu_seconds = -1;
  EXPECT_EQ(store_->SubmitJob({"acme", "k", bad, ""}, 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, ListJobsPagesByKeyset) {
  for (int i = 0; i < 7; ++i) Submit("k" + std::to_string(i), 1000 + i);
  JobFilter f;
  f.page.limit = 3;
  std::vector<int64_t> seen;
  int pages = 0;
  while (true) {
    auto page = store_->ListJobs(f);
    ASSERT_TRUE(page.ok());
    ++pages;
    for (const auto& j : page->items) seen.push_back(j.id);
    if (!page->next_after_id) break;
    f.page.after_id = *page->next_after_id;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 7u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i - 1], seen[i]);
  f.page.limit = 0;
  EXPECT_EQ(store_->ListJobs(f).status().code(), StatusCode::kInvalidArgument);
  f.page.limit = kMaxPageSize + 1;
  EXPECT_EQ(store_->ListJobs(f).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, ListJobsFiltersByTenantStateAndTime) {
  ASSERT_TRUE(store_->CreateTenant("globex", 1).ok());
  const JobRecord a = Submit("a", 1000);
  Submit("b", 2000, "globex");
  const JobRecord c = Submit("c", 3000);
  ASSERT_TRUE(store_->Write([&](Transaction& tx) {
    return tx.TransitionJob(c.id, JobState::kRunning, 3100, "placed");
  }).ok());
  JobFilter f;
  f.tenant = "acme";
  auto acme = store_->ListJobs(f);
  ASSERT_TRUE(acme.ok());
  ASSERT_EQ(acme->items.size(), 2u);
  EXPECT_EQ(acme->items[0].id, a.id);
  f.state = JobState::kRunning;
  auto running = store_->ListJobs(f);
  ASSERT_TRUE(running.ok());
  ASSERT_EQ(running->items.size(), 1u);
  EXPECT_EQ(running->items[0].id, c.id);
  JobFilter t;
  t.submitted_from = 1500;
  t.submitted_to = 3000;  // exclusive
  auto window = store_->ListJobs(t);
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->items.size(), 1u);
  EXPECT_EQ(window->items[0].tenant, "globex");
}

TEST_P(StoreContractTest, JobHistoryKeepsEveryTransitionInOrder) {
  const JobRecord job = Submit("k", 1000);
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.TransitionJob(job.id, JobState::kRunning, 1100, "placed on 2 GPUs"));
    RETURN_IF_ERROR(tx.TransitionJob(job.id, JobState::kQueued, 1200, "preempted: price spike"));
    RETURN_IF_ERROR(tx.TransitionJob(job.id, JobState::kRunning, 1300, "placed again"));
    return tx.TransitionJob(job.id, JobState::kDone, 1400, "finished");
  }).ok());
  auto history = store_->JobHistory(job.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 5u);
  EXPECT_FALSE((*history)[0].from.has_value());
  EXPECT_EQ((*history)[0].to, JobState::kQueued);
  EXPECT_EQ((*history)[0].reason, "submitted");
  EXPECT_EQ((*history)[2].reason, "preempted: price spike");
  EXPECT_EQ((*history)[2].from, JobState::kRunning);
  EXPECT_EQ((*history)[4].to, JobState::kDone);
  EXPECT_EQ((*history)[4].at, 1400);
  auto got = store_->GetJob(job.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, JobState::kDone);
  EXPECT_EQ(got->updated_at, 1400);
  EXPECT_EQ(store_->JobHistory(job.id + 9).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, FinalJobStatesCannotBeLeft) {
  const JobRecord job = Submit("k", 1000);
  Status s = store_->Write([&](Transaction& tx) {
    return tx.TransitionJob(job.id, JobState::kDone, 1100, "skipping running");
  });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->Write([&](Transaction& tx) {
    return tx.TransitionJob(job.id, JobState::kCancelled, 1100, "cancelled by tenant");
  }).ok());
  s = store_->Write([&](Transaction& tx) {
    return tx.TransitionJob(job.id, JobState::kQueued, 1200, "resurrect");
  });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
}

TEST_P(StoreContractTest, JobProgressRoundTrips) {
  const JobRecord job = Submit("k", 1000);
  JobProgress p;
  p.devices = {"tx1/hall-a/rack#0/node#0/d0", "tx1/hall-a/rack#0/node#0/d1"};
  p.preemptions = 2;
  p.remaining_work = 1234.5;
  p.attained_gpu_seconds = 777.25;
  p.run_start = 1500;
  p.last_checkpoint = 1800;
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.TransitionJob(job.id, JobState::kRunning, 1500, "placed"));
    return tx.SaveJobProgress(job.id, p, 1900);
  }).ok());
  auto got = store_->GetJob(job.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->progress.devices, p.devices);
  EXPECT_EQ(got->progress.preemptions, 2);
  EXPECT_EQ(got->progress.remaining_work, 1234.5);
  EXPECT_EQ(got->progress.attained_gpu_seconds, 777.25);
  EXPECT_EQ(got->progress.run_start, 1500);
  EXPECT_EQ(got->progress.last_checkpoint, 1800);
  EXPECT_EQ(got->updated_at, 1900);
  EXPECT_EQ(store_->Write([&](Transaction& tx) { return tx.SaveJobProgress(job.id + 5, p, 1); })
                .code(),
            StatusCode::kNotFound);
}

TEST_P(StoreContractTest, RequestCancelSetsTheFlagOnlyOnLiveJobs) {
  const JobRecord job = Submit("k", 1000);
  ASSERT_TRUE(store_->RequestCancel(job.id, 1100).ok());
  ASSERT_TRUE(store_->RequestCancel(job.id, 1200).ok());  // asking twice is fine
  auto got = store_->GetJob(job.id);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->cancel_requested);
  EXPECT_EQ(got->state, JobState::kQueued);  // the controller moves it
  ASSERT_TRUE(store_->Write([&](Transaction& tx) {
    return tx.TransitionJob(job.id, JobState::kCancelled, 1300, "cancel requested");
  }).ok());
  EXPECT_EQ(store_->RequestCancel(job.id, 1400).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->RequestCancel(job.id + 3, 1400).code(), StatusCode::kNotFound);
}

// ---- devices

TEST_P(StoreContractTest, SyncDevicesRetiresWhatTheFleetFileDropped) {
  std::vector<DeviceInventory> fleet = {{"s/h/r#0/n#0/d0", "s", "gpu", "GeForce RTX 3090"},
                                        {"s/h/r#0/n#0/d1", "s", "gpu", "GeForce RTX 3090"},
                                        {"s/h/r#1/n#0/d0", "s", "asic", "Antminer S19 Pro"}};
  ASSERT_TRUE(store_->SyncDevices(fleet, 100).ok());
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.SetDesiredMode("s/h/r#0/n#0/d0", "ai", 110));
    return tx.ReportObserved("s/h/r#0/n#0/d0", "ai", true, 120);
  }).ok());
  auto d0 = store_->GetDevice("s/h/r#0/n#0/d0");
  ASSERT_TRUE(d0.ok());
  EXPECT_EQ(d0->desired_mode, "ai");
  EXPECT_EQ(d0->observed_mode, "ai");
  EXPECT_TRUE(d0->up);
  EXPECT_EQ(d0->last_seen, 120);
  EXPECT_EQ(d0->inventory.model, "GeForce RTX 3090");

  fleet.pop_back();
  ASSERT_TRUE(store_->SyncDevices(fleet, 200).ok());
  auto live = store_->ListDevices(false);
  auto all = store_->ListDevices(true);
  ASSERT_TRUE(live.ok() && all.ok());
  EXPECT_EQ(live->size(), 2u);
  ASSERT_EQ(all->size(), 3u);
  auto asic = store_->GetDevice("s/h/r#1/n#0/d0");
  ASSERT_TRUE(asic.ok());
  EXPECT_TRUE(asic->retired);
  // Modes survive a re-sync of a device still listed.
  EXPECT_EQ(store_->GetDevice("s/h/r#0/n#0/d0")->desired_mode, "ai");

  fleet.push_back({"s/h/r#1/n#0/d0", "s", "asic", "Antminer S21"});
  ASSERT_TRUE(store_->SyncDevices(fleet, 300).ok());
  asic = store_->GetDevice("s/h/r#1/n#0/d0");
  ASSERT_TRUE(asic.ok());
  EXPECT_FALSE(asic->retired);
  EXPECT_EQ(asic->inventory.model, "Antminer S21");
  EXPECT_EQ(store_->Write([&](Transaction& tx) { return tx.SetDesiredMode("nope", "off", 1); })
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->SyncDevices({fleet[0], fleet[0]}, 400).code(), StatusCode::kInvalidArgument);
}

// ---- plans, decisions

TEST_P(StoreContractTest, DecisionsFilterByPlanDeviceSiteJobAndTime) {
  const JobRecord job = Submit("k", 1000);
  int64_t plan1 = 0, plan2 = 0;
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(plan1, tx.InsertPlan({0, 2000, "rigshift", "epoch"}));
    ASSIGN_OR_RETURN(plan2, tx.InsertPlan({0, 3000, "rigshift", "arrival"}));
    DecisionRecord d{0, plan1, 2000, "epoch", "device", "off", "power costs more", "tx1",
                     "tx1/h/r#0/n#0/d0", "tx1/h/r#0/n#0/d7", std::nullopt};
    RETURN_IF_ERROR(tx.InsertDecision(d).status());
    d = {0, plan1, 2000, "epoch", "device", "mine", "mining pays", "nd2", "nd2/h/r#0/n#0/d0", "",
         std::nullopt};
    RETURN_IF_ERROR(tx.InsertDecision(d).status());
    d = {0, plan2, 3000, "arrival", "job", "start", "fits", "tx1", "tx1/h/r#0/n#0/d3", "",
         job.id};
    return tx.InsertDecision(d).status();
  }).ok());
  EXPECT_EQ(store_->GetPlan(plan2)->trigger, "arrival");
  EXPECT_EQ(store_->GetPlan(plan2 + 10).status().code(), StatusCode::kNotFound);

  auto count = [&](const DecisionFilter& f) {
    auto page = store_->ListDecisions(f);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items.size() : 0;
  };
  DecisionFilter f;
  EXPECT_EQ(count(f), 3u);
  f.plan_id = plan1;
  EXPECT_EQ(count(f), 2u);
  f = {};
  f.device = "tx1/h/r#0/n#0/d3";  // inside the first decision's range and named by the third
  EXPECT_EQ(count(f), 2u);
  f.device = "tx1/h/r#0/n#0/d8";
  EXPECT_EQ(count(f), 0u);
  f = {};
  f.site = "nd2";
  EXPECT_EQ(count(f), 1u);
  f = {};
  f.job_id = job.id;
  auto by_job = store_->ListDecisions(f);
  ASSERT_TRUE(by_job.ok());
  ASSERT_EQ(by_job->items.size(), 1u);
  EXPECT_EQ(by_job->items[0].reason, "fits");
  f = {};
  f.from = 2500;
  f.to = 3001;
  EXPECT_EQ(count(f), 1u);
  f = {};
  f.page.limit = 2;
  auto first = store_->ListDecisions(f);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->next_after_id.has_value());
  f.page.after_id = *first->next_after_id;
  auto second = store_->ListDecisions(f);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->items.size(), 1u);
  EXPECT_FALSE(second->next_after_id.has_value());
}

TEST_P(StoreContractTest, DecisionOfAnUnknownPlanIsRejected) {
  Status s = store_->Write([&](Transaction& tx) {
    return tx.InsertDecision({0, 999, 1, "epoch", "device", "off", "r", "s", "d", "", {}})
        .status();
  });
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

// ---- actions

TEST_P(StoreContractTest, ActionInsertIsIdempotentOnItsKey) {
  const ActionRequest req{"plan-1/set_mode/s/h/r#0/n#0/d0", std::nullopt, ActionKind::kSetMode,
                          "s/h/r#0/n#0/d0", R"({"mode":"ai"})"};
  ActionRecord first, second;
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(first, tx.InsertAction(req, 100));
    ASSIGN_OR_RETURN(second, tx.InsertAction(req, 200));
    return Status::Ok();
  }).ok());
  EXPECT_EQ(first.id, second.id);
  EXPECT_EQ(second.created_at, 100);
  EXPECT_EQ(second.state, ActionState::kPending);
  ActionRequest other = req;
  other.payload_json = R"({"mode":"mine"})";
  Status s = store_->Write([&](Transaction& tx) { return tx.InsertAction(other, 300).status(); });
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
}

TEST_P(StoreContractTest, ActionStatesMoveForwardOnly) {
  int64_t id = 0;
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(const ActionRecord a,
                     tx.InsertAction({"k", std::nullopt, ActionKind::kStartJob, "job-1", "{}"}, 10));
    id = a.id;
    RETURN_IF_ERROR(tx.TransitionAction(id, ActionState::kSent, 11, ""));
    RETURN_IF_ERROR(tx.TransitionAction(id, ActionState::kSent, 12, "timeout"));
    return tx.TransitionAction(id, ActionState::kAcknowledged, 13, "");
  }).ok());
  auto pending = store_->PendingActions();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].attempts, 2);
  EXPECT_EQ((*pending)[0].sent_at, 12);
  EXPECT_EQ((*pending)[0].acknowledged_at, 13);
  EXPECT_EQ((*pending)[0].last_error, "timeout");
  ASSERT_TRUE(store_->Write([&](Transaction& tx) {
    return tx.TransitionAction(id, ActionState::kConfirmed, 14, "");
  }).ok());
  auto got = store_->GetAction(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, ActionState::kConfirmed);
  EXPECT_EQ(got->finished_at, 14);
  EXPECT_TRUE(store_->PendingActions()->empty());
  for (ActionState back : {ActionState::kPending, ActionState::kSent, ActionState::kFailed}) {
    Status s = store_->Write([&](Transaction& tx) { return tx.TransitionAction(id, back, 15, ""); });
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << ActionStateName(back);
  }
  EXPECT_EQ(store_->GetAction(id + 1).status().code(), StatusCode::kNotFound);
}

// ---- market points, revenue, events, meta

TEST_P(StoreContractTest, MarketPointsUpsertAndQueryByRange) {
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    for (int h = 0; h < 4; ++h) {
      RETURN_IF_ERROR(tx.UpsertMarketPoint(
          {"ercot", h * 3600, UsdPerMwh(20 + h), std::nullopt, "file:prices.csv"}));
    }
    RETURN_IF_ERROR(
        tx.UpsertMarketPoint({"hashprice", 0, std::nullopt, UsdPerThsDay(0.05), "api"}));
    // A correction of an hour already stored replaces it.
    return tx.UpsertMarketPoint({"ercot", 3600, UsdPerMwh(99), std::nullopt, "api"});
  }).ok());
  auto latest = store_->LatestMarketPoint("ercot");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->at, 3 * 3600);
  auto range = store_->MarketPoints("ercot", 3600, 3 * 3600);
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[0].energy_price, UsdPerMwh(99));
  EXPECT_EQ((*range)[0].source, "api");
  EXPECT_FALSE((*range)[0].hashprice.has_value());
  auto hp = store_->LatestMarketPoint("hashprice");
  ASSERT_TRUE(hp.ok() && hp->has_value());
  EXPECT_EQ((*hp)->hashprice, UsdPerThsDay(0.05));
  auto none = store_->LatestMarketPoint("pjm");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(StoreContractTest, RevenueCountersAddExactly) {
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.AddRevenue("tx1", RevenueKind::kAi, MicroUsd(1'000'001)));
    RETURN_IF_ERROR(tx.AddRevenue("tx1", RevenueKind::kAi, MicroUsd(2)));
    RETURN_IF_ERROR(tx.AddRevenue("tx1", RevenueKind::kEnergy, MicroUsd(500)));
    return tx.AddRevenue("nd2", RevenueKind::kDemandResponse, MicroUsd(-7));
  }).ok());
  auto rev = store_->Revenue();
  ASSERT_TRUE(rev.ok());
  ASSERT_EQ(rev->size(), 3u);
  EXPECT_EQ((*rev)[0].site, "nd2");
  EXPECT_EQ((*rev)[0].kind, RevenueKind::kDemandResponse);
  EXPECT_EQ((*rev)[0].amount, MicroUsd(-7));
  EXPECT_EQ((*rev)[1].kind, RevenueKind::kAi);
  EXPECT_EQ((*rev)[1].amount, MicroUsd(1'000'003));
  Status overflow = store_->Write([&](Transaction& tx) {
    return tx.AddRevenue("tx1", RevenueKind::kAi, MicroUsd(INT64_MAX));
  });
  EXPECT_EQ(overflow.code(), StatusCode::kOutOfRange);
  EXPECT_EQ((*store_->Revenue())[1].amount, MicroUsd(1'000'003));
}

TEST_P(StoreContractTest, EventsAreNumberedInOrderAndPaged) {
  auto base = store_->ListEvents({0, kMaxPageSize});  // the store's own events so far
  ASSERT_TRUE(base.ok());
  const int64_t after = base->items.empty() ? 0 : base->items.back().seq;
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    for (int i = 0; i < 5; ++i) {
      RETURN_IF_ERROR(tx.AppendEvent(100 + i, "test.tick", "{\"i\":" + std::to_string(i) + "}")
                          .status());
    }
    return Status::Ok();
  }).ok());
  auto page = store_->ListEvents({after, 3});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 3u);
  ASSERT_TRUE(page->next_after_id.has_value());
  EXPECT_EQ(page->items[0].payload_json, "{\"i\":0}");
  EXPECT_LT(page->items[0].seq, page->items[1].seq);
  auto rest = store_->ListEvents({*page->next_after_id, 3});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 2u);
  EXPECT_EQ(rest->items[1].at, 104);
  EXPECT_FALSE(rest->next_after_id.has_value());
}

TEST_P(StoreContractTest, StoreWritesItsOwnEvents) {
  Submit("k", 1000);
  auto events = store_->ListEvents({0, 100});
  ASSERT_TRUE(events.ok());
  ASSERT_GE(events->items.size(), 2u);
  EXPECT_EQ(events->items.front().kind, "tenant.created");
  EXPECT_EQ(events->items.back().kind, "job.submitted");
}

TEST_P(StoreContractTest, MetaKeysAreSetAndReplaced) {
  EXPECT_FALSE(store_->GetMeta("controller.clock")->has_value());
  ASSERT_TRUE(store_->Write([](Transaction& tx) { return tx.SetMeta("controller.clock", "10"); })
                  .ok());
  ASSERT_TRUE(store_->Write([](Transaction& tx) { return tx.SetMeta("controller.clock", "20"); })
                  .ok());
  EXPECT_EQ(store_->GetMeta("controller.clock")->value_or(""), "20");
}

// ---- transactions

TEST_P(StoreContractTest, AFailingTransactionLeavesNothing) {
  const JobRecord job = Submit("k", 1000);
  auto events_before = store_->ListEvents({0, kMaxPageSize});
  ASSERT_TRUE(events_before.ok());
  int64_t plan = 0;
  Status s = store_->Write([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(plan, tx.InsertPlan({0, 2000, "rigshift", "epoch"}));
    RETURN_IF_ERROR(
        tx.InsertDecision({0, plan, 2000, "epoch", "job", "start", "fits", "s", "", "", job.id})
            .status());
    RETURN_IF_ERROR(tx.InsertAction({"plan/start", plan, ActionKind::kStartJob, "j", "{}"}, 2000)
                        .status());
    RETURN_IF_ERROR(tx.TransitionJob(job.id, JobState::kRunning, 2000, "placed"));
    RETURN_IF_ERROR(tx.AddRevenue("s", RevenueKind::kAi, MicroUsd(5)));
    RETURN_IF_ERROR(tx.AppendEvent(2000, "plan", "{}").status());
    RETURN_IF_ERROR(tx.SetMeta("clock", "2000"));
    RETURN_IF_ERROR(tx.UpsertMarketPoint({"m", 0, UsdPerMwh(1), std::nullopt, "t"}));
    // Not allowed: running -> unplaceable. The whole plan must vanish.
    return tx.TransitionJob(job.id, JobState::kUnplaceable, 2000, "bad");
  });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->GetPlan(plan).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListDecisions({})->items.empty());
  EXPECT_TRUE(store_->PendingActions()->empty());
  EXPECT_EQ(store_->GetJob(job.id)->state, JobState::kQueued);
  EXPECT_EQ(store_->JobHistory(job.id)->size(), 1u);
  EXPECT_TRUE(store_->Revenue()->empty());
  EXPECT_EQ(store_->ListEvents({0, kMaxPageSize})->items.size(), events_before->items.size());
  EXPECT_FALSE(store_->GetMeta("clock")->has_value());
  EXPECT_FALSE(store_->LatestMarketPoint("m")->has_value());
  // The store stays usable.
  ASSERT_TRUE(store_->Write([](Transaction& tx) { return tx.SetMeta("clock", "2001"); }).ok());
}

TEST_P(StoreContractTest, CallerErrorRollsBackToo) {
  Status s = store_->Write([](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.SetMeta("half", "written"));
    return Status::Internal("controller gave up");
  });
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.message(), "controller gave up");
  EXPECT_FALSE(store_->GetMeta("half")->has_value());
}

TEST_P(StoreContractTest, ATransactionReadsItsOwnWrites) {
  const JobRecord job = Submit("k", 1000);
  ASSERT_TRUE(store_->Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.TransitionJob(job.id, JobState::kRunning, 1100, "placed"));
    ASSIGN_OR_RETURN(const JobRecord seen, tx.GetJob(job.id));
    if (seen.state != JobState::kRunning) return Status::Internal("own write not visible");
    return Status::Ok();
  }).ok());
}

TEST_P(StoreContractTest, IntegrityCheckPassesAndSchemaIsCurrent) {
  Submit("k", 1000);
  EXPECT_TRUE(store_->IntegrityCheck().ok());
  EXPECT_GE(store_->SchemaVersion(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Stores, StoreContractTest,
    ::testing::Values(
        StoreFactory{"SqliteMemory",
                     [](const std::string&) { return OpenSqliteStore(":memory:", {}); }},
        StoreFactory{"SqliteFile",
                     [](const std::string& dir) {
                       return OpenSqliteStore(dir + "/rigshift.db", {});
                     }}),
    [](const ::testing::TestParamInfo<StoreFactory>& p) { return p.param.name; });

}  // namespace
}  // namespace rigshift::store
