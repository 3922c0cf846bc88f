#include "workload/gavel_trace.h"

#include <cmath>
#include <string>
#include <utility>

#include "core/text.h"

namespace rigshift::workload {
namespace {

constexpr const char* kColumnNames[kGavelTraceColumns] = {
    "job type",   "command",      "working directory", "steps argument",
    "needs data", "total steps",  "scale factor",      "priority weight",
    "SLO",        "arrival time",
};

// A field as found, for messages: quoted, at most 40 characters, control bytes escaped.
std::string Shown(std::string_view s) {
  std::string out = "'";
  size_t n = 0;
  for (char c : s) {
    if (++n > 40) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct Field {
  std::string_view text;
  int column = 0;  // 1-based byte column where the field starts
};

class LineParser {
 public:
  LineParser(const std::string& source, int line) : source_(source), line_(line) {}

  // Column numbers as written (the older 7-column form numbers its columns differently).
  void SetColumnNumbers(const int* index_of) { index_of_ = index_of; }

  Status Error(const Field& f, int index, const std::string& expected) const {
    const int written = index_of_ != nullptr ? index_of_[index] : index;
    return Status::InvalidArgument(Location(source_, line_, f.column) + ": column " +
                                   std::to_string(written + 1) + " (" + kColumnNames[index] +
                                   "): expected " + expected + ", found " + Shown(f.text));
  }

  Result<std::string> Text(const Field& f, int index, bool may_be_empty) const {
    std::string_view t = Trim(f.text);
    if (t.empty() && !may_be_empty) return Error(f, index, "a non-empty text");
    return std::string(t);
  }

  Result<int64_t> Integer(const Field& f, int index, int64_t lo, int64_t hi,
                          const std::string& expected) const {
    auto v = ParseInt64(f.text);
    if (!v.ok() || *v < lo || *v > hi) return Error(f, index, expected);
    return *v;
  }

  Result<double> Number(const Field& f, int index, double lo, double hi, bool lo_inclusive,
                        const std::string& expected) const {
    auto v = ParseDouble(f.text);
    if (!v.ok() || *v > hi || *v < lo || (!lo_inclusive && *v == lo)) {
      return Error(f, index, expected);
    }
    return *v;
  }

 private:
  const std::string& source_;
  int line_;
  const int* index_of_ = nullptr;
};

}  // namespace

Result<GavelTrace> ParseGavelTrace(std::string_view text, const std::string& source,
                                   const GavelTraceOptions& options) {
  if (text.size() > kMaxGavelTraceBytes) {
    return Status::OutOfRange(source + ": trace is " + std::to_string(text.size()) +
                              " bytes; the limit is " + std::to_string(kMaxGavelTraceBytes));
  }
  GavelTrace trace;
  size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 BOM
  int line = 0;
  int columns = 0;  // 10 or 7, from the first job line
  while (pos < text.size()) {
    ++line;
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view row = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    if (Trim(row).empty() || row.front() == '#') continue;

    // Split on tabs, remembering where each field starts.
    Field raw[kGavelTraceColumns];
    int count = 0;
    size_t start = 0;
    for (size_t i = 0; i <= row.size(); ++i) {
      if (i == row.size() || row[i] == '\t') {
        if (count < kGavelTraceColumns) {
          raw[count] = {row.substr(start, i - start), static_cast<int>(start + 1)};
        }
        ++count;
        start = i + 1;
      }
    }
    if (columns == 0 && (count == kGavelTraceColumns || count == kGavelOldTraceColumns)) {
      columns = count;  // the first job line decides the form
    }
    if (count != columns || columns == 0) {
      const bool old = columns == kGavelOldTraceColumns;
      return Status::InvalidArgument(
          Location(source, line, 1) + ": expected " +
          (old ? std::to_string(kGavelOldTraceColumns) +
                     " tab-separated columns, as the lines before (Gavel's older form: job type, "
                     "command, steps argument, needs data, total steps, arrival time, scale "
                     "factor)"
               : std::to_string(kGavelTraceColumns) +
                     " tab-separated columns (job type, command, working directory, steps "
                     "argument, needs data, total steps, scale factor, priority weight, SLO, "
                     "arrival time)" +
                     (columns == 0 ? std::string(" or Gavel's older 7") : std::string())) +
          ", found " + std::to_string(count));
    }
    // Map to the 10-column layout; the older form has no working directory, weight or SLO.
    Field fields[kGavelTraceColumns];
    int index_of[kGavelTraceColumns];  // column number as written, for messages
    for (int k = 0; k < kGavelTraceColumns; ++k) index_of[k] = k;
    if (columns == kGavelTraceColumns) {
      for (int k = 0; k < kGavelTraceColumns; ++k) fields[k] = raw[k];
    } else {
      // old: 0 type, 1 command, 2 steps arg, 3 needs data, 4 steps, 5 arrival, 6 scale
      const int from[kGavelTraceColumns] = {0, 1, -1, 2, 3, 4, 6, -1, -1, 5};
      for (int k = 0; k < kGavelTraceColumns; ++k) {
        index_of[k] = from[k];
        if (from[k] >= 0) fields[k] = raw[from[k]];
      }
      fields[7] = {"1", 0};
      fields[8] = {"-1", 0};
    }
    if (trace.jobs.size() >= kMaxGavelJobs) {
      return Status::OutOfRange(Location(source, line) + ": more than " +
                                std::to_string(kMaxGavelJobs) + " jobs");
    }

    LineParser p(source, line);
    p.SetColumnNumbers(index_of);
    GavelJobExtras extra;
    extra.line = line;
    Job job;
    job.id = static_cast<JobId>(trace.jobs.size());
    job.name = "gavel-" + std::to_string(job.id);
    ASSIGN_OR_RETURN(job.job_type, p.Text(fields[0], 0, false));
    ASSIGN_OR_RETURN(extra.command, p.Text(fields[1], 1, false));
    ASSIGN_OR_RETURN(extra.working_directory, p.Text(fields[2], 2, true));
    ASSIGN_OR_RETURN(extra.num_steps_arg, p.Text(fields[3], 3, true));
    ASSIGN_OR_RETURN(int64_t needs_data, p.Integer(fields[4], 4, 0, 1, "0 or 1"));
    extra.needs_data_dir = needs_data == 1;
    ASSIGN_OR_RETURN(job.total_steps,
                     p.Integer(fields[5], 5, 1, kMaxGavelSteps,
                               "an integer from 1 to " + std::to_string(kMaxGavelSteps)));
    ASSIGN_OR_RETURN(int64_t scale,
                     p.Integer(fields[6], 6, 1, kMaxGavelScaleFactor,
                               "a GPU count from 1 to " + std::to_string(kMaxGavelScaleFactor)));
    job.gpus = static_cast<int32_t>(scale);
    ASSIGN_OR_RETURN(job.priority_weight,
                     p.Number(fields[7], 7, 0, 1e9, false, "a number > 0 (1 = normal)"));
    ASSIGN_OR_RETURN(extra.slo,
                     p.Number(fields[8], 8, -1e18, 1e18, true, "a number (-1 = no SLO)"));
    ASSIGN_OR_RETURN(extra.arrival_seconds, p.Number(fields[9], 9, 0, kMaxGavelArrivalSeconds, true,
                                                     "seconds >= 0 from the start of the trace"));
    const auto offset = static_cast<TimePoint>(std::llround(extra.arrival_seconds));
    if (__builtin_add_overflow(options.origin, offset, &job.arrival)) {
      return p.Error(fields[9], 9, "an arrival that fits after the origin");
    }
    job.kind = JobKind::kTraining;
    job.interconnect = Interconnect::kNone;
    job.preemptibility = Preemptibility::kFree;
    job.restore_time = 0;
    trace.jobs.push_back(std::move(job));
    trace.extras.push_back(std::move(extra));
  }
  return trace;
}

Result<GavelTrace> LoadGavelTrace(const std::string& path, const GavelTraceOptions& options) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path, kMaxGavelTraceBytes));
  return ParseGavelTrace(text, path, options);
}

}  // namespace rigshift::workload
