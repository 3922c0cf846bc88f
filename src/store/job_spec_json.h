// The JSON text a job's spec (workload::Job) is stored as, and its strict decoder.
//
// Encoding: one object with every field of workload::Job under its own name, enums by their
// names ("training", "nvlink", "checkpoint"), the price as integer micro-USD per GPU-hour
// (`price_uusd_per_gpu_hour`), durations in seconds, `deadline` absent when none. Keys are sorted,
// so the same job always gives the same bytes (the store compares resubmitted bodies by them).
//
// Decoding accepts a missing field as its default (a spec written before the field existed) and
// rejects unknown keys, wrong types and values outside what a job can be (gpus < 1, negative
// work, a weight that is not > 0, ...), with a message naming the field.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "workload/job.h"

namespace rigshift::store {

// Largest gang a spec may ask for; beyond any fleet the store will hold.
inline constexpr int32_t kMaxJobGpus = 1 << 20;

std::string JobSpecToJson(const workload::Job& job);
Result<workload::Job> JobSpecFromJson(std::string_view text);

}  // namespace rigshift::store
