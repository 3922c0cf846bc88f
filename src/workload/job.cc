#include "workload/job.h"

namespace rigshift::workload {

const char* JobKindName(JobKind k) {
  switch (k) {
    case JobKind::kTraining: return "training";
    case JobKind::kBatch: return "batch";
    case JobKind::kInference: return "inference";
  }
  return "?";
}

const char* InterconnectName(Interconnect i) {
  switch (i) {
    case Interconnect::kNone: return "none";
    case Interconnect::kPcie: return "pcie";
    case Interconnect::kNvlink: return "nvlink";
    case Interconnect::kNetwork: return "network";
  }
  return "?";
}

const char* PreemptibilityName(Preemptibility p) {
  switch (p) {
    case Preemptibility::kNever: return "never";
    case Preemptibility::kCheckpoint: return "checkpoint";
    case Preemptibility::kFree: return "free";
  }
  return "?";
}

}  // namespace rigshift::workload
