#include "store/sqlite_store.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "store/job_spec_json.h"
#include "store/sqlite_connection.h"

namespace rigshift::store {

namespace {

using Conn = SqliteConnection;
using nlohmann::json;

constexpr size_t kSecretRandomBytes = 20;  // 160 bits, 40 hex characters
constexpr const char* kSecretPrefix = "rs_";
constexpr size_t kSha256Bytes = 32;

// ------------------------------------------------------------ secrets

Result<std::string> NewSecret() {
  unsigned char bytes[kSecretRandomBytes];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    const ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(std::string("reading random bytes for a token: ") +
                                 std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string secret = kSecretPrefix;
  for (unsigned char b : bytes) {
    secret.push_back(kHex[b >> 4]);
    secret.push_back(kHex[b & 15]);
  }
  return secret;
}

Result<std::string> Sha256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1 ||
      size != kSha256Bytes) {
    return Status::Internal("SHA-256 of a token failed (libcrypto)");
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

// ------------------------------------------------------------ rows

Status CheckLimit(int32_t limit) {
  if (limit < 1 || limit > kMaxPageSize) {
    return Status::InvalidArgument("page limit " + std::to_string(limit) + " not in 1.." +
                                   std::to_string(kMaxPageSize));
  }
  return Status::Ok();
}

// Every row of a statement, each read by `read_row` (a Result<T> from the current row).
template <typename T, typename ReadRow>
Result<std::vector<T>> CollectRows(SqliteStatement& st, ReadRow read_row) {
  std::vector<T> out;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) return out;
    ASSIGN_OR_RETURN(T item, read_row(st));
    out.push_back(std::move(item));
  }
}

// One page of keyset pagination. The statement's LIMIT is `limit` + 1: a row past the limit
// says another page follows, which starts after `key_of` the last item kept.
template <typename T, typename ReadRow, typename KeyOf>
Result<Page<T>> CollectPage(SqliteStatement& st, int32_t limit, ReadRow read_row, KeyOf key_of) {
  ASSIGN_OR_RETURN(std::vector<T> rows, CollectRows<T>(st, read_row));
  Page<T> page;
  if (static_cast<int32_t>(rows.size()) > limit) {
    rows.resize(static_cast<size_t>(limit));
    page.next_after_id = key_of(rows.back());
  }
  page.items = std::move(rows);
  return page;
}

// Columns of a job row, in the order ReadJob expects.
constexpr const char* kJobColumns =
    "id, tenant, idempotency_key, spec_json, command, state, submitted_at, updated_at, "
    "devices_json, preemptions, remaining_work, attained_gpu_seconds, run_start, "
    "last_checkpoint, cancel_requested";

Result<std::vector<std::string>> DevicesFromJson(const std::string& text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) {
    return Status::Internal("stored job devices are not a JSON array: " + text);
  }
  std::vector<std::string> out;
  for (const json& e : j) {
    if (!e.is_string()) return Status::Internal("stored job device is not a string: " + text);
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::string DevicesToJson(const std::vector<std::string>& devices) {
  return json(devices).dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<JobRecord> ReadJob(const SqliteStatement& st) {
  JobRecord job;
  job.id = st.Int(0);
  job.tenant = st.Text(1);
  job.idempotency_key = st.Text(2);
  auto spec = JobSpecFromJson(st.Text(3));
  if (!spec.ok()) {
    return Status::Internal("job " + std::to_string(job.id) + ": " + spec.status().message());
  }
  job.spec = std::move(spec).value();
  job.command = st.Text(4);
  ASSIGN_OR_RETURN(job.state, ParseJobState(st.Text(5)));
  job.submitted_at = st.Int(6);
  job.updated_at = st.Int(7);
  ASSIGN_OR_RETURN(job.progress.devices, DevicesFromJson(st.Text(8)));
  job.progress.preemptions = static_cast<int32_t>(st.Int(9));
  job.progress.remaining_work = st.Real(10);
  job.progress.attained_gpu_seconds = st.Real(11);
  job.progress.run_start = st.OptInt(12);
  job.progress.last_checkpoint = st.OptInt(13);
  job.cancel_requested = st.Int(14) != 0;
  return job;
}

Result<JobRecord> LoadJob(Conn& c, int64_t job_id) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   c.Prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?"));
  st.Bind(job_id);
  ASSIGN_OR_RETURN(const bool row, st.Step());
  if (!row) return Status::NotFound("no job " + std::to_string(job_id));
  return ReadJob(st);
}

constexpr const char* kActionColumns =
    "id, idempotency_key, plan_id, kind, target, payload_json, state, created_at, sent_at, "
    "acknowledged_at, finished_at, attempts, last_error, updated_at";

Result<ActionRecord> ReadAction(const SqliteStatement& st) {
  ActionRecord a;
  a.id = st.Int(0);
  a.request.idempotency_key = st.Text(1);
  a.request.plan_id = st.OptInt(2);
  ASSIGN_OR_RETURN(a.request.kind, ParseActionKind(st.Text(3)));
  a.request.target = st.Text(4);
  a.request.payload_json = st.Text(5);
  ASSIGN_OR_RETURN(a.state, ParseActionState(st.Text(6)));
  a.created_at = st.Int(7);
  a.sent_at = st.OptInt(8);
  a.acknowledged_at = st.OptInt(9);
  a.finished_at = st.OptInt(10);
  a.attempts = static_cast<int32_t>(st.Int(11));
  a.last_error = st.Text(12);
  a.updated_at = st.Int(13);
  return a;
}

Result<ActionRecord> LoadAction(Conn& c, const std::string& where, int64_t id_or_unused,
                                const std::string* key) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   c.Prepare(std::string("SELECT ") + kActionColumns + " FROM actions WHERE " +
                             where));
  if (key != nullptr) {
    st.Bind(std::string_view(*key));
  } else {
    st.Bind(id_or_unused);
  }
  ASSIGN_OR_RETURN(const bool row, st.Step());
  if (!row) {
    return Status::NotFound(key ? "no action with key '" + *key + "'"
                                : "no action " + std::to_string(id_or_unused));
  }
  return ReadAction(st);
}

