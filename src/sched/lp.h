// A small builder for GLPK problems (internal to sched/): columns and rows are added with their
// bounds and coefficients, then solved as an LP (simplex) or a MIP (branch and cut), maximising.
// Keeps GLPK's C API, its 1-based arrays and its global terminal switch in one place.
// Not thread-safe across instances only in that GLPK's terminal hook is process-wide (it is only
// ever switched off).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/status.h"

namespace rigshift::sched::internal {

class LpProblem {
 public:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  // Adds a column with bounds [lo, hi] (hi may be kInf) and objective coefficient; returns its id.
  int AddColumn(double lo, double hi, double objective, bool integer = false);
  // Adds a row lo <= sum coef x <= hi (lo may be -kInf, hi kInf); returns its id.
  int AddRow(double lo, double hi);
  void Set(int row, int column, double coef);

  struct Solution {
    double objective = 0;
    std::vector<double> x;  // per column
  };
  // Maximises. kInternal when the solver fails, kFailedPrecondition when infeasible.
  // `interior`: GLPK's primal-dual interior-point method instead of the simplex (LP only; much
  // faster on long time-coupled LPs such as a year of hours; optimal to GLPK's tolerance, 1e-8).
  Result<Solution> Solve(bool integer, int time_limit_ms, bool interior = false) const;

  int rows() const { return static_cast<int>(row_lo_.size()); }
  int columns() const { return static_cast<int>(col_lo_.size()); }

 private:
  std::vector<double> col_lo_, col_hi_, col_obj_;
  std::vector<uint8_t> col_int_;
  std::vector<double> row_lo_, row_hi_;
  std::vector<int> ia_, ja_;
  std::vector<double> ar_;
};

}  // namespace rigshift::sched::internal
