// The simulated fleet as a live backend: the embedded default of `rigshift serve`. The fleet of the
// given file runs in-process on the service clock, on the simulator's own models: gangs advance
// by the speed model at the pace of their slowest GPU and lose work to checkpoints as
// workload/progress.h says, devices fail and are repaired by the engine's FailureModel with the
// same seeded draws in the same order, and a device is in the mode the last command put it in.
//
// Its own record. Like a real engine (Slurm's state save, a miner's own state), it outlives the
// controller: every applied command, run end, failure and repair is appended to a journal (an
// SQLite file, one transaction per command or poll, synchronous=FULL) before it takes effect in
// memory, and Open() replays the journal. The journal's UNIQUE key column is what makes a command
// idempotent across controller crashes; tests read it to check that no command was applied twice
// and no job ever ran twice at once (ReadJournal).
//
// Thread-safety: one thread (the controller's).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "control/backend.h"
#include "core/rng.h"
#include "core/status.h"
#include "fleet/model.h"
#include "sim/engine.h"
#include "workload/speed_model.h"

struct sqlite3;

namespace rigshift::sim {

struct SimulatedBackendOptions {
  std::string journal_path;  // "" = in memory only (tests, `serve --ephemeral`)
  FailureModel failures;
  bool preemption_costs = true;
  uint64_t seed = 1;  // failure draws: the engine's seed for the same run
};

// One journal row, for tests and audits.
struct JournalRow {
  int64_t seq = 0;
  TimePoint time = 0;
  std::string kind;  // "apply", "end", "fail", "repair"
  std::string key;   // the action's idempotency key ("apply" rows)
  std::string body;  // JSON
};

class SimulatedBackend : public control::Backend {
 public:
  // Opens (and replays) the journal; a new journal starts the world at `start` with every device
  // off and up. `flat` and `speed` must outlive the backend.
  static Result<std::unique_ptr<SimulatedBackend>> Open(const fleet::FlatFleet& flat,
                                                        const workload::SpeedModel& speed,
                                                        const SimulatedBackendOptions& options,
                                                        TimePoint start);
  ~SimulatedBackend() override;
  SimulatedBackend(const SimulatedBackend&) = delete;
  SimulatedBackend& operator=(const SimulatedBackend&) = delete;

  control::BackendDescription Describe() const override;
  Result<control::ActionAck> Apply(const control::Action& action, TimePoint now) override;
  Result<control::Telemetry> Poll(TimePoint now, const control::PollOptions& options) override;
  std::optional<TimePoint> NextEvent() const override;

  TimePoint now() const { return now_; }
  int64_t journal_rows() const { return journal_rows_; }

  // Every row of a journal file, in order (opens it read-only).
  static Result<std::vector<JournalRow>> ReadJournal(const std::string& path);

 private:
  struct Run {
    workload::Job job;
    std::vector<int32_t> devices;
    double rate = 0;       // units per second
    double remaining = 0;  // at anchor
    TimePoint run_start = 0;
    TimePoint anchor = 0;  // run start + restore time
    uint32_t generation = 0;
  };
  struct Progress {  // what a job keeps between runs
    double total = 0;
    double remaining = 0;
    bool needs_restore = false;
  };
  // A scheduled happening: a run's end, a device's failure or repair. Ordered as the engine
  // orders its events: time, then repair before failure before completion, then id.
  enum class HappeningKind : uint8_t { kRepair = 1, kFailure = 2, kCompletion = 5 };
  struct Happening {
    TimePoint time;
    HappeningKind kind;
    int64_t id;
    uint32_t generation;
    bool operator>(const Happening& o) const;
  };

  SimulatedBackend(const fleet::FlatFleet& flat, const workload::SpeedModel& speed,
                   const SimulatedBackendOptions& options, TimePoint start);
  Status OpenJournal();
  Status Replay();
  Status Journal(const std::vector<JournalRow>& rows);
  void ScheduleInitialFailures(uint64_t salt);
  TimePoint FinishTime(const Run& run) const;
  // Drops happenings that no longer hold (a run stopped or restarted, a device repaired), so that
  // NextEvent is exact.
  void PruneStale();

  // State changes (no journaling): each checks first and returns why it cannot be done (empty:
  // it can); with dry_run it stops there and changes nothing.
  std::string DoStart(const workload::Job& job, const std::vector<int32_t>& devices,
                      TimePoint now, bool dry_run);
  std::string DoStop(workload::JobId job, TimePoint now, bool failure, control::JobEnd* end,
                     bool dry_run = false);
  std::string DoSetMode(const std::vector<int32_t>& devices, econ::Mode mode, bool dry_run);
  void DoFail(int32_t device, TimePoint now, TimePoint repair_at, control::JobEnd* end);
  void DoRepair(int32_t device);
  void DoFinish(workload::JobId job, TimePoint now);
  std::string ApplyInMemory(const control::Action& action, TimePoint now, bool dry_run);

  const fleet::FlatFleet& flat_;
  const workload::SpeedModel& speed_;
  SimulatedBackendOptions options_;
  Rng rng_fail_;
  sqlite3* db_ = nullptr;
  int64_t journal_rows_ = 0;
  TimePoint now_ = 0;

  std::vector<econ::Mode> mode_;
  std::vector<uint8_t> up_;
  std::vector<workload::JobId> device_job_;  // 0 = none
  std::unordered_map<workload::JobId, Run> runs_;
  std::unordered_map<workload::JobId, Progress> progress_;
  std::unordered_map<std::string, control::ActionAck> applied_;
  std::vector<control::JobEnd> finished_;  // every finished run, in order
  std::priority_queue<Happening, std::vector<Happening>, std::greater<Happening>> happenings_;
};

}  // namespace rigshift::sim