constexpr const char* kDeviceColumns =
    "id, site, kind, model, desired_mode, observed_mode, up, last_seen, retired, updated_at";

Result<DeviceRecord> ReadDevice(const SqliteStatement& st) {
  DeviceRecord d;
  d.inventory.id = st.Text(0);
  d.inventory.site = st.Text(1);
  d.inventory.kind = st.Text(2);
  d.inventory.model = st.Text(3);
  d.desired_mode = st.Text(4);
  d.observed_mode = st.Text(5);
  d.up = st.Int(6) != 0;
  d.last_seen = st.OptInt(7);
  d.retired = st.Int(8) != 0;
  d.updated_at = st.Int(9);
  return d;
}

Result<MarketPoint> ReadMarketPoint(const SqliteStatement& st) {
  MarketPoint p;
  p.market = st.Text(0);
  p.at = st.Int(1);
  if (!st.IsNull(2)) p.energy_price = EnergyPrice::FromRaw(st.Int(2));
  if (!st.IsNull(3)) p.hashprice = HashPrice::FromRaw(st.Int(3));
  p.source = st.Text(4);
  return p;
}

Result<DecisionRecord> ReadDecision(const SqliteStatement& st) {
  DecisionRecord d;
  d.id = st.Int(0);
  d.plan_id = st.Int(1);
  d.at = st.Int(2);
  d.trigger = st.Text(3);
  d.subject = st.Text(4);
  d.action = st.Text(5);
  d.reason = st.Text(6);
  d.site = st.Text(7);
  d.device_first = st.Text(8);
  d.device_last = st.Text(9);
  d.job_id = st.OptInt(10);
  return d;
}

Status InsertHistory(Conn& c, int64_t job_id, TimePoint at, std::optional<JobState> from,
                     JobState to, const std::string& reason) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   c.Prepare("INSERT INTO job_state_history (job_id, at, from_state, to_state, "
                             "reason) VALUES (?, ?, ?, ?, ?)"));
  st.Bind(job_id).Bind(at);
  if (from) {
    st.Bind(std::string_view(JobStateName(*from)));
  } else {
    st.BindNull();
  }
  st.Bind(std::string_view(JobStateName(to))).Bind(std::string_view(reason));
  return st.Run();
}

Result<int64_t> InsertEvent(Conn& c, TimePoint at, const std::string& kind,
                            const std::string& payload_json) {
  ASSIGN_OR_RETURN(SqliteStatement st,
                   c.Prepare("INSERT INTO events (at, kind, payload_json) VALUES (?, ?, ?)"));
  st.Bind(at).Bind(std::string_view(kind)).Bind(std::string_view(payload_json));
  RETURN_IF_ERROR(st.Run());
  return c.LastInsertId();
}

