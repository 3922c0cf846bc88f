#include "server/job_spec.h"

#include <cmath>

#include "catalog/catalog.h"
#include "server/request_json.h"
#include "workload/speed_model.h"

namespace rigshift::server {

using nlohmann::json;

namespace {

// Ten years of the largest gang: beyond it a figure is a typo, and it keeps every product finite.
constexpr double kMaxDurationHours = 10 * 365 * 24;
constexpr double kMaxWorkGpuSeconds = kMaxDurationHours * 3600 * kMaxJobGpus;
constexpr double kMaxPriceUsdPerGpuHour = 10'000;

// An enum field written by its workload name ("nvlink", "checkpoint").
template <typename E>
Result<std::optional<E>> OptionalEnum(const json& body, std::string_view key,
                                      std::initializer_list<E> values, const char* (*name_of)(E)) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalString(body, "", key, 64));
  if (!text) return std::optional<E>();
  std::string expected;
  for (E value : values) {
    if (*text == name_of(value)) return std::optional<E>(value);
    expected += expected.empty() ? "" : ", ";
    expected += name_of(value);
  }
  return FieldError(key, "must be one of " + expected + ", got '" + *text + "'");
}

Result<std::optional<workload::Interconnect>> OptionalInterconnect(const json& body) {
  using workload::Interconnect;
  return OptionalEnum(
      body, "interconnect",
      {Interconnect::kNone, Interconnect::kPcie, Interconnect::kNvlink, Interconnect::kNetwork},
      workload::InterconnectName);
}

Result<std::optional<workload::Preemptibility>> OptionalPreemptibility(const json& body) {
  using workload::Preemptibility;
  return OptionalEnum(body, "preemptible",
                      {Preemptibility::kNever, Preemptibility::kCheckpoint, Preemptibility::kFree},
                      workload::PreemptibilityName);
}

bool KnownReferenceGpu(std::string_view name) {
  return catalog::Catalog::Builtin().FindGpu(name) != nullptr ||
         workload::ClassifyGpuName(name) != workload::GpuClass::kUnmeasured;
}

}  // namespace

