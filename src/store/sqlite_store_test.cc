// What only the SQLite store can be asked: its file (no secret in it), schema migrations and the
// refusal of a newer schema, a read-only file, a full disk, a busy database, readers during a
// write, and a writer killed with SIGKILL at random moments.
#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <thread>

#include "catalog/catalog.h"
#include "fleet/loader.h"
#include "store/fleet_inventory.h"

namespace rigshift::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rigshift-sqlite-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/rigshift.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open(const OpenOptions& options = {}) {
    auto s = OpenSqliteStore(path_, options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // One integer from `sql` run on the file directly, bypassing the store.
  int64_t QueryInt(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      v = sqlite3_column_int64(st, 0);
    } else {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
  }

  std::string FileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, TokenSecretNeverReachesTheFile) {
  std::string secret;
  {
    auto store = Open();
    ASSERT_TRUE(store->CreateTenant("acme", 1).ok());
    auto token = store->CreateToken(TokenRole::kTenant, "acme", "ci", 2);
    ASSERT_TRUE(token.ok());
    secret = token->secret;
    ASSERT_TRUE(store->Authenticate(secret).ok());
    // While open, the transaction sits in the WAL.
    const std::string hex = secret.substr(3);
    for (const char* suffix : {"", "-wal"}) {
      const std::string bytes = FileBytes(path_ + suffix);
      EXPECT_EQ(bytes.find(hex), std::string::npos) << suffix;
    }
    EXPECT_FALSE(FileBytes(path_ + "-wal").empty());
  }
  const std::string bytes = FileBytes(path_);
  ASSERT_FALSE(bytes.empty());
  EXPECT_NE(bytes.find("acme"), std::string::npos);  // the search does see stored text
  EXPECT_EQ(bytes.find(secret.substr(3)), std::string::npos);
  auto reopened = Open();
  EXPECT_TRUE(reopened->Authenticate(secret).ok());
}

std::vector<SqliteMigration> WithSecondMigration(const std::string& sql) {
  std::vector<SqliteMigration> m = SqliteMigrations();
  m.push_back({static_cast<int>(m.size()) + 1, sql});
  return m;
}

TEST_F(SqliteStoreTest, OlderDatabaseIsMigratedKeepingItsRows) {
  {
    auto store = Open();
    EXPECT_EQ(store->SchemaVersion(), static_cast<int>(SqliteMigrations().size()));
    ASSERT_TRUE(store->CreateTenant("acme", 1).ok());
  }
  const auto next = WithSecondMigration(
      "ALTER TABLE tenants ADD COLUMN contact TEXT NOT NULL DEFAULT 'ops@example.com';"
      "CREATE INDEX tenants_by_contact ON tenants(contact);");
  auto store = OpenSqliteStoreWithMigrations(path_, {}, next);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->SchemaVersion(), next.back().version);
  EXPECT_TRUE((*store)->GetTenant("acme").ok());
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM tenants WHERE contact = 'ops@example.com'"), 1);
  EXPECT_EQ(QueryInt("SELECT MAX(version) FROM schema_version"), next.back().version);
  // Reopening at the same version applies nothing again.
  store->reset();
  auto again = OpenSqliteStoreWithMigrations(path_, {}, next);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
}

