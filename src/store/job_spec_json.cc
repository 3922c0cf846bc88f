#include "store/job_spec_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

namespace rigshift::store {

namespace {

using nlohmann::json;

constexpr const char* kKnownKeys[] = {
    "id",           "name",         "kind",          "arrival",       "gpus",
    "min_memory_gb", "interconnect", "network_gbps", "reference_gpu", "work_gpu_seconds",
    "job_type",     "total_steps",  "price_uusd_per_gpu_hour", "deadline", "preemptibility",
    "checkpoint_interval_s", "restore_time_s", "priority", "priority_weight"};

Status FieldError(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("job spec: " + field + ": " + what);
}

// Reads the integer field `key` into *out when present.
Status ReadInt(const json& obj, const char* key, int64_t lo, int64_t hi, int64_t* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (it->is_number_unsigned()) {
    const uint64_t u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(hi) || static_cast<int64_t>(u) < lo) {
      return FieldError(key, "out of range");
    }
    *out = static_cast<int64_t>(u);
    return Status::Ok();
  }
  if (!it->is_number_integer()) return FieldError(key, "expected an integer");
  const int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) return FieldError(key, "out of range");
  *out = v;
  return Status::Ok();
}

// Reads the finite, non-negative number field `key` into *out when present.
Status ReadNonNegative(const json& obj, const char* key, double* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_number()) return FieldError(key, "expected a number");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < 0) return FieldError(key, "expected a finite number >= 0");
  *out = v;
  return Status::Ok();
}

Status ReadString(const json& obj, const char* key, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_string()) return FieldError(key, "expected a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

// Reads an enum field by its name: `name_of` gives the name of each of the `count` values.
template <typename E, typename NameOf>
Status ReadEnum(const json& obj, const char* key, int count, NameOf name_of, E* out) {
  std::string text;
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  RETURN_IF_ERROR(ReadString(obj, key, &text));
  std::string names;
  for (int i = 0; i < count; ++i) {
    const E e = static_cast<E>(i);
    if (text == name_of(e)) {
      *out = e;
      return Status::Ok();
    }
    names += (i ? ", " : "") + std::string(name_of(e));
  }
  return FieldError(key, "unknown value '" + text + "' (expected one of " + names + ")");
}

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();

}  // namespace

std::string JobSpecToJson(const workload::Job& job) {
  json j = json::object();
  j["id"] = job.id;
  j["name"] = job.name;
  j["kind"] = workload::JobKindName(job.kind);
  j["arrival"] = job.arrival;
  j["gpus"] = job.gpus;
  j["min_memory_gb"] = job.min_memory_gb;
  j["interconnect"] = workload::InterconnectName(job.interconnect);
  j["network_gbps"] = job.network_gbps;
  j["reference_gpu"] = job.reference_gpu;
  j["work_gpu_seconds"] = job.work_gpu_seconds;
  j["job_type"] = job.job_type;
  j["total_steps"] = job.total_steps;
  j["price_uusd_per_gpu_hour"] = job.price.raw();
  if (job.deadline) j["deadline"] = *job.deadline;
  j["preemptibility"] = workload::PreemptibilityName(job.preemptibility);
  j["checkpoint_interval_s"] = job.checkpoint_interval;
  j["restore_time_s"] = job.restore_time;
  j["priority"] = job.priority;
  j["priority_weight"] = job.priority_weight;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<workload::Job> JobSpecFromJson(std::string_view text) {
  const json obj = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) return Status::InvalidArgument("job spec: not valid JSON");
  if (!obj.is_object()) return Status::InvalidArgument("job spec: expected a JSON object");
  const std::set<std::string> known(std::begin(kKnownKeys), std::end(kKnownKeys));
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!known.count(it.key())) return FieldError(it.key(), "unknown field");
  }
  workload::Job job;
  int64_t v = 0;
  RETURN_IF_ERROR(ReadInt(obj, "id", kMinInt, kMaxInt, &job.id));
  RETURN_IF_ERROR(ReadString(obj, "name", &job.name));
  RETURN_IF_ERROR(ReadEnum(obj, "kind", 3, workload::JobKindName, &job.kind));
  RETURN_IF_ERROR(ReadInt(obj, "arrival", kMinInt, kMaxInt, &job.arrival));
  v = job.gpus;
  RETURN_IF_ERROR(ReadInt(obj, "gpus", 1, kMaxJobGpus, &v));
  job.gpus = static_cast<int32_t>(v);
  RETURN_IF_ERROR(ReadNonNegative(obj, "min_memory_gb", &job.min_memory_gb));
  RETURN_IF_ERROR(ReadEnum(obj, "interconnect", 4, workload::InterconnectName, &job.interconnect));
  RETURN_IF_ERROR(ReadNonNegative(obj, "network_gbps", &job.network_gbps));
  RETURN_IF_ERROR(ReadString(obj, "reference_gpu", &job.reference_gpu));
  RETURN_IF_ERROR(ReadNonNegative(obj, "work_gpu_seconds", &job.work_gpu_seconds));
  RETURN_IF_ERROR(ReadString(obj, "job_type", &job.job_type));
  RETURN_IF_ERROR(ReadInt(obj, "total_steps", 0, kMaxInt, &job.total_steps));
  v = job.price.raw();
  RETURN_IF_ERROR(ReadInt(obj, "price_uusd_per_gpu_hour", 0, kMaxInt, &v));
  job.price = GpuHourPrice::FromRaw(v);
  if (obj.contains("deadline")) {
    RETURN_IF_ERROR(ReadInt(obj, "deadline", kMinInt, kMaxInt, &v));
    job.deadline = v;
  }
  RETURN_IF_ERROR(
      ReadEnum(obj, "preemptibility", 3, workload::PreemptibilityName, &job.preemptibility));
  RETURN_IF_ERROR(ReadInt(obj, "checkpoint_interval_s", 0, kMaxInt, &job.checkpoint_interval));
  RETURN_IF_ERROR(ReadInt(obj, "restore_time_s", 0, kMaxInt, &job.restore_time));
  v = job.priority;
  RETURN_IF_ERROR(ReadInt(obj, "priority", std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max(), &v));
  job.priority = static_cast<int32_t>(v);
  RETURN_IF_ERROR(ReadNonNegative(obj, "priority_weight", &job.priority_weight));
  if (!(job.priority_weight > 0)) return FieldError("priority_weight", "expected a number > 0");
  return job;
}

}  // namespace rigshift::store