std::string EventPayload(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The body of a submission as compared between resubmissions: the spec without the fields the
// store assigns (id, arrival), and the command.
std::string SubmissionBody(workload::Job spec, const std::string& command) {
  spec.id = 0;
  spec.arrival = 0;
  return JobSpecToJson(spec) + "\n" + command;
}

// ------------------------------------------------------------ transaction

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(Conn& c) : c_(c) {}

  Result<int64_t> InsertPlan(const PlanRecord& plan) override {
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("INSERT INTO plans (at, policy, trigger_kind) VALUES (?, ?, ?)"));
    st.Bind(plan.at).Bind(std::string_view(plan.policy)).Bind(std::string_view(plan.trigger));
    RETURN_IF_ERROR(st.Run());
    return c_.LastInsertId();
  }

  Result<int64_t> InsertDecision(const DecisionRecord& d) override {
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("INSERT INTO decisions (plan_id, at, trigger_kind, subject, "
                                "action, reason, site, device_first, device_last, job_id) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    st.Bind(d.plan_id).Bind(d.at).Bind(std::string_view(d.trigger));
    st.Bind(std::string_view(d.subject)).Bind(std::string_view(d.action));
    st.Bind(std::string_view(d.reason)).Bind(std::string_view(d.site));
    st.Bind(std::string_view(d.device_first)).Bind(std::string_view(d.device_last));
    st.Bind(d.job_id);
    RETURN_IF_ERROR(st.Run());
    return c_.LastInsertId();
  }

  Result<ActionRecord> InsertAction(const ActionRequest& request, TimePoint now) override {
    if (request.idempotency_key.empty()) {
      return Status::InvalidArgument("an action needs an idempotency key");
    }
    auto existing = LoadAction(c_, "idempotency_key = ?", 0, &request.idempotency_key);
    if (existing.ok()) {
      const ActionRequest& had = existing->request;
      if (had.kind != request.kind || had.target != request.target ||
          had.payload_json != request.payload_json || had.plan_id != request.plan_id) {
        return Status::AlreadyExists("action key '" + request.idempotency_key +
                                     "' is already used by another action");
      }
      return existing;
    }
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("INSERT INTO actions (idempotency_key, plan_id, kind, target, "
                                "payload_json, state, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)"));
    st.Bind(std::string_view(request.idempotency_key)).Bind(request.plan_id);
    st.Bind(std::string_view(ActionKindName(request.kind))).Bind(std::string_view(request.target));
    st.Bind(std::string_view(request.payload_json)).Bind(now).Bind(now);
    RETURN_IF_ERROR(st.Run());
    return LoadAction(c_, "id = ?", c_.LastInsertId(), nullptr);
  }

  Status TransitionAction(int64_t action_id, ActionState to, TimePoint now,
                          const std::string& error) override {
    ASSIGN_OR_RETURN(const ActionRecord a, LoadAction(c_, "id = ?", action_id, nullptr));
    if (!ActionTransitionAllowed(a.state, to)) {
      return Status::FailedPrecondition("action " + std::to_string(action_id) + " cannot go from " +
                                        ActionStateName(a.state) + " to " + ActionStateName(to));
    }
    // One statement per target state: which timestamp it stamps.
    std::string stamp;
    switch (to) {
      case ActionState::kSent: stamp = ", sent_at = ?, attempts = attempts + 1"; break;
      case ActionState::kAcknowledged: stamp = ", acknowledged_at = ?"; break;
      case ActionState::kConfirmed:
      case ActionState::kDrifted:
      case ActionState::kFailed: stamp = ", finished_at = ?"; break;
      case ActionState::kPending: break;
    }
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("UPDATE actions SET state = ?, updated_at = ?, last_error = "
                                "CASE WHEN ? = '' THEN last_error ELSE ? END" +
                                stamp + " WHERE id = ?"));
    st.Bind(std::string_view(ActionStateName(to))).Bind(now);
    st.Bind(std::string_view(error)).Bind(std::string_view(error));
    if (!stamp.empty()) st.Bind(now);
    st.Bind(action_id);
    return st.Run();
  }

  Status TransitionJob(int64_t job_id, JobState to, TimePoint now,
                       const std::string& reason) override {
    ASSIGN_OR_RETURN(const JobRecord job, LoadJob(c_, job_id));
    if (!JobTransitionAllowed(job.state, to)) {
      return Status::FailedPrecondition("job " + std::to_string(job_id) + " cannot go from " +
                                        JobStateName(job.state) + " to " + JobStateName(to));
    }
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?"));
    st.Bind(std::string_view(JobStateName(to))).Bind(now).Bind(job_id);
    RETURN_IF_ERROR(st.Run());
    return InsertHistory(c_, job_id, now, job.state, to, reason);
  }

  Status SaveJobProgress(int64_t job_id, const JobProgress& p, TimePoint now) override {
    if (p.preemptions < 0 || !(p.remaining_work >= 0) || !(p.attained_gpu_seconds >= 0)) {
      return Status::InvalidArgument("job " + std::to_string(job_id) +
                                     ": progress counters must be >= 0");
    }
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("UPDATE jobs SET devices_json = ?, preemptions = ?, "
                                "remaining_work = ?, attained_gpu_seconds = ?, run_start = ?, "
                                "last_checkpoint = ?, updated_at = ? WHERE id = ?"));
    st.Bind(std::string_view(DevicesToJson(p.devices))).Bind(int64_t{p.preemptions});
    st.Bind(p.remaining_work).Bind(p.attained_gpu_seconds).Bind(p.run_start);
    st.Bind(p.last_checkpoint).Bind(now).Bind(job_id);
    RETURN_IF_ERROR(st.Run());
    if (c_.Changes() == 0) return Status::NotFound("no job " + std::to_string(job_id));
    return Status::Ok();
  }

  Result<JobRecord> GetJob(int64_t job_id) override { return LoadJob(c_, job_id); }

  Status SetDesiredMode(const std::string& device_id, const std::string& mode,
                        TimePoint now) override {
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("UPDATE devices SET desired_mode = ?, updated_at = ? WHERE id = ?"));
    st.Bind(std::string_view(mode)).Bind(now).Bind(std::string_view(device_id));
    RETURN_IF_ERROR(st.Run());
    if (c_.Changes() == 0) return Status::NotFound("no device '" + device_id + "'");
    return Status::Ok();
  }

  Status ReportObserved(const std::string& device_id, const std::string& mode, bool up,
                        TimePoint now) override {
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("UPDATE devices SET observed_mode = ?, up = ?, last_seen = ?, "
                                "updated_at = ? WHERE id = ?"));
    st.Bind(std::string_view(mode)).Bind(int64_t{up ? 1 : 0}).Bind(now).Bind(now);
    st.Bind(std::string_view(device_id));
    RETURN_IF_ERROR(st.Run());
    if (c_.Changes() == 0) return Status::NotFound("no device '" + device_id + "'");
    return Status::Ok();
  }

  Status UpsertMarketPoint(const MarketPoint& p) override {
    if (p.market.empty()) return Status::InvalidArgument("a market point needs a market name");
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("INSERT INTO market_points (market, at, energy_price_uusd_per_mwh, "
                                "hashprice_uusd_per_ths_day, source) VALUES (?, ?, ?, ?, ?) "
                                "ON CONFLICT (market, at) DO UPDATE SET "
                                "energy_price_uusd_per_mwh = excluded.energy_price_uusd_per_mwh, "
                                "hashprice_uusd_per_ths_day = excluded.hashprice_uusd_per_ths_day, "
                                "source = excluded.source"));
    st.Bind(std::string_view(p.market)).Bind(p.at);
    st.Bind(p.energy_price ? std::optional<int64_t>(p.energy_price->raw()) : std::nullopt);
    st.Bind(p.hashprice ? std::optional<int64_t>(p.hashprice->raw()) : std::nullopt);
    st.Bind(std::string_view(p.source));
    return st.Run();
  }

  Status AddRevenue(const std::string& site, RevenueKind kind, Money amount) override {
    // Summed here rather than in SQL: SQLite turns an overflowing integer sum into a REAL.
    ASSIGN_OR_RETURN(SqliteStatement get,
                     c_.Prepare("SELECT amount_uusd FROM revenue WHERE site = ? AND kind = ?"));
    get.Bind(std::string_view(site)).Bind(std::string_view(RevenueKindName(kind)));
    ASSIGN_OR_RETURN(const bool row, get.Step());
    const int64_t before = row ? get.Int(0) : 0;
    int64_t after = 0;
    if (__builtin_add_overflow(before, amount.raw(), &after)) {
      return Status::OutOfRange("revenue counter " + site + "/" + RevenueKindName(kind) +
                                " would overflow");
    }
    ASSIGN_OR_RETURN(SqliteStatement put,
                     c_.Prepare("INSERT INTO revenue (site, kind, amount_uusd) VALUES (?, ?, ?) "
                                "ON CONFLICT (site, kind) DO UPDATE SET amount_uusd = "
                                "excluded.amount_uusd"));
    put.Bind(std::string_view(site)).Bind(std::string_view(RevenueKindName(kind))).Bind(after);
    return put.Run();
  }

  Result<int64_t> AppendEvent(TimePoint at, const std::string& kind,
                              const std::string& payload_json) override {
    return InsertEvent(c_, at, kind, payload_json);
  }

  Status SetMeta(const std::string& key, const std::string& value) override {
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c_.Prepare("INSERT INTO meta (key, value) VALUES (?, ?) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    st.Bind(std::string_view(key)).Bind(std::string_view(value));
    return st.Run();
  }

 private:
  Conn& c_;
};

