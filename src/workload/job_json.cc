#include "workload/job_json.h"

#include <nlohmann/json.hpp>

namespace rigshift::workload {

namespace {

template <typename E>
int AsInt(E e) {
  return static_cast<int>(e);
}

}  // namespace

std::string JobToJson(const Job& job) {
  nlohmann::json j = {
      {"id", job.id},
      {"name", job.name},
      {"kind", AsInt(job.kind)},
      {"arrival", job.arrival},
      {"gpus", job.gpus},
      {"min_memory_gb", job.min_memory_gb},
      {"interconnect", AsInt(job.interconnect)},
      {"network_gbps", job.network_gbps},
      {"reference_gpu", job.reference_gpu},
      {"work_gpu_seconds", job.work_gpu_seconds},
      {"job_type", job.job_type},
      {"total_steps", job.total_steps},
      {"price_uusd", job.price.raw()},
      {"preemptibility", AsInt(job.preemptibility)},
      {"checkpoint_interval", job.checkpoint_interval},
      {"restore_time", job.restore_time},
      {"priority", job.priority},
      {"priority_weight", job.priority_weight},
  };
  if (job.deadline) j["deadline"] = *job.deadline;
  return j.dump();
}

Result<Job> JobFromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("job record: not a JSON object");
  Job job;
  std::string field;
  try {
    auto get = [&](const char* name, auto& out) {
      field = name;
      out = j.at(name).get<std::remove_reference_t<decltype(out)>>();
    };
    auto get_enum = [&](const char* name, auto& out, int max) {
      field = name;
      const int v = j.at(name).get<int>();
      if (v < 0 || v > max) throw std::out_of_range("enum value out of range");
      out = static_cast<std::remove_reference_t<decltype(out)>>(v);
    };
    get("id", job.id);
    get("name", job.name);
    get_enum("kind", job.kind, AsInt(JobKind::kInference));
    get("arrival", job.arrival);
    get("gpus", job.gpus);
    get("min_memory_gb", job.min_memory_gb);
    get_enum("interconnect", job.interconnect, AsInt(Interconnect::kNetwork));
    get("network_gbps", job.network_gbps);
    get("reference_gpu", job.reference_gpu);
    get("work_gpu_seconds", job.work_gpu_seconds);
    get("job_type", job.job_type);
    get("total_steps", job.total_steps);
    int64_t price = 0;
    get("price_uusd", price);
    job.price = GpuHourPrice::FromRaw(price);
    get_enum("preemptibility", job.preemptibility, AsInt(Preemptibility::kFree));
    get("checkpoint_interval", job.checkpoint_interval);
    get("restore_time", job.restore_time);
    get("priority", job.priority);
    get("priority_weight", job.priority_weight);
    if (j.contains("deadline")) {
      field = "deadline";
      job.deadline = j.at("deadline").get<TimePoint>();
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument("job record: field '" + field + "': " + e.what());
  }
  return job;
}

}  // namespace rigshift::workload
