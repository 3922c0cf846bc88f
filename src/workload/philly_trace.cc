#include "workload/philly_trace.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/text.h"
#include "core/time.h"

namespace rigshift::workload {

int CsvFieldColumn(const std::vector<std::string>& fields, size_t index) {
  int col = 1;
  for (size_t i = 0; i < index && i < fields.size(); ++i)
    col += static_cast<int>(fields[i].size()) + 1;
  return col;
}

namespace {

struct Header {
  int timestamp = -1, duration = -1, num_gpus = -1, gpu_time = -1, cluster = -1;
};

}  // namespace

Result<std::vector<Job>> ParsePhillyTrace(std::string_view text, const std::string& source,
                                          const PhillyOptions& options) {
  ASSIGN_OR_RETURN(auto rows, ParseCsv(text, source));
  if (rows.empty()) return Status::InvalidArgument(source + ": empty file (expected a header row)");
  Header h;
  const auto& head = rows[0].fields;
  for (size_t c = 0; c < head.size(); ++c) {
    std::string f = ToLower(Trim(head[c]));
    int ci = static_cast<int>(c);
    if (f == "timestamp")
      h.timestamp = ci;
    else if (f == "duration")
      h.duration = ci;
    else if (f == "num_gpus")
      h.num_gpus = ci;
    else if (f == "gpu_time")
      h.gpu_time = ci;
    else if (f == "cluster")
      h.cluster = ci;
  }
  for (auto [name, idx] : {std::pair<const char*, int>{"timestamp", h.timestamp},
                           {"duration", h.duration},
                           {"num_gpus", h.num_gpus}}) {
    if (idx < 0) {
      return Status::InvalidArgument(Location(source, rows[0].line, 1) +
                                     ": header: missing column '" + name +
                                     "' (expected timestamp,duration,num_gpus,gpu_time,cluster)");
    }
  }
  size_t need =
      static_cast<size_t>(std::max({h.timestamp, h.duration, h.num_gpus, h.gpu_time, h.cluster})) +
      1;

  struct Parsed {
    TimePoint arrival;
    int line;
    Job job;
  };
  std::vector<Parsed> parsed;
  parsed.reserve(rows.size());
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& f = rows[r].fields;
    int line = rows[r].line;
    if (f.size() == 1 && Trim(f[0]).empty()) continue;  // blank line
    if (f.size() < need) {
      return Status::InvalidArgument(Location(source, line, 1) + ": expected " +
                                     std::to_string(need) + " fields, found " +
                                     std::to_string(f.size()));
    }
    auto err = [&](int idx, const std::string& field, const std::string& what) {
      return Status::InvalidArgument(
          Location(source, line, CsvFieldColumn(f, static_cast<size_t>(idx))) + ": " + field +
          ": " + what + " (found '" + f[idx] + "')");
    };
    auto ts = ParseTimestamp(Trim(f[h.timestamp]));
    if (!ts.ok()) return err(h.timestamp, "timestamp", "expected YYYY-MM-DD HH:MM:SS");
    auto dur = ParseDouble(f[h.duration]);
    if (!dur.ok() || !std::isfinite(*dur) || *dur < 0 || *dur > kMaxJobSeconds) {
      return err(h.duration, "duration",
                 "expected seconds in 0 .. " + std::to_string(static_cast<int64_t>(kMaxJobSeconds)) +
                     " (ten years)");
    }
    auto gpus = ParseInt64(f[h.num_gpus]);
    if (!gpus.ok() || *gpus < 1 || *gpus > 100000) {
      return err(h.num_gpus, "num_gpus", "expected a whole number of GPUs >= 1");
    }
    double work = *dur * static_cast<double>(*gpus);
    if (h.gpu_time >= 0 && !Trim(f[h.gpu_time]).empty()) {
      auto gt = ParseDouble(f[h.gpu_time]);
      if (!gt.ok() || !std::isfinite(*gt) || *gt < 0 || *gt > kMaxJobSeconds * 100000) {
        return err(h.gpu_time, "gpu_time",
                   "expected GPU-seconds in 0 .. " +
                       std::to_string(static_cast<int64_t>(kMaxJobSeconds) * 100000) +
                       " (ten years on 100,000 GPUs)");
      }
      if (std::fabs(*gt - work) > options.gpu_time_tolerance * std::max(1.0, work)) {
        return err(h.gpu_time, "gpu_time",
                   "does not equal duration x num_gpus (" + std::to_string(work) + ")");
      }
    }
    Job j;
    j.kind = JobKind::kTraining;
    j.arrival = *ts;
    j.gpus = static_cast<int32_t>(*gpus);
    j.work_gpu_seconds = work;
    j.reference_gpu = options.reference_gpu;
    std::string cluster = h.cluster >= 0 ? std::string(Trim(f[h.cluster])) : "";
    j.name = "philly-" + std::to_string(line) + (cluster.empty() ? "" : "-" + cluster);
    parsed.push_back({*ts, line, std::move(j)});
  }
  std::stable_sort(parsed.begin(), parsed.end(), [](const Parsed& a, const Parsed& b) {
    return a.arrival != b.arrival ? a.arrival < b.arrival : a.line < b.line;
  });
  std::vector<Job> out;
  out.reserve(parsed.size());
  for (auto& p : parsed) {
    p.job.id = static_cast<JobId>(out.size());
    out.push_back(std::move(p.job));
  }
  return out;
}

Result<std::vector<Job>> LoadPhillyTrace(const std::string& path, const PhillyOptions& options) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParsePhillyTrace(text, path, options);
}

}  // namespace rigshift::workload
