#include "sched/lp.h"

#include <glpk.h>

#include <cmath>
#include <memory>

namespace rigshift::sched::internal {
namespace {

int Silent(void*, const char*) { return 1; }  // GLPK terminal hook: swallow all output

int BoundType(double lo, double hi) {
  const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
  if (has_lo && has_hi) return lo == hi ? GLP_FX : GLP_DB;
  if (has_lo) return GLP_LO;
  if (has_hi) return GLP_UP;
  return GLP_FR;
}

struct ProbDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};

}  // namespace

int LpProblem::AddColumn(double lo, double hi, double objective, bool integer) {
  col_lo_.push_back(lo);
  col_hi_.push_back(hi);
  col_obj_.push_back(objective);
  col_int_.push_back(integer ? 1 : 0);
  return static_cast<int>(col_lo_.size()) - 1;
}

int LpProblem::AddRow(double lo, double hi) {
  row_lo_.push_back(lo);
  row_hi_.push_back(hi);
  return static_cast<int>(row_lo_.size()) - 1;
}

void LpProblem::Set(int row, int column, double coef) {
  if (coef == 0) return;
  ia_.push_back(row + 1);
  ja_.push_back(column + 1);
  ar_.push_back(coef);
}

Result<LpProblem::Solution> LpProblem::Solve(bool integer, int time_limit_ms, bool interior) const {
  glp_term_hook(Silent, nullptr);
  std::unique_ptr<glp_prob, ProbDeleter> lp(glp_create_prob());
  glp_prob* p = lp.get();
  glp_set_obj_dir(p, GLP_MAX);
  const int nr = rows(), nc = columns();
  if (nr > 0) glp_add_rows(p, nr);
  if (nc > 0) glp_add_cols(p, nc);
  for (int i = 0; i < nr; ++i) {
    const double lo = row_lo_[static_cast<size_t>(i)], hi = row_hi_[static_cast<size_t>(i)];
    glp_set_row_bnds(p, i + 1, BoundType(lo, hi), std::isfinite(lo) ? lo : 0.0,
                     std::isfinite(hi) ? hi : 0.0);
  }
  for (int j = 0; j < nc; ++j) {
    const auto ju = static_cast<size_t>(j);
    const double lo = col_lo_[ju], hi = col_hi_[ju];
    glp_set_col_bnds(p, j + 1, BoundType(lo, hi), std::isfinite(lo) ? lo : 0.0,
                     std::isfinite(hi) ? hi : 0.0);
    glp_set_obj_coef(p, j + 1, col_obj_[ju]);
    if (integer && col_int_[ju]) glp_set_col_kind(p, j + 1, GLP_IV);
  }
  // GLPK wants 1-based arrays with a dummy element 0.
  std::vector<int> ia(ia_.size() + 1, 0), ja(ja_.size() + 1, 0);
  std::vector<double> ar(ar_.size() + 1, 0.0);
  for (size_t k = 0; k < ia_.size(); ++k) {
    ia[k + 1] = ia_[k];
    ja[k + 1] = ja_[k];
    ar[k + 1] = ar_[k];
  }
  glp_load_matrix(p, static_cast<int>(ia_.size()), ia.data(), ja.data(), ar.data());

  if (interior && !integer) {
    glp_iptcp ip;
    glp_init_iptcp(&ip);
    ip.msg_lev = GLP_MSG_OFF;
    const int irc = glp_interior(p, &ip);
    if (irc != 0)
      return Status::Internal("GLPK interior point failed (code " + std::to_string(irc) + ")");
    const int st = glp_ipt_status(p);
    if (st == GLP_NOFEAS) return Status::FailedPrecondition("LP infeasible");
    if (st != GLP_OPT)
      return Status::Internal("GLPK interior point found no optimum (status " + std::to_string(st) +
                              ")");
    Solution sol;
    sol.objective = glp_ipt_obj_val(p);
    sol.x.resize(static_cast<size_t>(nc));
    for (int j = 0; j < nc; ++j) sol.x[static_cast<size_t>(j)] = glp_ipt_col_prim(p, j + 1);
    return sol;
  }
  glp_smcp sm;
  glp_init_smcp(&sm);
  sm.msg_lev = GLP_MSG_OFF;
  sm.presolve = GLP_ON;
  // The dual simplex is markedly faster than the primal on the oracle's long, time-coupled LPs
  // (every column starts at a bound, and the objective rows are dense in the mining columns).
  sm.meth = GLP_DUALP;
  sm.tm_lim = time_limit_ms;
  int rc = glp_simplex(p, &sm);
  if (rc != 0 && rc != GLP_ENOPFS && rc != GLP_ENODFS) {
    return Status::Internal("GLPK simplex failed (code " + std::to_string(rc) + ")");
  }
  if (rc == GLP_ENOPFS || glp_get_status(p) == GLP_NOFEAS) {
    return Status::FailedPrecondition("LP infeasible");
  }
  if (glp_get_status(p) != GLP_OPT) {
    return Status::Internal("GLPK simplex stopped without an optimum (status " +
                            std::to_string(glp_get_status(p)) + ")");
  }
  Solution sol;
  sol.x.resize(static_cast<size_t>(nc));
  if (!integer) {
    sol.objective = glp_get_obj_val(p);
    for (int j = 0; j < nc; ++j) sol.x[static_cast<size_t>(j)] = glp_get_col_prim(p, j + 1);
    return sol;
  }
  glp_iocp io;
  glp_init_iocp(&io);
  io.msg_lev = GLP_MSG_OFF;
  io.tm_lim = time_limit_ms;
  io.mip_gap = 0.0;
  rc = glp_intopt(p, &io);
  if (rc != 0)
    return Status::Internal("GLPK branch and cut failed (code " + std::to_string(rc) + ")");
  if (glp_mip_status(p) != GLP_OPT) {
    return Status::Internal("GLPK found no proven integer optimum (status " +
                            std::to_string(glp_mip_status(p)) + ")");
  }
  sol.objective = glp_mip_obj_val(p);
  for (int j = 0; j < nc; ++j) sol.x[static_cast<size_t>(j)] = glp_mip_col_val(p, j + 1);
  return sol;
}

}  // namespace rigshift::sched::internal