// ------------------------------------------------------------ migrations

Status Migrate(Conn& c, const std::vector<SqliteMigration>& migrations, int* version) {
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
  auto body = [&]() -> Status {
    RETURN_IF_ERROR(
        c.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)"));
    ASSIGN_OR_RETURN(SqliteStatement st,
                     c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
    ASSIGN_OR_RETURN(const bool row, st.Step());
    *version = row ? static_cast<int>(st.Int(0)) : 0;
    if (*version > newest) {
      return Status::FailedPrecondition(
          "database " + c.path() + " has schema version " + std::to_string(*version) +
          ", newer than this rigshift knows (" + std::to_string(newest) +
          "); run a newer rigshift");
    }
    for (const SqliteMigration& m : migrations) {
      if (m.version <= *version) continue;
      Status s = c.Exec(m.sql);
      if (!s.ok()) return s.WithPrefix("migration " + std::to_string(m.version));
      ASSIGN_OR_RETURN(SqliteStatement ins,
                       c.Prepare("INSERT INTO schema_version (version) VALUES (?)"));
      ins.Bind(int64_t{m.version});
      RETURN_IF_ERROR(ins.Run());
      *version = m.version;
    }
    return Status::Ok();
  };
  Status s = body();
  if (s.ok()) s = c.Exec("COMMIT");
  if (!s.ok() && c.InTransaction()) (void)c.Exec("ROLLBACK");
  return s;
}

Result<int> ReadSchemaVersion(Conn& c) {
  ASSIGN_OR_RETURN(SqliteStatement has,
                   c.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                             "name = 'schema_version'"));
  ASSIGN_OR_RETURN(const bool exists, has.Step());
  if (!exists) return 0;
  ASSIGN_OR_RETURN(SqliteStatement st,
                   c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  ASSIGN_OR_RETURN(const bool row, st.Step());
  return row ? static_cast<int>(st.Int(0)) : 0;
}

// ------------------------------------------------------------ the store

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, std::unique_ptr<Conn> writer,
              std::vector<std::unique_ptr<Conn>> readers, int version)
      : path_(std::move(path)),
        writer_(std::move(writer)),
        readers_(std::move(readers)),
        version_(version) {
    for (auto& r : readers_) free_readers_.push_back(r.get());
  }

  Status Write(const std::function<Status(Transaction&)>& body) override {
    return WriteOn([&](Conn& c) {
      SqliteTransaction tx(c);
      return body(tx);
    });
  }

  Result<TenantRecord> CreateTenant(const std::string& name, TimePoint now) override {
    if (name.empty()) return Status::InvalidArgument("a tenant needs a name");
    TenantRecord t;
    const Status written = WriteOn([&](Conn& c) -> Status {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("INSERT INTO tenants (name, created_at) VALUES (?, ?)"));
      st.Bind(std::string_view(name)).Bind(now);
      Status s = st.Run();
      if (s.code() == StatusCode::kAlreadyExists) {
        return Status::AlreadyExists("tenant '" + name + "' already exists");
      }
      RETURN_IF_ERROR(s);
      t = {c.LastInsertId(), name, now};
      return InsertEvent(c, now, "tenant.created", EventPayload({{"tenant", name}})).status();
    });
    if (!written.ok()) return written;
    return t;
  }

  Result<TenantRecord> GetTenant(const std::string& name) override {
    return OnReader<TenantRecord>([&](Conn& c) -> Result<TenantRecord> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT id, name, created_at FROM tenants WHERE name = ?"));
      st.Bind(std::string_view(name));
      ASSIGN_OR_RETURN(const bool row, st.Step());
      if (!row) return Status::NotFound("no tenant '" + name + "'");
      return TenantRecord{st.Int(0), st.Text(1), st.Int(2)};
    });
  }

  Result<std::vector<TenantRecord>> ListTenants() override {
    using Out = std::vector<TenantRecord>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT id, name, created_at FROM tenants ORDER BY id"));
      return CollectRows<TenantRecord>(st, [](const SqliteStatement& row) -> Result<TenantRecord> {
        return TenantRecord{row.Int(0), row.Text(1), row.Int(2)};
      });
    });
  }

  Result<IssuedToken> CreateToken(TokenRole role, const std::string& tenant,
                                  const std::string& label, TimePoint now) override {
    if (role == TokenRole::kTenant && tenant.empty()) {
      return Status::InvalidArgument("a tenant token needs a tenant");
    }
    ASSIGN_OR_RETURN(std::string secret, NewSecret());
    ASSIGN_OR_RETURN(const std::string hash, Sha256(secret));
    IssuedToken issued;
    const Status written = WriteOn([&](Conn& c) -> Status {
      if (!tenant.empty()) RETURN_IF_ERROR(RequireTenant(c, tenant));
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("INSERT INTO tokens (secret_sha256, role, tenant, label, "
                                 "created_at) VALUES (?, ?, ?, ?, ?)"));
      st.BindBlob(hash.data(), static_cast<int>(hash.size()));
      st.Bind(std::string_view(TokenRoleName(role)));
      if (tenant.empty()) {
        st.BindNull();
      } else {
        st.Bind(std::string_view(tenant));
      }
      st.Bind(std::string_view(label)).Bind(now);
      RETURN_IF_ERROR(st.Run());
      issued.id = c.LastInsertId();
      return InsertEvent(c, now, "token.created",
                         EventPayload({{"token_id", issued.id},
                                       {"role", TokenRoleName(role)},
                                       {"tenant", tenant},
                                       {"label", label}}))
          .status();
    });
    if (!written.ok()) return written;
    issued.secret = std::move(secret);
    return issued;
  }

  Result<std::vector<TokenRecord>> ListTokens() override {
    using Out = std::vector<TokenRecord>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT id, role, tenant, label, created_at, revoked_at "
                                 "FROM tokens ORDER BY id"));
      return CollectRows<TokenRecord>(st, [](const SqliteStatement& row) -> Result<TokenRecord> {
        TokenRecord t;
        t.id = row.Int(0);
        ASSIGN_OR_RETURN(t.role, ParseTokenRole(row.Text(1)));
        t.tenant = row.Text(2);
        t.label = row.Text(3);
        t.created_at = row.Int(4);
        t.revoked_at = row.OptInt(5);
        return t;
      });
    });
  }

  Status RevokeToken(int64_t token_id, TimePoint now) override {
    return WriteOn([&](Conn& c) -> Status {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) "
                                 "WHERE id = ?"));
      st.Bind(now).Bind(token_id);
      RETURN_IF_ERROR(st.Run());
      if (c.Changes() == 0) return Status::NotFound("no token " + std::to_string(token_id));
      return InsertEvent(c, now, "token.revoked", EventPayload({{"token_id", token_id}}))
          .status();
    });
  }

  Result<Principal> Authenticate(const std::string& secret) override {
    const Status rejected = Status::Unauthenticated("unknown or revoked token");
    if (secret.rfind(kSecretPrefix, 0) != 0) return rejected;
    ASSIGN_OR_RETURN(const std::string hash, Sha256(secret));
    return OnReader<Principal>([&](Conn& c) -> Result<Principal> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT secret_sha256, role, tenant, id, revoked_at FROM tokens "
                                 "WHERE secret_sha256 = ?"));
      st.BindBlob(hash.data(), static_cast<int>(hash.size()));
      ASSIGN_OR_RETURN(const bool row, st.Step());
      if (!row) return rejected;
      const std::string stored = st.Text(0);
      // The index found the row by hash; the constant-time compare keeps the check itself from
      // leaking how much of a guess matched.
      if (stored.size() != hash.size() ||
          CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) != 0 || !st.IsNull(4)) {
        return rejected;
      }
      Principal p;
      ASSIGN_OR_RETURN(p.role, ParseTokenRole(st.Text(1)));
      p.tenant = st.Text(2);
      p.token_id = st.Int(3);
      return p;
    });
  }

  Result<SubmitResult> SubmitJob(const JobSubmission& submission, TimePoint now) override {
    if (submission.tenant.empty()) return Status::InvalidArgument("a job needs a tenant");
    if (submission.idempotency_key.empty()) {
      return Status::InvalidArgument("a job needs an idempotency key");
    }
    workload::Job spec = submission.spec;
    spec.arrival = now;
    // What is stored must decode again: the decoder's checks are the spec's validation.
    auto valid = JobSpecFromJson(JobSpecToJson(spec));
    if (!valid.ok()) return valid.status();
    const std::string body = SubmissionBody(spec, submission.command);
    SubmitResult result;
    const Status written = WriteOn([&](Conn& c) -> Status {
      RETURN_IF_ERROR(RequireTenant(c, submission.tenant));
      ASSIGN_OR_RETURN(SqliteStatement find,
                       c.Prepare("SELECT id FROM jobs WHERE tenant = ? AND idempotency_key = ?"));
      find.Bind(std::string_view(submission.tenant));
      find.Bind(std::string_view(submission.idempotency_key));
      ASSIGN_OR_RETURN(const bool seen, find.Step());
      if (seen) {
        const int64_t id = find.Int(0);
        ASSIGN_OR_RETURN(result.job, LoadJob(c, id));
        if (SubmissionBody(result.job.spec, result.job.command) != body) {
          return Status::AlreadyExists("idempotency key '" + submission.idempotency_key +
                                       "' was used for another job (" + std::to_string(id) + ")");
        }
        result.created = false;
        return Status::Ok();
      }
      ASSIGN_OR_RETURN(SqliteStatement ins,
                       c.Prepare("INSERT INTO jobs (tenant, idempotency_key, spec_json, command, "
                                 "state, submitted_at, updated_at, remaining_work) "
                                 "VALUES (?, ?, '{}', ?, 'queued', ?, ?, ?)"));
      ins.Bind(std::string_view(submission.tenant));
      ins.Bind(std::string_view(submission.idempotency_key));
      ins.Bind(std::string_view(submission.command)).Bind(now).Bind(now);
      ins.Bind(spec.total_steps > 0 ? static_cast<double>(spec.total_steps)
                                    : spec.work_gpu_seconds);
      RETURN_IF_ERROR(ins.Run());
      spec.id = c.LastInsertId();
      ASSIGN_OR_RETURN(SqliteStatement upd,
                       c.Prepare("UPDATE jobs SET spec_json = ? WHERE id = ?"));
      upd.Bind(std::string_view(JobSpecToJson(spec))).Bind(spec.id);
      RETURN_IF_ERROR(upd.Run());
      RETURN_IF_ERROR(InsertHistory(c, spec.id, now, std::nullopt, JobState::kQueued, "submitted"));
      RETURN_IF_ERROR(InsertEvent(c, now, "job.submitted",
                                  EventPayload({{"job_id", spec.id},
                                                {"tenant", submission.tenant}}))
                          .status());
      ASSIGN_OR_RETURN(result.job, LoadJob(c, spec.id));
      result.created = true;
      return Status::Ok();
    });
    if (!written.ok()) return written;
    return result;
  }

  Result<JobRecord> GetJob(int64_t job_id) override {
    return OnReader<JobRecord>([&](Conn& c) { return LoadJob(c, job_id); });
  }

  Result<Page<JobRecord>> ListJobs(const JobFilter& f) override {
    RETURN_IF_ERROR(CheckLimit(f.page.limit));
    std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id > ?";
    if (f.tenant) sql += " AND tenant = ?";
    if (f.state) sql += " AND state = ?";
    if (f.submitted_from) sql += " AND submitted_at >= ?";
    if (f.submitted_to) sql += " AND submitted_at < ?";
    sql += " ORDER BY id LIMIT ?";
    using Out = Page<JobRecord>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st, c.Prepare(sql));
      st.Bind(f.page.after_id);
      if (f.tenant) st.Bind(std::string_view(*f.tenant));
      if (f.state) st.Bind(std::string_view(JobStateName(*f.state)));
      if (f.submitted_from) st.Bind(*f.submitted_from);
      if (f.submitted_to) st.Bind(*f.submitted_to);
      st.Bind(int64_t{f.page.limit} + 1);  // one more tells whether another page follows
      return CollectPage<JobRecord>(st, f.page.limit, ReadJob,
                                    [](const JobRecord& job) { return job.id; });
    });
  }

  Status RequestCancel(int64_t job_id, TimePoint now) override {
    return WriteOn([&](Conn& c) -> Status {
      ASSIGN_OR_RETURN(const JobRecord job, LoadJob(c, job_id));
      if (!JobTransitionAllowed(job.state, JobState::kCancelled)) {
        return Status::FailedPrecondition("job " + std::to_string(job_id) + " is already " +
                                          JobStateName(job.state));
      }
      if (job.cancel_requested) return Status::Ok();
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("UPDATE jobs SET cancel_requested = 1, updated_at = ? "
                                 "WHERE id = ?"));
      st.Bind(now).Bind(job_id);
      RETURN_IF_ERROR(st.Run());
      return InsertEvent(c, now, "job.cancel_requested", EventPayload({{"job_id", job_id}}))
          .status();
    });
  }

  Result<std::vector<JobStateChange>> JobHistory(int64_t job_id) override {
    using Out = std::vector<JobStateChange>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      RETURN_IF_ERROR(LoadJob(c, job_id).status());
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT at, from_state, to_state, reason FROM job_state_history "
                                 "WHERE job_id = ? ORDER BY seq"));
      st.Bind(job_id);
      return CollectRows<JobStateChange>(
          st, [&](const SqliteStatement& row) -> Result<JobStateChange> {
            JobStateChange ch;
            ch.job_id = job_id;
            ch.at = row.Int(0);
            if (!row.IsNull(1)) {
              ASSIGN_OR_RETURN(ch.from, ParseJobState(row.Text(1)));
            }
            ASSIGN_OR_RETURN(ch.to, ParseJobState(row.Text(2)));
            ch.reason = row.Text(3);
            return ch;
          });
    });
  }

  Status SyncDevices(const std::vector<DeviceInventory>& devices, TimePoint now) override {
    return WriteOn([&](Conn& c) -> Status {
      std::unordered_set<std::string> listed;
      ASSIGN_OR_RETURN(SqliteStatement up,
                       c.Prepare("INSERT INTO devices (id, site, kind, model, updated_at) "
                                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                                 "site = excluded.site, kind = excluded.kind, "
                                 "model = excluded.model, retired = 0, updated_at = "
                                 "excluded.updated_at"));
      for (const DeviceInventory& d : devices) {
        if (d.id.empty()) return Status::InvalidArgument("a device needs an id");
        if (!listed.insert(d.id).second) {
          return Status::InvalidArgument("device '" + d.id + "' listed twice");
        }
        up.Bind(std::string_view(d.id)).Bind(std::string_view(d.site));
        up.Bind(std::string_view(d.kind)).Bind(std::string_view(d.model)).Bind(now);
        RETURN_IF_ERROR(up.Run());
        up.Reset();
      }
      std::vector<std::string> gone;
      {
        ASSIGN_OR_RETURN(SqliteStatement all,
                         c.Prepare("SELECT id FROM devices WHERE retired = 0"));
        ASSIGN_OR_RETURN(const std::vector<std::string> active,
                         CollectRows<std::string>(all, [](const SqliteStatement& row) {
                           return Result<std::string>(row.Text(0));
                         }));
        for (const std::string& id : active) {
          if (!listed.count(id)) gone.push_back(id);
        }
      }
      ASSIGN_OR_RETURN(SqliteStatement retire,
                       c.Prepare("UPDATE devices SET retired = 1, updated_at = ? WHERE id = ?"));
      for (const std::string& id : gone) {
        retire.Bind(now).Bind(std::string_view(id));
        RETURN_IF_ERROR(retire.Run());
        retire.Reset();
      }
      return InsertEvent(c, now, "devices.synced",
                         EventPayload({{"listed", devices.size()}, {"retired", gone.size()}}))
          .status();
    });
  }

  Result<DeviceRecord> GetDevice(const std::string& device_id) override {
    return OnReader<DeviceRecord>([&](Conn& c) -> Result<DeviceRecord> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare(std::string("SELECT ") + kDeviceColumns +
                                 " FROM devices WHERE id = ?"));
      st.Bind(std::string_view(device_id));
      ASSIGN_OR_RETURN(const bool row, st.Step());
      if (!row) return Status::NotFound("no device '" + device_id + "'");
      return ReadDevice(st);
    });
  }

  Result<std::vector<DeviceRecord>> ListDevices(bool include_retired) override {
    using Out = std::vector<DeviceRecord>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare(std::string("SELECT ") + kDeviceColumns +
                                 " FROM devices WHERE retired = 0 OR ? ORDER BY id"));
      st.Bind(int64_t{include_retired ? 1 : 0});
      return CollectRows<DeviceRecord>(st, ReadDevice);
    });
  }

  Result<PlanRecord> GetPlan(int64_t plan_id) override {
    return OnReader<PlanRecord>([&](Conn& c) -> Result<PlanRecord> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT id, at, policy, trigger_kind FROM plans WHERE id = ?"));
      st.Bind(plan_id);
      ASSIGN_OR_RETURN(const bool row, st.Step());
      if (!row) return Status::NotFound("no plan " + std::to_string(plan_id));
      return PlanRecord{st.Int(0), st.Int(1), st.Text(2), st.Text(3)};
    });
  }

  Result<Page<DecisionRecord>> ListDecisions(const DecisionFilter& f) override {
    RETURN_IF_ERROR(CheckLimit(f.page.limit));
    std::string sql =
        "SELECT id, plan_id, at, trigger_kind, subject, action, reason, site, device_first, "
        "device_last, job_id FROM decisions WHERE id > ?";
    if (f.plan_id) sql += " AND plan_id = ?";
    if (f.device) {
      sql += " AND (device_first = ? OR (device_last <> '' AND device_first <= ? AND "
             "? <= device_last))";
    }
    if (f.site) sql += " AND site = ?";
    if (f.job_id) sql += " AND job_id = ?";
    if (f.from) sql += " AND at >= ?";
    if (f.to) sql += " AND at < ?";
    sql += " ORDER BY id LIMIT ?";
    using Out = Page<DecisionRecord>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st, c.Prepare(sql));
      st.Bind(f.page.after_id);
      if (f.plan_id) st.Bind(*f.plan_id);
      if (f.device) {
        for (int i = 0; i < 3; ++i) st.Bind(std::string_view(*f.device));
      }
      if (f.site) st.Bind(std::string_view(*f.site));
      if (f.job_id) st.Bind(*f.job_id);
      if (f.from) st.Bind(*f.from);
      if (f.to) st.Bind(*f.to);
      st.Bind(int64_t{f.page.limit} + 1);
      return CollectPage<DecisionRecord>(st, f.page.limit, ReadDecision,
                                         [](const DecisionRecord& d) { return d.id; });
    });
  }

  Result<ActionRecord> GetAction(int64_t action_id) override {
    return OnReader<ActionRecord>(
        [&](Conn& c) { return LoadAction(c, "id = ?", action_id, nullptr); });
  }

  Result<std::vector<ActionRecord>> PendingActions() override {
    using Out = std::vector<ActionRecord>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare(std::string("SELECT ") + kActionColumns +
                                 " FROM actions WHERE state IN ('pending', 'sent', "
                                 "'acknowledged') ORDER BY id"));
      return CollectRows<ActionRecord>(st, ReadAction);
    });
  }

  Result<std::optional<MarketPoint>> LatestMarketPoint(const std::string& market) override {
    using Out = std::optional<MarketPoint>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT market, at, energy_price_uusd_per_mwh, "
                                 "hashprice_uusd_per_ths_day, source FROM market_points "
                                 "WHERE market = ? ORDER BY at DESC LIMIT 1"));
      st.Bind(std::string_view(market));
      ASSIGN_OR_RETURN(const bool row, st.Step());
      if (!row) return Out();
      ASSIGN_OR_RETURN(MarketPoint point, ReadMarketPoint(st));
      return Out(std::move(point));
    });
  }

  Result<std::vector<MarketPoint>> MarketPoints(const std::string& market, TimePoint from,
                                                TimePoint to) override {
    using Out = std::vector<MarketPoint>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT market, at, energy_price_uusd_per_mwh, "
                                 "hashprice_uusd_per_ths_day, source FROM market_points "
                                 "WHERE market = ? AND at >= ? AND at < ? ORDER BY at"));
      st.Bind(std::string_view(market)).Bind(from).Bind(to);
      return CollectRows<MarketPoint>(st, ReadMarketPoint);
    });
  }

  Result<std::vector<RevenueCounter>> Revenue() override {
    using Out = std::vector<RevenueCounter>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT site, kind, amount_uusd FROM revenue "
                                 "ORDER BY site, kind"));
      return CollectRows<RevenueCounter>(
          st, [](const SqliteStatement& row) -> Result<RevenueCounter> {
            RevenueCounter r;
            r.site = row.Text(0);
            const std::string kind = row.Text(1);
            for (RevenueKind k : {RevenueKind::kAi, RevenueKind::kMining, RevenueKind::kEnergy,
                                  RevenueKind::kDemandResponse}) {
              if (kind == RevenueKindName(k)) {
                r.kind = k;
                r.amount = MicroUsd(row.Int(2));
                return r;
              }
            }
            return Status::Internal("unknown revenue kind '" + kind + "' stored");
          });
    });
  }

  Result<Page<EventRecord>> ListEvents(const PageRequest& request) override {
    RETURN_IF_ERROR(CheckLimit(request.limit));
    using Out = Page<EventRecord>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st,
                       c.Prepare("SELECT seq, at, kind, payload_json FROM events WHERE seq > ? "
                                 "ORDER BY seq LIMIT ?"));
      st.Bind(request.after_id).Bind(int64_t{request.limit} + 1);
      return CollectPage<EventRecord>(
          st, request.limit,
          [](const SqliteStatement& row) -> Result<EventRecord> {
            return EventRecord{row.Int(0), row.Int(1), row.Text(2), row.Text(3)};
          },
          [](const EventRecord& e) { return e.seq; });
    });
  }

  Result<std::optional<std::string>> GetMeta(const std::string& key) override {
    using Out = std::optional<std::string>;
    return OnReader<Out>([&](Conn& c) -> Result<Out> {
      ASSIGN_OR_RETURN(SqliteStatement st, c.Prepare("SELECT value FROM meta WHERE key = ?"));
      st.Bind(std::string_view(key));
      ASSIGN_OR_RETURN(const bool row, st.Step());
      if (!row) return Out();
      return Out(st.Text(0));
    });
  }

  Status IntegrityCheck() override {
    auto r = OnReader<std::string>([&](Conn& c) -> Result<std::string> {
      ASSIGN_OR_RETURN(SqliteStatement st, c.Prepare("PRAGMA integrity_check"));
      std::string found;
      while (true) {
        ASSIGN_OR_RETURN(const bool row, st.Step());
        if (!row) break;
        if (!found.empty()) found += "; ";
        found += st.Text(0);
      }
      return found;
    });
    if (!r.ok()) return r.status();
    if (*r != "ok") return Status::Internal("database " + path_ + " failed its check: " + *r);
    return Status::Ok();
  }

  int SchemaVersion() const override { return version_; }

 private:
  static Status RequireTenant(Conn& c, const std::string& tenant) {
    ASSIGN_OR_RETURN(SqliteStatement st, c.Prepare("SELECT 1 FROM tenants WHERE name = ?"));
    st.Bind(std::string_view(tenant));
    ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) return Status::NotFound("no tenant '" + tenant + "'");
    return Status::Ok();
  }

  // Runs `body` on the writer connection inside BEGIN IMMEDIATE ... COMMIT; rolls back on error.
  Status WriteOn(const std::function<Status(Conn&)>& body) {
    std::lock_guard<std::mutex> lock(writer_mu_);
    RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = body(*writer_);
    if (s.ok()) s = writer_->Exec("COMMIT");
    // A failed COMMIT (disk full) may leave the transaction open; roll it back so that nothing
    // of it stays and the connection is clean for the next write.
    if (!s.ok() && writer_->InTransaction()) (void)writer_->Exec("ROLLBACK");
    return s;
  }

  // Runs `fn` on a free reader connection (waiting for one when all are busy), or on the writer
  // connection for an in-memory database.
  template <typename T, typename Fn>
  Result<T> OnReader(Fn fn) {
    if (readers_.empty()) {
      std::lock_guard<std::mutex> lock(writer_mu_);
      return fn(*writer_);
    }
    Conn* c = nullptr;
    {
      std::unique_lock<std::mutex> lock(readers_mu_);
      readers_cv_.wait(lock, [&] { return !free_readers_.empty(); });
      c = free_readers_.back();
      free_readers_.pop_back();
    }
    Result<T> r = fn(*c);
    {
      std::lock_guard<std::mutex> lock(readers_mu_);
      free_readers_.push_back(c);
    }
    readers_cv_.notify_one();
    return r;
  }

  const std::string path_;
  std::mutex writer_mu_;
  std::unique_ptr<Conn> writer_;
  std::vector<std::unique_ptr<Conn>> readers_;
  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<Conn*> free_readers_;
  const int version_;
};

