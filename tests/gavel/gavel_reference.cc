#include "gavel_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rigshift::gavel_test {

ReferenceFigures RunReference(const workload::GavelTrace& trace,
                              const workload::GavelThroughputs& throughputs,
                              const std::map<std::string, int>& cluster,
                              const ReferenceOptions& o) {
  const size_t n = trace.jobs.size();
  std::vector<std::string> types;  // name order (std::map)
  for (const auto& [t, c] : cluster) types.push_back(t);
  // Throughput per job per type (0 when the file has none).
  std::vector<std::vector<double>> thr(n, std::vector<double>(types.size(), 0));
  for (size_t j = 0; j < n; ++j) {
    for (size_t t = 0; t < types.size(); ++t) {
      thr[j][t] =
          throughputs.Find(trace.jobs[j].job_type, trace.jobs[j].gpus, types[t]).value_or(0);
    }
  }
  int total_gpus = 0;
  for (const auto& [t, c] : cluster) total_gpus += c;

  struct Piece {
    size_t job;
    double finish;
    double steps;
  };
  std::vector<Piece> running;
  std::vector<uint8_t> active(n, 0), done(n, 0);
  std::vector<double> steps_done(n, 0);
  std::vector<int> alloc(n, -1);  // type index
  size_t next_arrival = 0;        // trace order is arrival order in Gavel's traces
  double now = n > 0 ? trace.extras[0].arrival_seconds : 0;
  double round_start = 0, round_end = -1;
  bool have_round_end = false;
  double last_reset = 0;
  bool have_reset = false;  // Gavel: _last_reset_time == 0 reads as "never reset"
  bool need_update = true;
  double busy = 0, jct_sum = 0;
  size_t remaining = n;
  int finished = 0;

  while (remaining > 0) {
    // 1. End of the previous round.
    double max_finish = 0;
    for (const auto& p : running) max_finish = std::max(max_finish, p.finish);
    if (!running.empty() && max_finish > 0) {
      if (have_round_end) round_start = round_end;
      round_end = max_finish;
      have_round_end = true;
      now = max_finish;
    } else if (o.idle_waits_for_gap && need_update && have_reset &&
               std::find(active.begin(), active.end(), 1) != active.end() &&
               now < last_reset + o.reset_gap_s) {
      now = last_reset + o.reset_gap_s;  // rigshift: the held-back round starts when the gap ends
    } else if (next_arrival < n) {
      now = trace.extras[next_arrival].arrival_seconds;
    }
    if (next_arrival >= n && running.empty()) {  // Gavel's forced reset
      last_reset = 0;
      have_reset = false;
    }
    // 2. Credit the round.
    for (const auto& p : running) {
      busy += (p.finish - round_start) * trace.jobs[p.job].gpus;
      steps_done[p.job] += p.steps;
      if (static_cast<double>(trace.jobs[p.job].total_steps) - steps_done[p.job] <= 0) {
        done[p.job] = 1;
        active[p.job] = 0;
        jct_sum += p.finish - trace.extras[p.job].arrival_seconds;
        ++finished;
        --remaining;
        need_update = true;
      }
    }
    running.clear();
    // 3. Admit arrivals.
    while (next_arrival < n && trace.extras[next_arrival].arrival_seconds <= now) {
      active[next_arrival++] = 1;
      need_update = true;
    }
    // 4. Allocation, rate-limited.
    const bool gap_passed = now - last_reset >= o.reset_gap_s;
    const bool never = !have_reset || (o.zero_time_quirk && last_reset == 0);
    if (need_update && (gap_passed || never)) {
      last_reset = now;
      have_reset = true;
      need_update = false;
      std::fill(alloc.begin(), alloc.end(), -1);
      std::vector<int> free;
      for (const auto& [t, c] : cluster) free.push_back(c);
      for (size_t j = 0; j < n; ++j) {
        if (!active[j]) continue;
        int best = -1;
        double best_thr = -1;
        for (size_t t = 0; t < types.size(); ++t) {
          if (free[t] < trace.jobs[j].gpus) continue;
          if (thr[j][t] > best_thr) {
            best_thr = thr[j][t];
            best = static_cast<int>(t);
          }
        }
        if (best < 0) break;
        alloc[j] = best;
        free[static_cast<size_t>(best)] -= trace.jobs[j].gpus;
      }
    }
    // 5. Run the allocated jobs for a round.
    for (size_t j = 0; j < n; ++j) {
      if (!active[j] || alloc[j] < 0) continue;
      const double r = thr[j][static_cast<size_t>(alloc[j])];
      if (r <= 0) continue;
      double steps = r * o.round_s;
      if (o.integer_steps) steps = std::floor(steps);
      steps = std::min(steps, static_cast<double>(trace.jobs[j].total_steps) - steps_done[j]);
      running.push_back({j, now + steps / r, steps});
    }
    if (running.empty() && next_arrival >= n && remaining > 0 && !need_update) break;  // stuck
  }
  ReferenceFigures f;
  f.finished = finished;
  f.avg_jct_s = finished > 0 ? jct_sum / finished : 0;
  f.makespan_s = now;
  f.utilisation = total_gpus > 0 && now > 0 ? busy / total_gpus / now : 0;
  return f;
}

}  // namespace rigshift::gavel_test
