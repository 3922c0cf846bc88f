// The job a customer submits (POST /v1/jobs) as JSON, validated field by field, and its mapping to
// the scheduler's workload::Job. src/server/openapi.json (JobSpec) describes the fields.
//
// Work is given either as `duration_hours` on `reference_gpu` (the whole gang: work =
// duration x 3600 x gpus reference GPU-seconds) or directly as `work_gpu_seconds`; exactly one.
// The default reference GPU is the speed model's ("V100", workload/speed_model.h).
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/status.h"
#include "server/service.h"
#include "workload/job.h"

namespace rigshift::server {

inline constexpr int32_t kMaxJobGpus = 4096;
inline constexpr const char* kDefaultReferenceGpu = "V100";

// Validates a parsed body. Errors name the field ("gpus: must be an integer from 1 to 4096, got
// 0"); an unknown field is an error naming it.
Result<JobSpec> JobSpecFromJson(const nlohmann::json& body);
// Parses and validates a request body.
Result<JobSpec> ParseJobSpec(std::string_view body);

// The scheduler's view of an accepted job submitted at `arrival`.
workload::Job ToWorkloadJob(const JobSpec& spec, workload::JobId id, TimePoint arrival);

// The spec as JSON in the request format (work as work_gpu_seconds), for idempotency
// comparisons and clients. JobSpecFromJson(JobSpecToJson(s)) == s.
nlohmann::json JobSpecToJson(const JobSpec& spec);

}  // namespace rigshift::server