Result<JobSpec> JobSpecFromJson(const json& body) {
  RETURN_IF_ERROR(CheckObject(body, ""));
  RETURN_IF_ERROR(CheckKnownFields(
      body, "",
      {"name", "gpus", "min_memory_gb", "interconnect", "network_gbps", "duration_hours",
       "reference_gpu", "work_gpu_seconds", "price_usd_per_gpu_hour", "deadline", "preemptible",
       "checkpoint_interval_s", "restore_time_s", "priority", "command"}));
  JobSpec spec;
  ASSIGN_OR_RETURN(auto name, OptionalString(body, "", "name", 200));
  spec.name = name.value_or("");

  ASSIGN_OR_RETURN(auto gpus, OptionalInteger(body, "", "gpus", 1, kMaxJobGpus));
  if (!gpus) return FieldError("gpus", "required (1 to 4096)");
  spec.gpus = static_cast<int32_t>(*gpus);

  ASSIGN_OR_RETURN(auto memory, OptionalNumber(body, "", "min_memory_gb", 0, 100'000));
  spec.min_memory_gb = memory.value_or(0);

  ASSIGN_OR_RETURN(auto interconnect, OptionalInterconnect(body));
  spec.interconnect = interconnect.value_or(workload::Interconnect::kNone);
  ASSIGN_OR_RETURN(auto network, OptionalNumber(body, "", "network_gbps", 0, 100'000));
  spec.network_gbps = network.value_or(0);
  if (spec.interconnect == workload::Interconnect::kNetwork && spec.network_gbps <= 0) {
    return FieldError("network_gbps", "required above 0 when interconnect is network");
  }

  ASSIGN_OR_RETURN(auto reference, OptionalString(body, "", "reference_gpu", 200));
  spec.reference_gpu = reference.value_or(kDefaultReferenceGpu);
  if (!KnownReferenceGpu(spec.reference_gpu)) {
    return FieldError("reference_gpu", "unknown GPU '" + spec.reference_gpu +
                                           "' (a catalogue name, see `rigshift catalog`)");
  }
  ASSIGN_OR_RETURN(auto hours, OptionalNumber(body, "", "duration_hours", 0, kMaxDurationHours));
  ASSIGN_OR_RETURN(auto work, OptionalNumber(body, "", "work_gpu_seconds", 0, kMaxWorkGpuSeconds));
  if (hours.has_value() == work.has_value()) {
    return FieldError(hours ? "work_gpu_seconds" : "duration_hours",
                      "give exactly one of duration_hours and work_gpu_seconds");
  }
  spec.work_gpu_seconds = hours ? *hours * 3600.0 * spec.gpus : *work;
  if (spec.work_gpu_seconds <= 0) {
    return FieldError(hours ? "duration_hours" : "work_gpu_seconds", "must be above 0");
  }

  ASSIGN_OR_RETURN(auto price,
                   OptionalNumber(body, "", "price_usd_per_gpu_hour", 0, kMaxPriceUsdPerGpuHour));
  if (!price) return FieldError("price_usd_per_gpu_hour", "required (USD per GPU-hour)");
  spec.price = UsdPerGpuHour(*price);

  ASSIGN_OR_RETURN(spec.deadline, OptionalTimestamp(body, "", "deadline"));
  ASSIGN_OR_RETURN(auto preemptible, OptionalPreemptibility(body));
  spec.preemptible = preemptible.value_or(workload::Preemptibility::kCheckpoint);
  ASSIGN_OR_RETURN(auto checkpoint,
                   OptionalInteger(body, "", "checkpoint_interval_s", kMinute, 7 * kDay));
  spec.checkpoint_interval = checkpoint.value_or(30 * kMinute);
  ASSIGN_OR_RETURN(auto restore, OptionalInteger(body, "", "restore_time_s", 0, kDay));
  spec.restore_time = restore.value_or(2 * kMinute);
  ASSIGN_OR_RETURN(auto priority, OptionalInteger(body, "", "priority", -1000, 1000));
  spec.priority = static_cast<int32_t>(priority.value_or(0));
  ASSIGN_OR_RETURN(auto command, OptionalString(body, "", "command", 4096));
  spec.command = command.value_or("");
  return spec;
}

Result<JobSpec> ParseJobSpec(std::string_view body) {
  ASSIGN_OR_RETURN(json parsed, ParseJsonBody(body));
  return JobSpecFromJson(parsed);
}

workload::Job ToWorkloadJob(const JobSpec& spec, workload::JobId id, TimePoint arrival) {
  workload::Job job;
  job.id = id;
  job.name = spec.name;
  job.kind = workload::JobKind::kTraining;
  job.arrival = arrival;
  job.gpus = spec.gpus;
  job.min_memory_gb = spec.min_memory_gb;
  job.interconnect = spec.interconnect;
  job.network_gbps = spec.network_gbps;
  job.reference_gpu = spec.reference_gpu;
  job.work_gpu_seconds = spec.work_gpu_seconds;
  job.price = spec.price;
  job.deadline = spec.deadline;
  job.preemptibility = spec.preemptible;
  job.checkpoint_interval = spec.checkpoint_interval;
  job.restore_time = spec.restore_time;
  job.priority = spec.priority;
  return job;
}

json JobSpecToJson(const JobSpec& spec) {
  json j = {
      {"name", spec.name},
      {"gpus", spec.gpus},
      {"min_memory_gb", spec.min_memory_gb},
      {"interconnect", workload::InterconnectName(spec.interconnect)},
      {"network_gbps", spec.network_gbps},
      {"reference_gpu", spec.reference_gpu},
      {"work_gpu_seconds", spec.work_gpu_seconds},
      {"price_usd_per_gpu_hour", ToUsdPerGpuHour(spec.price)},
      {"preemptible", workload::PreemptibilityName(spec.preemptible)},
      {"checkpoint_interval_s", spec.checkpoint_interval},
      {"restore_time_s", spec.restore_time},
      {"priority", spec.priority},
  };
  if (spec.deadline) j["deadline"] = FormatTimestamp(*spec.deadline);
  if (!spec.command.empty()) j["command"] = spec.command;
  return j;
}

}  // namespace rigshift::server
