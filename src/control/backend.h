// The contract between the live controller and the engines that carry its decisions out: the
// simulated fleet (sim/simulated_backend.h) today, local processes, Slurm and ASIC miner APIs on
// the same contract.
//
// A backend
//   - describes itself (Describe): what it can do, so that the controller never asks for what an
//     engine cannot apply;
//   - applies commands (Apply), each carrying an idempotency key: a key it has applied before is
//     answered kDuplicate with the first outcome and changes nothing, so a controller that crashed
//     between sending and recording may send again safely;
//   - reports what it observes (Poll): job runs that ended, devices that failed or came back, and
//     on request a full snapshot of every device and run. Success is confirmed from this telemetry,
//     never from Apply's acknowledgement (an engine may acknowledge and not do it).
// Device ids are the fleet file's stable ids (fleet::DeviceStableId); flat indices travel beside
// them for in-process backends that share the controller's FlatFleet.
//
// Thread-safety: a backend is driven by the controller thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/quantity.h"
#include "core/status.h"
#include "control/controller.h"
#include "core/time.h"
#include "econ/value.h"
#include "workload/job.h"

namespace rigshift::control {

enum class ActionKind : uint8_t {
  kStartJob,  // run `job` on `devices` (a gang: all or nothing)
  kStopJob,   // stop the run of `job` (preemption, cancellation, drain); it keeps its checkpoint
  kSetMode,   // put `devices` in `mode` (mine, idle, off); kAi comes only with kStartJob
};
const char* ActionKindName(ActionKind k);  // "start_job", "stop_job", "set_mode"

struct Action {
  std::string key;  // idempotency key, unique for ever: "p<plan>/<kind>/<target>"
  int64_t plan_id = 0;
  TimePoint time = 0;  // when the controller decided it (service clock)
  ActionKind kind = ActionKind::kSetMode;
  workload::Job job;                  // kStartJob: the whole spec; kStopJob: job.id only
  std::vector<int32_t> devices;       // flat indices
  std::vector<std::string> device_ids;  // stable ids, same order
  econ::Mode mode = econ::Mode::kOff;   // kSetMode
  StopCause cause = StopCause::kPreempted;  // kStopJob: kPreempted or kCancelled
};

enum class AckOutcome : uint8_t {
  kApplied,      // done now
  kDuplicate,    // this key was applied before; nothing changed
  kRejected,     // cannot be done (a device is down or busy, the job is unknown): see detail
  kUnsupported,  // this backend has no such command
};
const char* AckOutcomeName(AckOutcome o);

struct ActionAck {
  std::string key;
  AckOutcome outcome = AckOutcome::kApplied;
  std::string detail;
};

// What a backend can do.
struct BackendDescription {
  std::string name;  // "simulated", "local", "slurm", "asic"
  bool runs_jobs = false;
  bool mines = false;
  bool power_modes = false;  // off/idle per device
  bool checkpoints = false;  // a stopped job resumes from its last checkpoint
};

// A run the backend ended on its own (finished, failed) or lost.
struct JobEnd {
  workload::JobId job = 0;
  TimePoint time = 0;
  bool finished = false;  // false: the run stopped (a device failed, the engine lost it)
  double remaining_work = 0;  // what is left to do (SpeedModel work units), after checkpoint loss
};

struct DeviceChange {
  int32_t device = 0;
  TimePoint time = 0;
  bool up = true;
};

// One device as the backend sees it.
struct DeviceObservation {
  econ::Mode mode = econ::Mode::kOff;
  bool up = true;
  workload::JobId job = 0;  // 0: none
};

// One run as the backend sees it.
struct RunObservation {
  workload::JobId job = 0;
  std::vector<int32_t> devices;
  TimePoint run_start = 0;
  double remaining_work = 0;  // now
};

struct Telemetry {
  TimePoint time = 0;
  std::vector<JobEnd> ended;         // since the last poll, in time order
  std::vector<DeviceChange> health;  // since the last poll, in time order
  // With PollOptions::snapshot: every device (by flat index) and every run now.
  std::vector<DeviceObservation> devices;
  std::vector<RunObservation> runs;
};

struct PollOptions {
  bool snapshot = false;
  // With snapshot: `ended` holds every run that ever finished, not only the new ones (a
  // controller that restarts learns of ends it missed).
  bool all_ended = false;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendDescription Describe() const = 0;
  // Applies one command at service time `now`. Errors: the engine cannot be reached or its
  // record cannot be written (kUnavailable); a command it refuses is an ack, not an error.
  virtual Result<ActionAck> Apply(const Action& action, TimePoint now) = 0;
  // What happened up to `now` (a simulated backend advances its world to `now` first).
  virtual Result<Telemetry> Poll(TimePoint now, const PollOptions& options) = 0;
  // The next instant something will happen on its own (a run ends, a device fails), when the
  // backend can know it; lets a controller on virtual time jump there. nullopt: unknown / never.
  virtual std::optional<TimePoint> NextEvent() const { return std::nullopt; }
};

// An action as JSON (the store's action rows and a backend's journal); the job travels whole.
std::string ActionToJson(const Action& action);
Result<Action> ActionFromJson(const std::string& text);

}  // namespace rigshift::control