TEST_F(SqliteStoreTest, FailedMigrationLeavesTheOldSchema) {
  { ASSERT_NE(Open(), nullptr); }
  const auto broken =
      WithSecondMigration("CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;");
  auto store = OpenSqliteStoreWithMigrations(path_, {}, broken);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("migration 2"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'"), 0);
  EXPECT_EQ(QueryInt("SELECT MAX(version) FROM schema_version"), 1);
  EXPECT_NE(Open(), nullptr);
}

TEST_F(SqliteStoreTest, NewerDatabaseIsRefused) {
  {
    auto newer = OpenSqliteStoreWithMigrations(
        path_, {}, WithSecondMigration("CREATE TABLE from_the_future (x INTEGER);"));
    ASSERT_TRUE(newer.ok());
  }
  for (bool read_only : {false, true}) {
    OpenOptions o;
    o.read_only = read_only;
    auto store = OpenSqliteStore(path_, o);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(store.status().message().find("newer than this rigshift knows"), std::string::npos)
        << store.status().message();
    EXPECT_NE(store.status().message().find(path_), std::string::npos);
  }
}

TEST_F(SqliteStoreTest, ReadOnlyDatabaseServesReadsAndRefusesWrites) {
  int64_t job_id = 0;
  {
    auto store = Open();
    ASSERT_TRUE(store->CreateTenant("acme", 1).ok());
    workload::Job spec;
    auto job = store->SubmitJob({"acme", "k", spec, ""}, 10);
    ASSERT_TRUE(job.ok());
    job_id = job->job.id;
  }
  OpenOptions o;
  o.read_only = true;
  auto store = Open(o);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->GetJob(job_id).ok());
  EXPECT_EQ(store->ListJobs({})->items.size(), 1u);
  const Status tenant = store->CreateTenant("globex", 2).status();
  EXPECT_EQ(tenant.code(), StatusCode::kUnavailable);
  EXPECT_NE(tenant.message().find(path_), std::string::npos) << tenant.message();
  EXPECT_NE(tenant.message().find("read-only"), std::string::npos) << tenant.message();
  workload::Job spec;
  EXPECT_EQ(store->SubmitJob({"acme", "k2", spec, ""}, 3).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(store->Write([](Transaction& tx) { return tx.SetMeta("k", "v"); }).code(),
            StatusCode::kUnavailable);
  EXPECT_TRUE(store->GetTenant("acme").ok());
  EXPECT_TRUE(store->IntegrityCheck().ok());
}

TEST_F(SqliteStoreTest, FullDiskIsUnavailableAndCorruptsNothing) {
  OpenOptions o;
  o.max_page_count = 64;  // 256 KiB at 4 KiB pages: the schema and a few plans
  auto store = Open(o);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateTenant("acme", 1).ok());
  const std::string reason(2000, 'r');
  int committed = 0;
  Status failure;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    failure = store->Write([&](Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(const int64_t plan, tx.InsertPlan({0, i, "p", "epoch"}));
      for (int d = 0; d < 10; ++d) {
        RETURN_IF_ERROR(
            tx.InsertDecision({0, plan, i, "epoch", "device", "off", reason, "s", "d", "", {}})
                .status());
      }
      return tx.SetMeta("last", std::to_string(i));
    });
    if (failure.ok()) ++committed;
  }
  ASSERT_FALSE(failure.ok()) << "the page cap was never reached";
  EXPECT_EQ(failure.code(), StatusCode::kUnavailable);
  EXPECT_NE(failure.message().find("full"), std::string::npos) << failure.message();
  EXPECT_NE(failure.message().find(path_), std::string::npos) << failure.message();
  ASSERT_GT(committed, 0);
  // Reads still work, see every committed plan and none of the failed one.
  EXPECT_TRUE(store->IntegrityCheck().ok());
  EXPECT_EQ(store->GetMeta("last")->value_or(""), std::to_string(committed - 1));
  EXPECT_TRUE(store->GetPlan(committed).ok());
  EXPECT_EQ(store->GetPlan(committed + 1).status().code(), StatusCode::kNotFound);
  DecisionFilter f;
  f.plan_id = committed + 1;
  EXPECT_TRUE(store->ListDecisions(f)->items.empty());
  store.reset();
  auto reopened = Open();
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(reopened->IntegrityCheck().ok());
}

TEST_F(SqliteStoreTest, BusyDatabaseIsUnavailable) {
  auto first = Open();
  OpenOptions impatient;
  impatient.busy_timeout_ms = 20;
  auto second = Open(impatient);
  ASSERT_TRUE(first && second);
  Status inner;
  ASSERT_TRUE(first->Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.SetMeta("holder", "first"));
    inner = second->Write([](Transaction& tx2) { return tx2.SetMeta("holder", "second"); });
    return Status::Ok();
  }).ok());
  EXPECT_EQ(inner.code(), StatusCode::kUnavailable);
  EXPECT_NE(inner.message().find("busy"), std::string::npos) << inner.message();
  EXPECT_EQ(second->GetMeta("holder")->value_or(""), "first");
}

TEST_F(SqliteStoreTest, ReadersDoNotWaitForAnOpenWriteTransaction) {
  auto store = Open();
  ASSERT_TRUE(store->CreateTenant("acme", 1).ok());
  ASSERT_TRUE(store->Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.SetMeta("clock", "uncommitted"));
    // Another thread reads while this transaction is open: it must not block on the writer,
    // and it sees the last committed state.
    Result<std::optional<std::string>> seen = std::optional<std::string>();
    Result<TenantRecord> tenant = Status::NotFound("not read");
    std::thread reader([&] {
      seen = store->GetMeta("clock");
      tenant = store->GetTenant("acme");
    });
    reader.join();
    if (!seen.ok() || seen->has_value() || !tenant.ok()) {
      return Status::Internal("reader blocked or saw uncommitted data");
    }
    return Status::Ok();
  }).ok());
  EXPECT_EQ(store->GetMeta("clock")->value_or(""), "uncommitted");
}

