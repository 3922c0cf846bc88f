// The parts of the Store contract every implementation shares: names of the enums as stored and
// the state machines of jobs and actions.
#include "store/store.h"

namespace rigshift::store {

namespace {

// Parses `text` as one of the `count` values of E by name.
template <typename E, typename NameOf>
Result<E> ParseByName(const std::string& text, int count, NameOf name_of, const char* what) {
  std::string names;
  for (int i = 0; i < count; ++i) {
    const E e = static_cast<E>(i);
    if (text == name_of(e)) return e;
    names += (i ? ", " : "") + std::string(name_of(e));
  }
  return Status::InvalidArgument("unknown " + std::string(what) + " '" + text + "' (expected " +
                                 names + ")");
}

}  // namespace

const char* TokenRoleName(TokenRole r) {
  switch (r) {
    case TokenRole::kOperator: return "operator";
    case TokenRole::kTenant: return "tenant";
  }
  return "?";
}

Result<TokenRole> ParseTokenRole(const std::string& text) {
  return ParseByName<TokenRole>(text, 2, TokenRoleName, "token role");
}

const char* JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kDone: return "done";
    case JobState::kCancelled: return "cancelled";
    case JobState::kFailed: return "failed";
    case JobState::kUnplaceable: return "unplaceable";
  }
  return "?";
}

Result<JobState> ParseJobState(const std::string& text) {
  return ParseByName<JobState>(text, 6, JobStateName, "job state");
}

bool JobTransitionAllowed(JobState from, JobState to) {
  switch (from) {
    case JobState::kQueued:
      return to == JobState::kRunning || to == JobState::kCancelled || to == JobState::kFailed ||
             to == JobState::kUnplaceable;
    case JobState::kRunning:
      return to == JobState::kQueued || to == JobState::kDone || to == JobState::kCancelled ||
             to == JobState::kFailed;
    case JobState::kUnplaceable:
      return to == JobState::kQueued || to == JobState::kCancelled || to == JobState::kFailed;
    case JobState::kDone:
    case JobState::kCancelled:
    case JobState::kFailed:
      return false;
  }
  return false;
}

const char* ActionKindName(ActionKind k) {
  switch (k) {
    case ActionKind::kStartJob: return "start_job";
    case ActionKind::kStopJob: return "stop_job";
    case ActionKind::kSetMode: return "set_mode";
    case ActionKind::kSetPower: return "set_power";
  }
  return "?";
}

Result<ActionKind> ParseActionKind(const std::string& text) {
  return ParseByName<ActionKind>(text, 4, ActionKindName, "action kind");
}

const char* ActionStateName(ActionState s) {
  switch (s) {
    case ActionState::kPending: return "pending";
    case ActionState::kSent: return "sent";
    case ActionState::kAcknowledged: return "acknowledged";
    case ActionState::kConfirmed: return "confirmed";
    case ActionState::kDrifted: return "drifted";
    case ActionState::kFailed: return "failed";
  }
  return "?";
}

Result<ActionState> ParseActionState(const std::string& text) {
  return ParseByName<ActionState>(text, 6, ActionStateName, "action state");
}

bool ActionTransitionAllowed(ActionState from, ActionState to) {
  switch (from) {
    case ActionState::kPending:
      return to == ActionState::kSent || to == ActionState::kFailed;
    case ActionState::kSent:
      // Sent again (a retry), back to pending (the backend was unreachable), or on: an
      // acknowledgement may be lost, so confirmation may come straight after sending.
      return true;
    case ActionState::kAcknowledged:
      return to == ActionState::kConfirmed || to == ActionState::kDrifted ||
             to == ActionState::kFailed;
    case ActionState::kConfirmed:
    case ActionState::kDrifted:
    case ActionState::kFailed:
      return false;
  }
  return false;
}

const char* RevenueKindName(RevenueKind k) {
  switch (k) {
    case RevenueKind::kAi: return "ai";
    case RevenueKind::kMining: return "mining";
    case RevenueKind::kEnergy: return "energy";
    case RevenueKind::kDemandResponse: return "dr";
  }
  return "?";
}

}  // namespace rigshift::store
