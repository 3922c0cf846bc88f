// Plan: what a policy decided for one planning round, with a human-readable reason for every
// decision. The simulator applies it; the live controller will hand it to backends.
//
// A plan gives every device of the flat fleet a mode (econ::Mode) and a reason. For 100,000
// devices the reasons are stored compactly: `device_reason[d]` indexes into `reasons`, and one
// reason text is shared by every device the same decision applies to, e.g.
//   "mining pays 0.21 USD/h < power 0.34 USD/h at 92.00 USD/MWh: off".
// Job starts and preemptions carry their own reason index.
//
// Devices of a running job that is neither preempted nor finished stay in econ::Mode::kAi; the
// devices of a started job are listed in its JobStart and are in kAi too. Every device a plan puts
// in kAi belongs to exactly one running (kept) or started job. Plans respect each site's power
// envelope (site_power[s].planned_facility <= site_power[s].cap): see docs/scheduler.md.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/quantity.h"
#include "econ/value.h"
#include "workload/job.h"

namespace rigshift::sched {

// A queued job the plan starts, with its gang placement (indices into the flat fleet).
struct JobStart {
  workload::JobId job = 0;
  int32_t queue_index = -1;      // index into PolicyInput::queue
  std::vector<int32_t> devices;  // exactly job.gpus devices, ascending
  uint32_t reason = 0;           // index into Plan::reasons
};

// A running job the plan stops (it goes back to the queue; the simulator charges the work lost
// since its last checkpoint and the restore time when it restarts).
struct Preemption {
  workload::JobId job = 0;
  int32_t running_index = -1;  // index into PolicyInput::running
  uint32_t reason = 0;
};

// Power of one site under the plan, for reports and for the envelope check.
// A queued job the plan leaves waiting, and why (shared reason texts: "no free gang of 4 x
// >= 24 GB now", "cannot run on this fleet: ...", "AI pays less than mining here").
struct JobWait {
  workload::JobId job = 0;
  int32_t queue_index = -1;
  uint32_t reason = 0;
};

struct SitePower {
  Power it;        // devices + hosts of nodes with any device not off
  Power facility;  // it x PUE
  Power cap;       // the binding facility cap this round: grid cap (and cooling, as facility power)
  bool envelope_binding = false;  // some device was curtailed because of the cap
};

struct Plan {
  std::vector<econ::Mode> mode;         // per device
  std::vector<uint32_t> device_reason;  // per device, index into reasons
  std::vector<std::string> reasons;     // shared reason texts
  std::vector<JobStart> starts;
  std::vector<Preemption> preemptions;
  std::vector<JobWait> waits;         // queued jobs examined and not started
  std::vector<SitePower> site_power;  // per site

  // Appends a reason text and returns its index.
  uint32_t AddReason(std::string text) {
    reasons.push_back(std::move(text));
    return static_cast<uint32_t>(reasons.size() - 1);
  }
  std::string_view DeviceReason(size_t device) const { return reasons[device_reason[device]]; }
  std::string_view Reason(uint32_t index) const { return reasons[index]; }
};

}  // namespace rigshift::sched
