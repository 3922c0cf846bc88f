#include "server/service.h"

namespace rigshift::server {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kOperator:
      return "operator";
    case Role::kTenant:
      return "tenant";
  }
  return "?";
}

const char* JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kCompleted:
      return "completed";
    case JobState::kCancelled:
      return "cancelled";
    case JobState::kFailed:
      return "failed";
  }
  return "?";
}

std::optional<JobState> ParseJobState(std::string_view name) {
  for (JobState s : {JobState::kQueued, JobState::kRunning, JobState::kCompleted,
                     JobState::kCancelled, JobState::kFailed}) {
    if (name == JobStateName(s)) return s;
  }
  return std::nullopt;
}

}  // namespace rigshift::server
