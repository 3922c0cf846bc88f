#include "sched/policy.h"

#include "sched/backfill_mine.h"
#include "sched/horizon.h"
#include "sched/mine_only.h"
#include "sched/rigshift.h"
#include "sched/threshold.h"

#if __has_include("sched/fifo_perf.h")
#include "sched/fifo_perf.h"
#define RIGSHIFT_SCHED_HAVE_FIFO_PERF 1
#endif

namespace rigshift::sched {

const char* JobOrderName(JobOrder o) {
  switch (o) {
    case JobOrder::kFifo:
      return "fifo";
    case JobOrder::kLas:
      return "las";
  }
  return "?";
}

Result<JobOrder> ParseJobOrder(std::string_view name) {
  if (name == "fifo") return JobOrder::kFifo;
  if (name == "las") return JobOrder::kLas;
  return Status::InvalidArgument("unknown job order '" + std::string(name) +
                                 "' (expected fifo or las)");
}

std::vector<std::string> PolicyNames() {
  std::vector<std::string> names = {"mine-only", "backfill-mine", "threshold", "rigshift",
                                    "horizon"};
#ifdef RIGSHIFT_SCHED_HAVE_FIFO_PERF
  names.push_back("fifo_perf");
#endif
  return names;
}

Result<std::unique_ptr<Policy>> MakePolicy(std::string_view name, const PolicyOptions& options) {
  if (name == "mine-only") return MakeMineOnlyPolicy(options);
  if (name == "backfill-mine") return MakeBackfillMinePolicy(options);
  if (name == "threshold") return MakeThresholdPolicy(options);
  if (name == "rigshift") return MakeRigshiftPolicy(options);
  if (name == "horizon") return MakeHorizonPolicy(options);
#ifdef RIGSHIFT_SCHED_HAVE_FIFO_PERF
  if (name == "fifo_perf") return MakeFifoPerfPolicy(options);
#endif
  std::string known;
  for (const auto& n : PolicyNames()) known += (known.empty() ? "" : ", ") + n;
  return Status::InvalidArgument("unknown policy '" + std::string(name) + "' (known: " + known +
                                 ")");
}

GpuHourPrice JobGpuHourPrice(const workload::Job& job, const catalog::GpuModel& gpu,
                             const market::GpuHourPriceTable& table) {
  if (job.price.raw() > 0) return job.price;
  return econ::DefaultGpuHourPrice(gpu, table);
}

}  // namespace rigshift::sched
