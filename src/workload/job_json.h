// A job as JSON, field for field, for the records that must rebuild it exactly (the store's job
// rows, a backend's journal). Not the customer-facing submission format (server/job_spec.h
// validates that one); this one is written by rigshift and read back by it.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "core/status.h"
#include "workload/job.h"

namespace rigshift::workload {

std::string JobToJson(const Job& job);
// Errors: text that is not such an object (a damaged record), naming the field.
Result<Job> JobFromJson(const std::string& text);

}  // namespace rigshift::workload