bool IsMemoryPath(const std::string& path) {
  return path == ":memory:" || path.empty() || path.rfind("file::memory:", 0) == 0;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStoreWithMigrations(
    const std::string& path, const OpenOptions& options,
    const std::vector<SqliteMigration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    RS_CHECK(migrations[i].version == static_cast<int>(i) + 1);
  }
  ConnectionOptions writer_options;
  writer_options.read_only = options.read_only;
  writer_options.writer = true;
  writer_options.busy_timeout_ms = options.busy_timeout_ms;
  writer_options.max_page_count = options.max_page_count;
  ASSIGN_OR_RETURN(std::unique_ptr<Conn> writer, Conn::Open(path, writer_options));
  int version = 0;
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (options.read_only) {
    ASSIGN_OR_RETURN(version, ReadSchemaVersion(*writer));
    if (version > newest) {
      return Status::FailedPrecondition("database " + path + " has schema version " +
                                        std::to_string(version) +
                                        ", newer than this rigshift knows (" +
                                        std::to_string(newest) + "); run a newer rigshift");
    }
    if (version < newest) {
      return Status::FailedPrecondition("database " + path + " has schema version " +
                                        std::to_string(version) + " and needs migrating to " +
                                        std::to_string(newest) +
                                        "; open it once without read-only");
    }
  } else {
    RETURN_IF_ERROR(Migrate(*writer, migrations, &version));
  }
  std::vector<std::unique_ptr<Conn>> readers;
  if (!IsMemoryPath(path)) {
    ConnectionOptions reader_options;
    reader_options.read_only = true;
    reader_options.busy_timeout_ms = options.busy_timeout_ms;
    for (int32_t i = 0; i < std::max<int32_t>(1, options.read_connections); ++i) {
      ASSIGN_OR_RETURN(std::unique_ptr<Conn> r, Conn::Open(path, reader_options));
      readers.push_back(std::move(r));
    }
  }
  return std::unique_ptr<Store>(
      new SqliteStore(path, std::move(writer), std::move(readers), version));
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const OpenOptions& options) {
  return OpenSqliteStoreWithMigrations(path, options, SqliteMigrations());
}

}  // namespace rigshift::store
