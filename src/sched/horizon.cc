#include "sched/horizon.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sched/lp.h"
#include "sched/rigshift.h"
#include "sched/round.h"

namespace rigshift::sched {
namespace {

using internal::LpProblem;
using internal::Round;

// Penalty per watt of ramp slack per hour (USD): far above any margin, so slack is a last resort.
constexpr double kRampSlackPenalty = 10.0;

class HorizonPolicy final : public Policy {
 public:
  explicit HorizonPolicy(const PolicyOptions& options) : options_(options) {}
  std::string_view name() const override { return "horizon"; }

  Plan Decide(const PolicyInput& in, Rng& /*rng*/) const override {
    Round round(in, options_);
    const FleetIndex& ix = round.index();
    const auto& classes = ix.classes();
    const auto H = static_cast<size_t>(round.forecast_hours());
    const size_t C = classes.size();
    const fleet::FlatFleet& flat = round.flat();

    // Devices up per class, running GPUs per class and their expected end (hours from now).
    std::vector<int64_t> up(C, 0), running_gpus(C, 0);
    for (size_t d = 0; d < flat.device_count(); ++d) {
      if (round.device_up(static_cast<int32_t>(d))) ++up[static_cast<size_t>(ix.device_class(d))];
    }
    // AI demand per class and hour, and in all.
    std::vector<std::vector<double>> demand_c(C, std::vector<double>(H, 0.0));
    std::vector<double> demand(H, 0.0);
    std::vector<double> best_price(C, 0.0);  // USD per GPU-hour of the best-paying job that fits
    for (const RunningJob& rj : in.running) {
      const auto c = static_cast<size_t>(ix.device_class(static_cast<size_t>(rj.devices.front())));
      running_gpus[c] += static_cast<int64_t>(rj.devices.size());
      const double secs =
          round.ExpectedSeconds(*rj.job, rj.remaining_work, static_cast<int32_t>(c));
      const double end_h = std::ceil(std::min(secs, 1e9) / kHour);
      for (size_t h = 0; h < H && static_cast<double>(h) < end_h; ++h) {
        demand_c[c][h] += static_cast<double>(rj.devices.size());
        demand[h] += static_cast<double>(rj.devices.size());
      }
      best_price[c] =
          std::max(best_price[c], ToUsdPerGpuHour(round.PriceOn(*rj.job, static_cast<int32_t>(c))));
    }
    for (const QueuedJob& q : in.queue) {
      const internal::Shape& shape = round.ShapeOf(*q.job);
      if (!shape.runs_anywhere) continue;
      for (size_t c = 0; c < C; ++c) {
        if (!(shape.fit[c].rate > 0)) continue;
        for (size_t h = 0; h < H; ++h) demand_c[c][h] += shape.gpus;
        best_price[c] = std::max(best_price[c],
                                 ToUsdPerGpuHour(round.PriceOn(*q.job, static_cast<int32_t>(c))));
      }
      for (size_t h = 0; h < H; ++h) demand[h] += shape.gpus;
    }

    LpProblem lp;
    constexpr double kInf = LpProblem::kInf;
    std::vector<int> m_col(C * H, -1), a_col(C * H, -1), n_col(C * H, -1);
    for (size_t c = 0; c < C; ++c) {
      const internal::ClassEcon& e = round.econ(static_cast<int32_t>(c));
      if (up[c] == 0) continue;
      const double host_w = ToWatts(classes[c].host_power);
      for (size_t h = 0; h < H; ++h) {
        const auto hi = static_cast<int>(h);
        if (e.can_mine) {
          // MineMarginAtHour and AiCostAtHour include the host share; here the host is paid
          // through n (nodes on), so the share is added back.
          const double margin = ToUsd(round.MineMarginAtHour(static_cast<int32_t>(c), hi)) +
                                HostShareCost(round, static_cast<int32_t>(c), hi);
          m_col[c * H + h] = lp.AddColumn(0, static_cast<double>(up[c]), margin);
        }
        if (demand_c[c][h] > 0) {
          const double ai_cost = ToUsd(round.AiCostAtHour(static_cast<int32_t>(c), hi)) -
                                 HostShareCost(round, static_cast<int32_t>(c), hi);
          a_col[c * H + h] =
              lp.AddColumn(0, std::min<double>(static_cast<double>(up[c]), demand_c[c][h]),
                           best_price[c] - ai_cost);
        }
        if (host_w > 0) {
          n_col[c * H + h] = lp.AddColumn(0, static_cast<double>(classes[c].slots.size()),
                                          -HostCost(round, static_cast<int32_t>(c), hi));
        }
      }
    }
    for (size_t c = 0; c < C; ++c) {
      if (up[c] == 0) continue;
      for (size_t h = 0; h < H; ++h) {
        const int mc = m_col[c * H + h], ac = a_col[c * H + h], nc = n_col[c * H + h];
        const int cap = lp.AddRow(-kInf, static_cast<double>(up[c]));
        if (mc >= 0) lp.Set(cap, mc, 1);
        if (ac >= 0) lp.Set(cap, ac, 1);
        if (nc >= 0) {
          const int host = lp.AddRow(-kInf, 0);
          if (mc >= 0) lp.Set(host, mc, 1);
          if (ac >= 0) lp.Set(host, ac, 1);
          lp.Set(host, nc, -static_cast<double>(std::max(1, classes[c].max_slot_size)));
        }
      }
    }
    for (size_t h = 0; h < H; ++h) {
      const int all = lp.AddRow(-kInf, demand[h]);
      for (size_t c = 0; c < C; ++c) {
        if (a_col[c * H + h] >= 0) lp.Set(all, a_col[c * H + h], 1);
      }
    }
    // Envelope and ramp per site and hour (IT watts).
    for (int32_t s = 0; s < round.site_count(); ++s) {
      const double it_cap = ToWatts(round.site_it_cap(s));
      const int64_t pue = std::max<int64_t>(in.fleet->sites[static_cast<size_t>(s)].pue_milli, 1);
      const double ramp = options_.ramp_limit_permille_per_hour > 0
                              ? ToWatts(in.fleet->sites[static_cast<size_t>(s)].grid_cap) *
                                    static_cast<double>(options_.ramp_limit_permille_per_hour) /
                                    1000.0 * 1000.0 / static_cast<double>(pue)
                              : -1.0;
      const double current = ToWatts(round.CurrentSiteIt(s));
      for (size_t h = 0; h < H; ++h) {
        // Power of hour h as a row expression; used in the cap row and in ramp rows.
        auto add_power = [&](int row, double sign) {
          for (int32_t c : ix.site_classes(static_cast<size_t>(s))) {
            const auto cu = static_cast<size_t>(c);
            const internal::ClassEcon& e = round.econ(c);
            if (m_col[cu * H + h] >= 0)
              lp.Set(row, m_col[cu * H + h], sign * ToWatts(e.mine_power));
            if (a_col[cu * H + h] >= 0) lp.Set(row, a_col[cu * H + h], sign * ToWatts(e.ai_power));
            if (n_col[cu * H + h] >= 0)
              lp.Set(row, n_col[cu * H + h], sign * ToWatts(classes[cu].host_power));
          }
        };
        add_power(lp.AddRow(-kInf, it_cap), 1.0);
        if (ramp < 0) continue;
        // |P_h - P_{h-1}| <= ramp, with penalised slack.
        const int up_row = lp.AddRow(-kInf, h == 0 ? ramp + current : ramp);
        const int down_row = lp.AddRow(h == 0 ? current - ramp : -ramp, kInf);
        add_power(up_row, 1.0);
        add_power(down_row, 1.0);
        if (h > 0) {
          // Subtract hour h-1's power.
          for (int32_t c : ix.site_classes(static_cast<size_t>(s))) {
            const auto cu = static_cast<size_t>(c);
            const internal::ClassEcon& e = round.econ(c);
            const size_t k = cu * H + h - 1;
            for (int row : {up_row, down_row}) {
              if (m_col[k] >= 0) lp.Set(row, m_col[k], -ToWatts(e.mine_power));
              if (a_col[k] >= 0) lp.Set(row, a_col[k], -ToWatts(e.ai_power));
              if (n_col[k] >= 0) lp.Set(row, n_col[k], -ToWatts(classes[cu].host_power));
            }
          }
        }
        const int slack_up = lp.AddColumn(0, kInf, -kRampSlackPenalty);
        const int slack_down = lp.AddColumn(0, kInf, -kRampSlackPenalty);
        lp.Set(up_row, slack_up, -1.0);
        lp.Set(down_row, slack_down, 1.0);
      }
    }
    auto sol = lp.Solve(/*integer=*/false, 10'000);
    if (!sol.ok()) {
      const uint32_t why = round.SharedReason("horizon LP failed (" + sol.status().message() +
                                              "): rigshift decides");
      internal::RigshiftAi(round, nullptr);
      internal::RigshiftMining(round);
      Plan plan = round.Finish();
      plan.waits.push_back({-1, -1, why});
      return plan;
    }
    std::vector<int64_t> ai_budget(static_cast<size_t>(round.site_count()), 0), mine_limit(C, 0);
    for (size_t c = 0; c < C; ++c) {
      const double a0 = a_col[c * H] >= 0 ? sol->x[static_cast<size_t>(a_col[c * H])] : 0.0;
      const double m0 = m_col[c * H] >= 0 ? sol->x[static_cast<size_t>(m_col[c * H])] : 0.0;
      ai_budget[static_cast<size_t>(classes[c].site)] +=
          std::max(running_gpus[c], static_cast<int64_t>(std::floor(a0 + 1e-6)));
      mine_limit[c] = static_cast<int64_t>(std::floor(m0 + 1e-6));
    }
    internal::RigshiftAi(round, &ai_budget);
    // GPUs the LP planned for AI that no job took (rigshift declined or no gang fit) may mine.
    std::vector<int64_t> ai_now(C, 0);
    for (size_t d = 0; d < flat.device_count(); ++d) {
      if (round.plan().mode[d] == econ::Mode::kAi)
        ++ai_now[static_cast<size_t>(ix.device_class(d))];
    }
    for (size_t c = 0; c < C; ++c) {
      const double a0 = a_col[c * H] >= 0 ? sol->x[static_cast<size_t>(a_col[c * H])] : 0.0;
      mine_limit[c] +=
          std::max<int64_t>(0, static_cast<int64_t>(std::floor(a0 + 1e-6)) - ai_now[c]);
    }
    std::vector<int64_t> limit_reason(C, -1);
    round.FillMining(
        [&](int32_t cls) -> std::optional<uint32_t> {
          const internal::ClassEcon& e = round.econ(cls);
          if (e.can_mine && e.mine_margin_h().raw() > 0 &&
              mine_limit[static_cast<size_t>(cls)] > 0) {
            return round.MineReason(cls);
          }
          return std::nullopt;
        },
        [&](int32_t cls) {
          const internal::ClassEcon& e = round.econ(cls);
          if (!e.can_mine) return round.NoMiningReason(cls);
          if (e.mine_margin_h().raw() <= 0) return round.UnprofitableReason(cls);
          return LimitReason(round, cls, mine_limit, up, &limit_reason);
        },
        &mine_limit,
        [&](int32_t cls) { return LimitReason(round, cls, mine_limit, up, &limit_reason); });
    return round.Finish();
  }

 private:
  static double HostCost(Round& round, int32_t cls, int hour) {
    // Host energy of one node for one hour at the forecast price (USD).
    const internal::ClassEcon& e = round.econ(cls);
    const double share_w = ToWatts(e.host_share);
    if (share_w <= 0) return 0.0;
    // Host share cost per device-hour x devices per node = host cost per node-hour.
    return HostShareCost(round, cls, hour) *
           static_cast<double>(round.index().classes()[static_cast<size_t>(cls)].node_device_count);
  }
  // Cost of one device's host share for one hour at the forecast price (USD).
  static double HostShareCost(Round& round, int32_t cls, int hour) {
    const internal::ClassEcon& e = round.econ(cls);
    if (e.host_share.raw() <= 0) return 0.0;
    const int32_t site = round.index().classes()[static_cast<size_t>(cls)].site;
    econ::SitePrices p;
    p.energy = round.EnergyPriceAtHour(site, hour);
    p.pue_milli = round.in().fleet->sites[static_cast<size_t>(site)].pue_milli;
    return ToUsd(econ::EnergyCost(e.host_share, kHour, p));
  }
  static uint32_t LimitReason(Round& round, int32_t cls, const std::vector<int64_t>& limit,
                              const std::vector<int64_t>& up, std::vector<int64_t>* cache) {
    int64_t& r = (*cache)[static_cast<size_t>(cls)];
    if (r < 0) {
      r = round.plan().AddReason(
          "horizon: the " + std::to_string(round.forecast_hours()) + " h plan mines " +
          std::to_string(limit[static_cast<size_t>(cls)]) + " of " +
          std::to_string(up[static_cast<size_t>(cls)]) + " " + round.ClassLabel(cls) +
          " now (price ahead, ramp limit or envelope): off");
    }
    return static_cast<uint32_t>(r);
  }

  PolicyOptions options_;
};

}  // namespace

std::unique_ptr<Policy> MakeHorizonPolicy(const PolicyOptions& options) {
  return std::make_unique<HorizonPolicy>(options);
}

}  // namespace rigshift::sched
