#include "control/backend.h"

#include <nlohmann/json.hpp>

#include "workload/job_json.h"

namespace rigshift::control {

const char* ActionKindName(ActionKind k) {
  switch (k) {
    case ActionKind::kStartJob: return "start_job";
    case ActionKind::kStopJob: return "stop_job";
    case ActionKind::kSetMode: return "set_mode";
  }
  return "?";
}

const char* AckOutcomeName(AckOutcome o) {
  switch (o) {
    case AckOutcome::kApplied: return "applied";
    case AckOutcome::kDuplicate: return "duplicate";
    case AckOutcome::kRejected: return "rejected";
    case AckOutcome::kUnsupported: return "unsupported";
  }
  return "?";
}

std::string ActionToJson(const Action& a) {
  nlohmann::json j = {
      {"key", a.key},
      {"plan", a.plan_id},
      {"time", a.time},
      {"kind", static_cast<int>(a.kind)},
      {"devices", a.devices},
      {"device_ids", a.device_ids},
      {"mode", static_cast<int>(a.mode)},
      {"cause", static_cast<int>(a.cause)},
  };
  if (a.kind == ActionKind::kStartJob) {
    j["job"] = nlohmann::json::parse(workload::JobToJson(a.job));
  } else {
    j["job_id"] = a.job.id;
  }
  return j.dump();
}

Result<Action> ActionFromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("action record: not a JSON object");
  Action a;
  try {
    a.key = j.at("key").get<std::string>();
    a.plan_id = j.at("plan").get<int64_t>();
    a.time = j.at("time").get<TimePoint>();
    const int kind = j.at("kind").get<int>();
    const int mode = j.at("mode").get<int>();
    const int cause = j.at("cause").get<int>();
    if (kind < 0 || kind > static_cast<int>(ActionKind::kSetMode) || mode < 0 ||
        mode > static_cast<int>(econ::Mode::kAi) || cause < 0 ||
        cause > static_cast<int>(StopCause::kCancelled)) {
      return Status::InvalidArgument("action record: kind, mode or cause out of range");
    }
    a.kind = static_cast<ActionKind>(kind);
    a.mode = static_cast<econ::Mode>(mode);
    a.cause = static_cast<StopCause>(cause);
    a.devices = j.at("devices").get<std::vector<int32_t>>();
    a.device_ids = j.at("device_ids").get<std::vector<std::string>>();
    if (a.kind == ActionKind::kStartJob) {
      ASSIGN_OR_RETURN(a.job, workload::JobFromJson(j.at("job").dump()));
    } else {
      a.job.id = j.at("job_id").get<workload::JobId>();
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("action record: ") + e.what());
  }
  return a;
}

}  // namespace rigshift::control
