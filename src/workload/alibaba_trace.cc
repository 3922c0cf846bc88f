#include "workload/alibaba_trace.h"

#include <algorithm>
#include <map>

#include "core/text.h"
#include "workload/philly_trace.h"

namespace rigshift::workload {

Result<std::vector<Job>> ParseAlibabaPods(std::string_view text, const std::string& source,
                                          const AlibabaOptions& options, AlibabaLoadStats* stats) {
  AlibabaLoadStats local;
  AlibabaLoadStats& st = stats ? *stats : local;
  st = {};
  ASSIGN_OR_RETURN(auto rows, ParseCsv(text, source));
  if (rows.empty()) return Status::InvalidArgument(source + ": empty file (expected a header row)");
  const std::vector<std::string> required = {"name",          "num_gpu",       "gpu_milli",
                                             "gpu_spec",      "qos",           "creation_time",
                                             "deletion_time", "scheduled_time"};
  std::map<std::string, int> col;
  for (size_t c = 0; c < rows[0].fields.size(); ++c) {
    col[ToLower(Trim(rows[0].fields[c]))] = static_cast<int>(c);
  }
  for (const auto& r : required) {
    if (!col.count(r)) {
      return Status::InvalidArgument(Location(source, rows[0].line, 1) +
                                     ": header: missing column '" + r + "'");
    }
  }
  int need = 0;
  for (const auto& r : required) need = std::max(need, col[r] + 1);

  struct Parsed {
    int line;
    Job job;
  };
  std::vector<Parsed> parsed;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& f = rows[r].fields;
    int line = rows[r].line;
    if (f.size() == 1 && Trim(f[0]).empty()) continue;
    ++st.rows;
    if (static_cast<int>(f.size()) < need) {
      return Status::InvalidArgument(Location(source, line, 1) + ": expected " +
                                     std::to_string(need) + " fields, found " +
                                     std::to_string(f.size()));
    }
    auto err = [&](const std::string& field, const std::string& what) {
      int idx = col[field];
      return Status::InvalidArgument(
          Location(source, line, CsvFieldColumn(f, static_cast<size_t>(idx))) + ": " + field +
          ": " + what + " (found '" + f[idx] + "')");
    };
    auto int_field = [&](const std::string& field, bool allow_empty) -> Result<int64_t> {
      std::string_view v = Trim(f[col[field]]);
      if (v.empty() && allow_empty) return int64_t{-1};
      auto x = ParseInt64(v);
      if (!x.ok() || *x < 0) return err(field, "expected a non-negative whole number");
      if (field != "num_gpu" && field != "gpu_milli" && static_cast<double>(*x) > kMaxJobSeconds) {
        return err(field, "expected seconds since the trace start in 0 .. " +
                              std::to_string(static_cast<int64_t>(kMaxJobSeconds)) + " (ten years)");
      }
      return *x;
    };
    ASSIGN_OR_RETURN(int64_t num_gpu, int_field("num_gpu", false));
    if (num_gpu > 1024) return err("num_gpu", "expected at most 1024 GPUs");
    ASSIGN_OR_RETURN(int64_t gpu_milli, int_field("gpu_milli", true));
    if (gpu_milli > 1000) return err("gpu_milli", "expected 0..1000 (thousandths of one GPU)");
    ASSIGN_OR_RETURN(int64_t created, int_field("creation_time", false));
    ASSIGN_OR_RETURN(int64_t deleted, int_field("deletion_time", true));
    ASSIGN_OR_RETURN(int64_t scheduled, int_field("scheduled_time", true));
    std::string qos(Trim(f[col["qos"]]));
    Preemptibility pre;
    if (qos == "LS" || qos == "Guaranteed")
      pre = Preemptibility::kNever;
    else if (qos == "Burstable")
      pre = Preemptibility::kCheckpoint;
    else if (qos == "BE")
      pre = Preemptibility::kFree;
    else
      return err("qos", "expected LS, Guaranteed, Burstable or BE");
    if (num_gpu == 0) {
      ++st.cpu_only_skipped;
      continue;
    }
    if (deleted < 0 || scheduled < 0 || deleted <= scheduled) {
      ++st.never_ran_skipped;
      continue;
    }
    double run = static_cast<double>(deleted - scheduled);
    if (num_gpu == 1 && gpu_milli > 0 && gpu_milli < 1000)
      run *= static_cast<double>(gpu_milli) / 1000.0;
    Job j;
    j.kind = qos == "LS" ? JobKind::kInference : JobKind::kBatch;
    j.arrival = created;
    j.gpus = static_cast<int32_t>(num_gpu);
    j.work_gpu_seconds = run * static_cast<double>(num_gpu);
    std::string spec(Trim(f[col["gpu_spec"]]));
    if (!spec.empty() && spec != "nan") {
      j.reference_gpu = spec.substr(0, spec.find('|'));
      // "V100M16" -> "V100": Alibaba appends the memory size.
      if (auto m = j.reference_gpu.find("M", 1);
          m != std::string::npos && j.reference_gpu.rfind("V100", 0) == 0) {
        j.reference_gpu = j.reference_gpu.substr(0, m);
      }
    } else {
      j.reference_gpu = options.reference_gpu;
    }
    j.preemptibility = pre;
    j.name = std::string(Trim(f[col["name"]]));
    parsed.push_back({line, std::move(j)});
  }
  std::stable_sort(parsed.begin(), parsed.end(), [](const Parsed& a, const Parsed& b) {
    return a.job.arrival != b.job.arrival ? a.job.arrival < b.job.arrival : a.line < b.line;
  });
  std::vector<Job> out;
  out.reserve(parsed.size());
  for (auto& p : parsed) {
    p.job.id = static_cast<JobId>(out.size());
    out.push_back(std::move(p.job));
  }
  return out;
}

Result<std::vector<Job>> LoadAlibabaPods(const std::string& path, const AlibabaOptions& options,
                                         AlibabaLoadStats* stats) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseAlibabaPods(text, path, options, stats);
}

}  // namespace rigshift::workload
