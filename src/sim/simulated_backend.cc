#include "sim/simulated_backend.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <tuple>

#include "workload/job_json.h"
#include "workload/progress.h"

namespace rigshift::sim {

using control::Action;
using control::ActionAck;
using control::ActionKind;
using control::AckOutcome;
using control::JobEnd;
using econ::Mode;

namespace {

// A journal that cannot be written is an engine that cannot record what it did: the caller sees
// kUnavailable, as from a real engine whose state store failed.
Status SqliteError(sqlite3* db, const std::string& what) {
  return Status::Unavailable("simulated backend journal: " + what + ": " +
                             (db ? sqlite3_errmsg(db) : "cannot open"));
}

}  // namespace

bool SimulatedBackend::Happening::operator>(const Happening& o) const {
  return std::tie(time, kind, id, generation) > std::tie(o.time, o.kind, o.id, o.generation);
}

SimulatedBackend::SimulatedBackend(const fleet::FlatFleet& flat, const workload::SpeedModel& speed,
                                   const SimulatedBackendOptions& options, TimePoint start)
    : flat_(flat),
      speed_(speed),
      options_(options),
      // The engine's failure stream (sim/engine.cc): the same seed gives the same failures.
      rng_fail_(options.seed ^ 0x5eed'fa11'0000'0001ULL),
      now_(start) {
  const size_t n = flat.device_count();
  mode_.assign(n, Mode::kOff);
  up_.assign(n, 1);
  device_job_.assign(n, 0);
}

SimulatedBackend::~SimulatedBackend() {
  if (db_ != nullptr) sqlite3_close(db_);
}

Result<std::unique_ptr<SimulatedBackend>> SimulatedBackend::Open(
    const fleet::FlatFleet& flat, const workload::SpeedModel& speed,
    const SimulatedBackendOptions& options, TimePoint start) {
  std::unique_ptr<SimulatedBackend> b(new SimulatedBackend(flat, speed, options, start));
  if (!options.journal_path.empty()) {
    RETURN_IF_ERROR(b->OpenJournal());
    RETURN_IF_ERROR(b->Replay());
  }
  b->ScheduleInitialFailures(static_cast<uint64_t>(b->journal_rows_));
  b->PruneStale();
  return b;
}

Status SimulatedBackend::OpenJournal() {
  if (sqlite3_open_v2(options_.journal_path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    return SqliteError(db_, "open " + options_.journal_path);
  }
  sqlite3_busy_timeout(db_, 5000);
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS journal("
      "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
      "  time INTEGER NOT NULL,"
      "  kind TEXT NOT NULL,"
      "  key TEXT UNIQUE,"
      "  body TEXT NOT NULL);";
  char* err = nullptr;
  if (sqlite3_exec(db_, schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    return Status::Unavailable("simulated backend journal " + options_.journal_path + ": " + m);
  }
  return Status::Ok();
}

Status SimulatedBackend::Journal(const std::vector<JournalRow>& rows) {
  if (db_ == nullptr || rows.empty()) {
    journal_rows_ += static_cast<int64_t>(rows.size());
    return Status::Ok();
  }
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "begin");
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT INTO journal(time, kind, key, body) VALUES(?,?,?,?)", -1,
                         &st, nullptr) != SQLITE_OK) {
    Status s = SqliteError(db_, "prepare");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }
  for (const auto& r : rows) {
    sqlite3_bind_int64(st, 1, r.time);
    sqlite3_bind_text(st, 2, r.kind.c_str(), -1, SQLITE_TRANSIENT);
    if (r.key.empty()) {
      sqlite3_bind_null(st, 3);
    } else {
      sqlite3_bind_text(st, 3, r.key.c_str(), -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_text(st, 4, r.body.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
      Status s = SqliteError(db_, "append");
      sqlite3_finalize(st);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status s = SqliteError(db_, "commit");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }
  journal_rows_ += static_cast<int64_t>(rows.size());
  return Status::Ok();
}

Result<std::vector<JournalRow>> SimulatedBackend::ReadJournal(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    Status s = SqliteError(db, "open " + path);
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  std::vector<JournalRow> rows;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT seq, time, kind, coalesce(key,''), body FROM journal ORDER BY seq",
                         -1, &st, nullptr) != SQLITE_OK) {
    Status s = SqliteError(db, "read " + path);
    sqlite3_close(db);
    return s;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    JournalRow r;
    r.seq = sqlite3_column_int64(st, 0);
    r.time = sqlite3_column_int64(st, 1);
    r.kind = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
    r.key = reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    r.body = reinterpret_cast<const char*>(sqlite3_column_text(st, 4));
    rows.push_back(std::move(r));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (rc != SQLITE_DONE) return Status::Unavailable("simulated backend journal " + path + ": read failed");
  return rows;
}

Status SimulatedBackend::Replay() {
  ASSIGN_OR_RETURN(std::vector<JournalRow> rows, ReadJournal(options_.journal_path));
  for (const auto& r : rows) {
    now_ = std::max(now_, r.time);
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (r.kind == "apply") {
      if (!body.is_object() || !body.contains("action")) {
        return Status::Internal("simulated backend journal: damaged row " + std::to_string(r.seq));
      }
      ASSIGN_OR_RETURN(Action a, control::ActionFromJson(body["action"].dump()));
      ActionAck ack;
      ack.key = a.key;
      ack.detail = body.value("detail", std::string());
      ack.outcome = body.value("outcome", std::string("applied")) == "applied" ? AckOutcome::kApplied
                                                                              : AckOutcome::kRejected;
      if (ack.outcome == AckOutcome::kApplied) ApplyInMemory(a, r.time, /*dry_run=*/false);
      applied_[a.key] = ack;
    } else if (r.kind == "end") {
      DoFinish(body.value("job", workload::JobId{0}), r.time);
    } else if (r.kind == "fail") {
      JobEnd end;
      DoFail(body.value("device", 0), r.time, body.value("repair_at", r.time + 1), &end);
    } else if (r.kind == "repair") {
      DoRepair(body.value("device", 0));
    }
  }
  journal_rows_ = static_cast<int64_t>(rows.size());
  return Status::Ok();
}

void SimulatedBackend::ScheduleInitialFailures(uint64_t salt) {
  if (!options_.failures.enabled) return;
  // A replayed world draws from a stream of its own (the journal's length salts it): failure
  // times are memoryless, so drawing afresh from now is as valid as the draws before the restart.
  if (salt != 0) rng_fail_ = Rng(options_.seed ^ 0x5eed'fa11'0000'0001ULL ^ (salt * 0x9e3779b97f4a7c15ULL));
  for (size_t d = 0; d < flat_.device_count(); ++d) {
    if (!up_[d]) continue;
    const bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
    const double mtbf =
        (asic ? options_.failures.asic_mtbf_hours : options_.failures.gpu_mtbf_hours) * 3600.0;
    if (mtbf <= 0) continue;
    const TimePoint at = now_ + static_cast<TimePoint>(std::ceil(rng_fail_.Exponential(mtbf)));
    happenings_.push({at, HappeningKind::kFailure, static_cast<int64_t>(d), 0});
  }
}

control::BackendDescription SimulatedBackend::Describe() const {
  control::BackendDescription d;
  d.name = "simulated";
  d.runs_jobs = true;
  d.mines = true;
  d.power_modes = true;
  d.checkpoints = true;
  return d;
}

TimePoint SimulatedBackend::FinishTime(const Run& run) const {
  if (run.rate <= 0) return INT64_MAX;
  double secs = std::ceil(run.remaining / run.rate - 1e-9);
  if (secs < 0) secs = 0;
  return run.anchor + static_cast<TimePoint>(secs);
}

std::string SimulatedBackend::DoStart(const workload::Job& job, const std::vector<int32_t>& devices,
                                      TimePoint now, bool dry_run) {
  if (devices.empty()) return "no devices";
  if (runs_.count(job.id)) return "job " + std::to_string(job.id) + " is already running";
  std::vector<const catalog::GpuModel*> gpus;
  for (int32_t d : devices) {
    if (d < 0 || static_cast<size_t>(d) >= flat_.device_count()) return "no device " + std::to_string(d);
    const auto du = static_cast<size_t>(d);
    if (!up_[du]) return "device " + fleet::DeviceStableId(flat_, du) + " is down";
    if (device_job_[du] != 0) {
      return "device " + fleet::DeviceStableId(flat_, du) + " runs job " +
             std::to_string(device_job_[du]);
    }
    if (flat_.gpu[du] == nullptr) return "device " + fleet::DeviceStableId(flat_, du) + " is not a GPU";
    gpus.push_back(flat_.gpu[du]);
  }
  if (auto known = progress_.find(job.id); known != progress_.end() && known->second.remaining <= 0) {
    return "job " + std::to_string(job.id) + " has finished";
  }
  if (dry_run) return "";
  auto [it, fresh] = progress_.try_emplace(job.id);
  Progress& p = it->second;
  if (fresh) {
    p.total = workload::SpeedModel::WorkUnits(job);
    p.remaining = p.total;
  }
  Run run;
  run.job = job;
  run.devices = devices;
  run.rate = workload::GangRate(job, gpus, speed_);
  run.remaining = p.remaining;
  run.run_start = now;
  run.anchor = now + (p.needs_restore ? job.restore_time : 0);
  p.needs_restore = false;
  for (int32_t d : devices) {
    device_job_[static_cast<size_t>(d)] = job.id;
    mode_[static_cast<size_t>(d)] = Mode::kAi;
  }
  happenings_.push({FinishTime(run), HappeningKind::kCompletion, job.id, run.generation});
  runs_.emplace(job.id, std::move(run));
  return "";
}

std::string SimulatedBackend::DoStop(workload::JobId job, TimePoint now, bool failure,
                                     JobEnd* end, bool dry_run) {
  auto it = runs_.find(job);
  if (it == runs_.end()) return "job " + std::to_string(job) + " is not running";
  if (dry_run) return "";
  Run& run = it->second;
  Progress& p = progress_[job];
  const double progress_s = static_cast<double>(std::max<TimePoint>(0, now - run.anchor));
  const workload::StopOutcome out = workload::StopRun(run.job, p.total, run.remaining, run.rate,
                                                      progress_s, failure, options_.preemption_costs);
  p.remaining = out.remaining;
  p.needs_restore = options_.preemption_costs && run.job.restore_time > 0;
  for (int32_t d : run.devices) {
    device_job_[static_cast<size_t>(d)] = 0;
    if (up_[static_cast<size_t>(d)]) mode_[static_cast<size_t>(d)] = Mode::kIdle;
  }
  if (end != nullptr) {
    end->job = job;
    end->time = now;
    end->finished = false;
    end->remaining_work = p.remaining;
  }
  runs_.erase(it);
  return "";
}

std::string SimulatedBackend::DoSetMode(const std::vector<int32_t>& devices, Mode mode,
                                        bool dry_run) {
  if (mode == Mode::kAi) return "AI mode comes with a job start";
  for (int32_t d : devices) {
    if (d < 0 || static_cast<size_t>(d) >= flat_.device_count()) return "no device " + std::to_string(d);
    if (device_job_[static_cast<size_t>(d)] != 0) {
      return "device " + fleet::DeviceStableId(flat_, static_cast<size_t>(d)) + " runs job " +
             std::to_string(device_job_[static_cast<size_t>(d)]);
    }
  }
  if (dry_run) return "";
  for (int32_t d : devices) {
    // A down device stays off; the command still counts as applied for the others.
    if (up_[static_cast<size_t>(d)]) mode_[static_cast<size_t>(d)] = mode;
  }
  return "";
}

void SimulatedBackend::DoFail(int32_t device, TimePoint now, TimePoint repair_at, JobEnd* end) {
  const auto d = static_cast<size_t>(device);
  if (d >= flat_.device_count() || !up_[d]) return;
  if (device_job_[d] != 0) DoStop(device_job_[d], now, /*failure=*/true, end);
  up_[d] = 0;
  mode_[d] = Mode::kOff;
  happenings_.push({repair_at, HappeningKind::kRepair, device, 0});
}

void SimulatedBackend::DoRepair(int32_t device) {
  const auto d = static_cast<size_t>(device);
  if (d >= flat_.device_count()) return;
  up_[d] = 1;
  mode_[d] = Mode::kOff;
}

void SimulatedBackend::DoFinish(workload::JobId job, TimePoint now) {
  auto it = runs_.find(job);
  if (it == runs_.end()) return;
  for (int32_t d : it->second.devices) {
    device_job_[static_cast<size_t>(d)] = 0;
    mode_[static_cast<size_t>(d)] = Mode::kIdle;
  }
  progress_[job].remaining = 0;
  finished_.push_back(JobEnd{job, now, /*finished=*/true, 0});
  runs_.erase(it);
}

std::string SimulatedBackend::ApplyInMemory(const Action& a, TimePoint now, bool dry_run) {
  switch (a.kind) {
    case ActionKind::kStartJob: return DoStart(a.job, a.devices, now, dry_run);
    case ActionKind::kStopJob: return DoStop(a.job.id, now, /*failure=*/false, nullptr, dry_run);
    case ActionKind::kSetMode: return DoSetMode(a.devices, a.mode, dry_run);
  }
  return "unknown command";
}

Result<ActionAck> SimulatedBackend::Apply(const Action& action, TimePoint now) {
  if (auto it = applied_.find(action.key); it != applied_.end()) {
    ActionAck dup = it->second;
    dup.outcome = AckOutcome::kDuplicate;
    return dup;
  }
  // Commands take effect at the backend's own time, which never runs backwards.
  now = std::max(now, now_);
  RETURN_IF_ERROR(Poll(now, control::PollOptions{}).status());
  // Decide the outcome on a dry run of the checks, journal it, then change memory: what is in
  // memory is never ahead of the journal.
  ActionAck ack;
  ack.key = action.key;
  ack.detail = ApplyInMemory(action, now, /*dry_run=*/true);
  ack.outcome = ack.detail.empty() ? AckOutcome::kApplied : AckOutcome::kRejected;
  nlohmann::json body = {{"action", nlohmann::json::parse(control::ActionToJson(action))},
                         {"outcome", control::AckOutcomeName(ack.outcome)},
                         {"detail", ack.detail}};
  RETURN_IF_ERROR(Journal({JournalRow{0, now, "apply", action.key, body.dump()}}));
  if (ack.outcome == AckOutcome::kApplied) ApplyInMemory(action, now, /*dry_run=*/false);
  PruneStale();
  applied_[action.key] = ack;
  return ack;
}

Result<control::Telemetry> SimulatedBackend::Poll(TimePoint now, const control::PollOptions& options) {
  control::Telemetry t;
  std::vector<JournalRow> rows;
  while (!happenings_.empty() && happenings_.top().time <= now) {
    const Happening h = happenings_.top();
    happenings_.pop();
    now_ = std::max(now_, h.time);
    switch (h.kind) {
      case HappeningKind::kCompletion: {
        auto it = runs_.find(h.id);
        if (it == runs_.end() || it->second.generation != h.generation ||
            FinishTime(it->second) != h.time) {
          break;  // stale: the run stopped or restarted since
        }
        DoFinish(h.id, h.time);
        t.ended.push_back(finished_.back());
        rows.push_back({0, h.time, "end", "", nlohmann::json{{"job", h.id}}.dump()});
        break;
      }
      case HappeningKind::kFailure: {
        const auto d = static_cast<size_t>(h.id);
        if (!up_[d]) break;
        const bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
        const double mttr =
            (asic ? options_.failures.asic_mttr_hours : options_.failures.gpu_mttr_hours) * 3600.0;
        const TimePoint repair_at =
            h.time + std::max<TimePoint>(1, static_cast<TimePoint>(std::ceil(rng_fail_.Exponential(mttr))));
        JobEnd end;
        DoFail(static_cast<int32_t>(h.id), h.time, repair_at, &end);
        if (end.job != 0) t.ended.push_back(end);
        t.health.push_back({static_cast<int32_t>(h.id), h.time, false});
        rows.push_back({0, h.time, "fail", "",
                        nlohmann::json{{"device", h.id}, {"repair_at", repair_at}}.dump()});
        break;
      }
      case HappeningKind::kRepair: {
        const auto d = static_cast<size_t>(h.id);
        if (up_[d]) break;  // repaired already (a replayed journal)
        DoRepair(static_cast<int32_t>(h.id));
        const bool asic = flat_.kind[d] == catalog::DeviceKind::kAsic;
        const double mtbf =
            (asic ? options_.failures.asic_mtbf_hours : options_.failures.gpu_mtbf_hours) * 3600.0;
        happenings_.push({h.time + static_cast<TimePoint>(std::ceil(rng_fail_.Exponential(mtbf))),
                          HappeningKind::kFailure, h.id, 0});
        t.health.push_back({static_cast<int32_t>(h.id), h.time, true});
        rows.push_back({0, h.time, "repair", "", nlohmann::json{{"device", h.id}}.dump()});
        break;
      }
    }
  }
  now_ = std::max(now_, now);
  PruneStale();
  RETURN_IF_ERROR(Journal(rows));
  t.time = now_;
  if (options.snapshot) {
    t.devices.resize(flat_.device_count());
    for (size_t d = 0; d < flat_.device_count(); ++d) {
      t.devices[d] = {mode_[d], up_[d] != 0, device_job_[d]};
    }
    for (const auto& [id, run] : runs_) {
      const double p = static_cast<double>(std::max<TimePoint>(0, now_ - run.anchor));
      t.runs.push_back({id, run.devices, run.run_start, std::max(0.0, run.remaining - p * run.rate)});
    }
    std::sort(t.runs.begin(), t.runs.end(),
              [](const auto& a, const auto& b) { return a.job < b.job; });
    if (options.all_ended) {
      std::vector<JobEnd> ended(finished_.begin(), finished_.end());
      for (const auto& e : t.ended) {
        if (!e.finished) ended.push_back(e);
      }
      t.ended = std::move(ended);
    }
  }
  return t;
}

void SimulatedBackend::PruneStale() {
  while (!happenings_.empty()) {
    const Happening& h = happenings_.top();
    if (h.kind == HappeningKind::kCompletion) {
      auto it = runs_.find(h.id);
      if (it == runs_.end() || FinishTime(it->second) != h.time) {
        happenings_.pop();
        continue;
      }
    } else if (h.kind == HappeningKind::kRepair && up_[static_cast<size_t>(h.id)]) {
      happenings_.pop();
      continue;
    }
    break;
  }
}

std::optional<TimePoint> SimulatedBackend::NextEvent() const {
  if (happenings_.empty()) return std::nullopt;
  return happenings_.top().time;
}

}  // namespace rigshift::sim
