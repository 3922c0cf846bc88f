// Reports of a simulation run: several policies side by side over the same window, rendered as
// a terminal table, JSON (byte-identical for the same inputs and seed: fixed key order, fixed
// float formatting, no run timestamps), a self-contained HTML page with inline SVG charts, and the
// decision timeline as CSV.
// Thread-safety: pure functions; CsvTimelineSink is not synchronised (one per run).
#pragma once

#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/quantity.h"
#include "sim/accounting.h"
#include "sim/engine.h"

namespace rigshift::sim {

// The upper bound on net margin from sched's oracle, when it was computed.
struct BoundInfo {
  Money net_margin;
  std::string method;  // "LP relaxation", "exact MIP"
  std::string note;
  // Where the bound's schedule earns (solver output, for reading the gap to a policy).
  Money ai_revenue;
  Money mining_margin;  // mining revenue - energy of the mining devices
  Money ai_energy;      // energy of the GPUs in AI
  Money host_energy;    // energy of the hosts
  double ai_gpu_hours = 0;
};

struct SimReport {
  std::string fleet_name;
  std::string fleet_file;
  std::string market_description;
  std::string jobs_description;
  std::string ordering;  // fifo | las
  // What the policies knew of future prices (sim/forecaster.h's PriceKnowledgeName); the bound
  // is always the perfect-foresight optimum.
  std::string price_knowledge;
  double load = 1.0;
  uint64_t seed = 1;
  TimePoint start = 0;
  TimePoint end = 0;
  int64_t devices = 0;
  int64_t gpus = 0;
  int64_t asics = 0;
  int64_t jobs_in_window = 0;
  std::vector<SimResult> results;  // one per policy, in the order asked
  std::optional<BoundInfo> bound;
};

// Margin of a result as a fraction of the bound (nullopt without a positive bound).
std::optional<double> FractionOfBound(const SimResult& r, const std::optional<BoundInfo>& bound);

std::string RenderJson(const SimReport& report);
std::string RenderText(const SimReport& report);
std::string RenderHtml(const SimReport& report);

// Monthly sums of a daily series (calendar months, UTC).
std::vector<SeriesPoint> MonthlySeries(const std::vector<SeriesPoint>& series);

// Writes the timeline as CSV: time,policy,trigger,subject,action,reason (RFC 4180 quoting).
class CsvTimelineSink : public TimelineSink {
 public:
  explicit CsvTimelineSink(std::ostream& out);
  void OnDecision(const DecisionRecord& record) override;
  int64_t rows() const { return rows_; }

 private:
  std::ostream& out_;
  int64_t rows_ = 0;
};

}  // namespace rigshift::sim