// A child process opens the store, says so on a pipe, then writes whole "plans" (a plan,
// kDecisions decisions, a revenue unit, an event and a meta key) in a loop and reports each commit
// on the pipe; the parent SIGKILLs it at a random moment of the loop, reopens, and checks the
// file: intact, every reported commit present, no plan partial.
TEST_F(SqliteStoreTest, KilledWriterLeavesOnlyWholeTransactions) {
  constexpr int kRounds = 32;
  constexpr int kDecisions = 5;
  { ASSERT_NE(Open(), nullptr); }
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<int> pause_us(1000, 40000);
  int64_t total_reported = 0;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      OpenOptions o;
      o.read_connections = 1;
      auto store = OpenSqliteStore(path_, o);
      if (!store.ok()) _exit(3);
      const int64_t ready = 0;  // plan ids start at 1: 0 says "open, writing from now on"
      if (write(fds[1], &ready, sizeof ready) != sizeof ready) _exit(5);
      for (int64_t i = 0;; ++i) {
        int64_t plan = 0;
        const Status s = (*store)->Write([&](Transaction& tx) -> Status {
          ASSIGN_OR_RETURN(plan, tx.InsertPlan({0, i, "crash", "loop"}));
          for (int d = 0; d < kDecisions; ++d) {
            RETURN_IF_ERROR(tx.InsertDecision({0, plan, i, "loop", "device", "off", "r", "s",
                                               "d" + std::to_string(d), "", {}})
                                .status());
          }
          RETURN_IF_ERROR(tx.AddRevenue("s", RevenueKind::kMining, MicroUsd(1)));
          RETURN_IF_ERROR(tx.AppendEvent(i, "plan", "{}").status());
          return tx.SetMeta("last_plan", std::to_string(plan));
        });
        if (!s.ok()) _exit(4);
        if (write(fds[1], &plan, sizeof plan) != sizeof plan) _exit(5);
      }
    }
    close(fds[1]);
    // Kill while it writes, not while it opens.
    int64_t plan = -1;
    ASSERT_EQ(read(fds[0], &plan, sizeof plan), static_cast<ssize_t>(sizeof plan));
    ASSERT_EQ(plan, 0);
    usleep(static_cast<useconds_t>(pause_us(rng)));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with " << WEXITSTATUS(wstatus);
    int64_t last_reported = 0;
    while (read(fds[0], &plan, sizeof plan) == sizeof plan) {
      last_reported = plan;
      ++total_reported;
    }
    close(fds[0]);

    auto store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->IntegrityCheck().ok()) << "round " << round;
    const int64_t plans = QueryInt("SELECT COUNT(*) FROM plans");
    EXPECT_GE(QueryInt("SELECT COALESCE(MAX(id), 0) FROM plans"), last_reported);
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM decisions"), plans * kDecisions) << round;
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM plans p WHERE (SELECT COUNT(*) FROM decisions d "
                       "WHERE d.plan_id = p.id) <> " +
                       std::to_string(kDecisions)),
              0);
    EXPECT_EQ(QueryInt("SELECT COALESCE(SUM(amount_uusd), 0) FROM revenue"), plans) << round;
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM events WHERE kind = 'plan'"), plans) << round;
    if (plans > 0) {
      EXPECT_EQ(store->GetMeta("last_plan")->value_or(""),
                std::to_string(QueryInt("SELECT MAX(id) FROM plans")));
    }
  }
  RecordProperty("commits_reported", static_cast<int>(total_reported));
  EXPECT_GT(total_reported, 0) << "no round committed anything: the test checked nothing";
}

TEST(FleetInventory, NamesEveryDeviceOfAFleetFileOnce) {
  auto loaded = fleet::LoadFleetFile(std::string(RIGSHIFT_SOURCE_DIR) +
                                         "/examples/two-site-nyiso.yaml",
                                     catalog::Catalog::Builtin());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const fleet::FlatFleet flat = fleet::Flatten(loaded->fleet);
  const std::vector<DeviceInventory> inv = FleetInventory(loaded->fleet, flat);
  ASSERT_EQ(inv.size(), flat.device_count());
  std::set<std::string> ids;
  for (const DeviceInventory& d : inv) {
    EXPECT_TRUE(ids.insert(d.id).second) << d.id;
    EXPECT_FALSE(d.model.empty()) << d.id;
    EXPECT_TRUE(d.kind == "gpu" || d.kind == "asic") << d.kind;
    EXPECT_EQ(d.id.rfind(d.site + "/", 0), 0u) << d.id;
  }
  auto store = OpenSqliteStore(":memory:", {});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->SyncDevices(inv, 1).ok());
  EXPECT_EQ((*store)->ListDevices(false)->size(), inv.size());
}

}  // namespace
}  // namespace rigshift::store
