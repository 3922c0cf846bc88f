#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "assess/render.h"

namespace rigshift::assess {
namespace {

// A plain-text table: right-aligned numbers, left-aligned text, cells cut to `max_width`.
class Table {
 public:
  explicit Table(std::vector<std::string> header, std::string right_aligned = "")
      : header_(std::move(header)), right_(std::move(right_aligned)) {}
  void Row(std::vector<std::string> r) { rows_.push_back(std::move(r)); }
  void SetMaxWidth(size_t col, size_t w) { max_[col] = w; }
  std::string Render(const std::string& indent = "  ") const {
    std::vector<size_t> w(header_.size(), 0);
    auto cut = [&](size_t c, const std::string& s) {
      auto it = max_.find(c);
      if (it == max_.end() || s.size() <= it->second) return s;
      return s.substr(0, it->second - 1) + "~";
    };
    for (size_t c = 0; c < header_.size(); ++c) w[c] = cut(c, header_[c]).size();
    for (const auto& r : rows_) {
      for (size_t c = 0; c < r.size() && c < w.size(); ++c)
        w[c] = std::max(w[c], cut(c, r[c]).size());
    }
    std::ostringstream out;
    auto line = [&](const std::vector<std::string>& r) {
      std::string s = indent;
      for (size_t c = 0; c < w.size(); ++c) {
        std::string cell = c < r.size() ? cut(c, r[c]) : "";
        bool right = c < right_.size() && right_[c] == 'r';
        std::string pad(w[c] - cell.size(), ' ');
        s += right ? pad + cell : cell + pad;
        if (c + 1 < w.size()) s += "  ";
      }
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out << s << "\n";
    };
    line(header_);
    std::string rule = indent;
    for (size_t c = 0; c < w.size(); ++c)
      rule += std::string(w[c], '-') + (c + 1 < w.size() ? "  " : "");
    out << rule << "\n";
    for (const auto& r : rows_) line(r);
    return out.str();
  }

 private:
  std::vector<std::string> header_;
  std::string right_;
  std::vector<std::vector<std::string>> rows_;
  std::map<size_t, size_t> max_;
};

std::string Wrap(const std::string& text, size_t width, const std::string& indent,
                 const std::string& first_indent) {
  std::istringstream words(text);
  std::string word, line = first_indent, out;
  bool empty = true;
  while (words >> word) {
    if (!empty && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = indent;
      empty = true;
    }
    line += (empty ? "" : " ") + word;
    empty = false;
  }
  if (!empty) out += line + "\n";
  return out;
}

std::string Payback(const StrategyResult& r) {
  const std::optional<double>& m = r.payback_months;
  if (r.capex.IsZero()) return "-";
  if (!m) return "never";
  return FormatFixed(std::ceil(*m), 0) + " mo";
}

std::string Heading(const std::string& s) { return "\n" + s + "\n"; }

// Table money: "5.16M", "-22.4M", "519k", "812" (the header says USD).
std::string M(Money m) {
  const double v = ToUsd(m), a = std::fabs(v);
  if (a >= 1e9) return FormatFixed(v / 1e9, 2) + "B";
  if (a >= 1e8) return FormatFixed(v / 1e6, 0) + "M";
  if (a >= 1e6) return FormatFixed(v / 1e6, 2) + "M";
  if (a >= 1e4) return FormatFixed(v / 1e3, 0) + "k";
  return FormatFixed(v, 0);
}

std::string Annualised(Money window_margin, const Assessment& a) {
  const double hours = static_cast<double>(a.to - a.from) / 3600.0;
  if (hours <= 0) return "-";
  return M(
      MicroUsd(static_cast<int64_t>(static_cast<double>(window_margin.raw()) * 8760.0 / hours)));
}

const char* ShortClass(AiClass c) {
  switch (c) {
    case AiClass::kNotSuitable:
      return "no";
    case AiClass::kInferenceAfterUpgrade:
      return "needs host";
    case AiClass::kInferenceReady:
      return "inference";
    case AiClass::kTrainingCapable:
      return "training";
  }
  return "?";
}

std::string HostShape(const DeviceGroupAssessment& g) {
  if (g.kind == catalog::DeviceKind::kAsic) return "-";
  return "x" + std::to_string(g.pcie_lanes) + (g.nvlink ? "+NVLink" : "") + ", " +
         std::to_string(g.host_cpu_cores) + "c, " + FormatFixed(g.host_ram_gb, 0) + " GB";
}

}  // namespace

std::string RenderText(const Assessment& a) {
  std::ostringstream out;
  const AssessOptions& o = a.options;
  out << "rigshift assess: " << a.fleet_name << "\n";
  out << Wrap("Window " + FormatDate(a.from) + " .. " + FormatDate(a.to) + " (" +
                  FormatCount((a.to - a.from) / 3600) + " h); NPV over " +
                  std::to_string(o.horizon_months) + " months at " +
                  FormatFixed(o.discount_rate * 100, 0) + " %/yr; AI utilisation " +
                  FormatFixed(static_cast<double>(o.ai_utilisation_permille) / 10.0, 0) + " %.",
              100, "  ", "");
  if (!a.market_description.empty()) out << Wrap("Markets: " + a.market_description, 100, "  ", "");

  out << Heading("RECOMMENDATION");
  for (const auto& s : a.sites) out << Wrap(s.recommendation, 100, "    ", "  ");
  {
    const Money keep = a.fleet[0].npv;
    out << Wrap("Fleet: NPV of the recommended mix " + FormatMoneyShort(a.recommended_npv) +
                    " vs " + FormatMoneyShort(keep) + " for keeping every site mining.",
                100, "    ", "  ");
  }

  out << Heading("MONEY, USD (window totals; NPV and payback over the horizon)");
  {
    Table t({"site", "strategy", "mining", "AI", "energy", "opex", "capex", "margin/yr", "NPV",
             "payback"},
            "llrrrrrrrr");
    t.SetMaxWidth(0, 14);
    auto add = [&](const std::string& site, const StrategyResult& r, bool rec) {
      t.Row({site, std::string(StrategyName(r.strategy)) + (rec ? " *" : ""), M(r.revenue_mining),
             M(r.revenue_ai), M(r.energy_cost), M(r.opex), M(r.capex), Annualised(r.margin, a),
             M(r.npv), Payback(r)});
    };
    for (const auto& s : a.sites) {
      for (const auto& r : s.strategies) add(s.id, r, r.strategy == s.recommended);
    }
    if (a.sites.size() > 1) {
      for (const auto& r : a.fleet) add("FLEET", r, false);
    }
    out << t.Render();
    out << "  * recommended. Energy includes adders and demand charges.\n";
  }

  if (!a.outlook.scenarios.empty()) {
    out << Heading("MINING OUTLOOK (fleet NPV over the horizon by BTC price scenario, USD)");
    out << Wrap(OutlookSummary(a), 100, "  ", "  ");
    Table t({"scenario", "BTC price", "USD/TH/d at end", "keep-mining", "convert", "hybrid",
             "best"},
            "llrrrrl");
    for (const auto& s : a.outlook.scenarios) {
      const double end = s.hashprice_usd_per_ths_day.empty() ? 0.0
                                                             : s.hashprice_usd_per_ths_day.back();
      t.Row({market::PriceScenarioName(s.scenario), ScenarioPriceAssumption(a, s),
             FormatFixed(end, 4), M(s.npv[0]), M(s.npv[1]), M(s.npv[2]),
             StrategyName(s.best)});
    }
    out << t.Render();
  }

  out << Heading("BREAK-EVEN");
  for (const auto& s : a.sites) {
    std::string line = s.id + ": ";
    if (s.break_even_gpu_hour) {
      line += "convert matches keep-mining at " + FormatFixed(s.break_even_price_scale, 2) +
              "x today's GPU-hour prices, i.e. " +
              FormatFixed(ToUsdPerGpuHour(*s.break_even_gpu_hour), 2) + " USD/GPU-hour for " +
              s.break_even_gpu;
      for (int64_t gi : s.groups) {
        const auto& g = a.groups[static_cast<size_t>(gi)];
        if (g.gpu != nullptr && g.gpu->name == s.break_even_gpu) {
          line += " (table price " + FormatFixed(ToUsdPerGpuHour(g.gpu_hour_price), 2) + ")";
          break;
        }
      }
      line += ". ";
    } else {
      line += "nothing to convert. ";
    }
    if (s.mining_break_even_usd_per_mwh != 0) {
      line += "ASIC mining loses money above " + FormatFixed(s.mining_break_even_usd_per_mwh, 0) +
              " USD/MWh market price at the window's mean hashprice; the mean price paid was " +
              FormatFixed(s.mean_price_usd_per_mwh, 1) + " USD/MWh.";
    } else {
      line += "Mean price paid " + FormatFixed(s.mean_price_usd_per_mwh, 1) + " USD/MWh.";
    }
    out << Wrap(line, 100, "    ", "  ");
  }

  if (!a.sensitivity.empty()) {
    out << Heading("SENSITIVITY (fleet NPV, USD)");
    Table t({"scenario", "keep-mining", "convert", "hybrid", "best"}, "lrrrl");
    for (const auto& r : a.sensitivity) {
      t.Row({r.scenario, M(r.npv[0]), M(r.npv[1]), M(r.npv[2]), StrategyName(r.best)});
    }
    out << t.Render();
  }

  out << Heading("AI SUITABILITY (device groups)");
  {
    Table t({"site", "devices", "model", "host", "now", "upgraded", "USD/GPU-h"}, "lrllllr");
    t.SetMaxWidth(0, 12);
    t.SetMaxWidth(2, 22);
    t.SetMaxWidth(3, 22);
    for (const auto& g : a.groups) {
      t.Row({a.sites[static_cast<size_t>(g.site)].id, FormatCount(g.devices), g.model, HostShape(g),
             ShortClass(g.now), ShortClass(g.after_upgrade),
             g.gpu ? FormatFixed(ToUsdPerGpuHour(g.gpu_hour_price), 2) : "-"});
    }
    out << t.Render();
    out << "  Classes: training = training-capable; inference = inference-ready; needs host = "
           "inference after a\n  host upgrade; no = not suitable. Reasons:\n";
    std::set<std::string> said;
    for (const auto& g : a.groups) {
      std::string key = g.model + "|" + HostShape(g);
      if (!said.insert(key).second || g.reasons.empty()) continue;
      std::string text = g.model + " (" + HostShape(g) + "): ";
      for (size_t i = 0; i < g.reasons.size(); ++i) text += (i ? "; " : "") + g.reasons[i];
      out << Wrap(text, 100, "      ", "  - ");
    }
  }

  bool any_ai_gpu = false;
  for (const auto& g : a.groups)
    any_ai_gpu |= g.gpu != nullptr && g.after_upgrade != AiClass::kNotSuitable;
  if (any_ai_gpu) {
    out << Heading(
        "OPEN LLMs THAT FIT (after the upgrade; fewest GPUs, then highest precision; per replica)");
    {
      std::set<std::string> done;
      for (const auto& g : a.groups) {
        if (g.gpu == nullptr || g.after_upgrade == AiClass::kNotSuitable ||
            !done.insert(g.model).second)
          continue;
        out << "  " << g.model << " (" << FormatFixed(g.gpu->memory_gb, 0) << " GB, "
            << FormatFixed(g.gpu->memory_bandwidth_gbs, 0) << " GB/s; link now "
            << FormatFixed(g.link_gbs, 2) << " GB/s, after " << FormatFixed(g.link_gbs_upgraded, 1)
            << " GB/s)\n";
        Table t({"model", "prec", "GPUs", "tok/s b1", "tok/s batch", "prefill", "load now",
                 "load after"},
                "llrrrrrr");
        // Per LLM: the fit on the fewest GPUs, then the highest precision.
        std::map<std::string, const LlmFit*> best;
        std::vector<std::string> order;
        for (const auto& f : g.llm) {
          if (f.gpus == 0) continue;
          auto it = best.find(f.model);
          if (it == best.end()) {
            best[f.model] = &f;
            order.push_back(f.model);
          } else if (f.gpus < it->second->gpus) {
            it->second = &f;
          }
        }
        for (const auto& name : order) {
          const LlmFit& f = *best[name];
          t.Row({f.model, PrecisionName(f.precision), std::to_string(f.gpus),
                 FormatFixed(f.tokens_per_s_batch1, 0),
                 FormatFixed(f.tokens_per_s_batched, 0) + " (b" + std::to_string(f.batch) + ")",
                 f.prefill_tokens_per_s > 0 ? FormatFixed(f.prefill_tokens_per_s, 0) : "-",
                 f.gpus_now > 0
                     ? FormatFixed(f.load_seconds_now, f.load_seconds_now < 10 ? 1 : 0) + " s"
                     : "no TP",
                 FormatFixed(f.load_seconds, 1) + " s"});
        }
        if (order.empty()) {
          out << "    none of the listed models fits\n";
        } else {
          out << t.Render("    ");
        }
      }
      out << Wrap(
          "Roofline: decode tokens/s = GPUs x bandwidth x " +
              FormatFixed(static_cast<double>(o.bandwidth_efficiency_permille) / 10.0, 0) +
              " % / bytes read per token (weights + KV of a " + std::to_string(o.context_tokens) +
              "-token context, half read on average); int4 = 4.5 bits/weight; 'no TP' = needs "
              "tensor parallelism the x1 risers cannot give.",
          100, "    ", "  ");
    }

    out << Heading("TRAINING JOBS (per GPU model, after the upgrade)");
    {
      std::set<std::string> done;
      for (const auto& g : a.groups) {
        if (g.gpu == nullptr || g.after_upgrade == AiClass::kNotSuitable ||
            !done.insert(g.model).second)
          continue;
        std::string jobs;
        for (size_t i = 0; i < g.training.jobs.size(); ++i)
          jobs += (i ? "; " : "") + g.training.jobs[i];
        out << Wrap(g.model + ": " + jobs, 100, "      ", "  ");
      }
    }

  }  // any_ai_gpu

  out << Heading("UPGRADE PLAN (what convert buys; hybrid buys the subset it uses)");
  for (const auto& s : a.sites) {
    out << Wrap(s.id + ": " + FormatCount(s.convert_plan.ai_gpus) + " AI GPUs" +
                    (s.convert_plan.refit_servers > 0
                         ? " in " + FormatCount(s.convert_plan.refit_servers) + " new servers"
                         : std::string()) +
                    ", capex " + FormatMoneyShort(s.convert_plan.capex) + ", opex " +
                    FormatMoneyShort(s.convert_plan.monthly_opex) + "/month; hybrid capex " +
                    FormatMoneyShort(s.hybrid_plan.capex),
                100, "    ", "  ");
    if (s.convert_plan.items.empty()) continue;
    Table t({"item", "qty", "unit", "total"}, "lrrr");
    t.SetMaxWidth(0, 62);
    for (const auto& i : s.convert_plan.items) {
      t.Row({i.item, FormatCount(i.quantity), FormatMoneyShort(i.unit_cost),
             FormatMoneyShort(i.Total())});
    }
    out << t.Render("    ");
    for (const auto& n : s.convert_plan.notes) out << Wrap(n, 100, "      ", "    - ");
  }

  out << Heading("POWER ENVELOPE");
  {
    Table t({"site", "grid cap", "PUE", "IT cap", "cooling", "nameplate IT", "binds", "headroom"},
            "lrrrrrlr");
    for (const auto& s : a.sites) {
      const auto& e = s.envelope;
      t.Row({s.id, FormatPower(e.grid_cap),
             FormatFixed(static_cast<double>(e.pue_milli) / 1000.0, 2), FormatPower(e.it_cap),
             FormatPower(e.cooling_limit), FormatPower(e.nameplate_it),
             econ::EnvelopeLimitName(e.binding), FormatPower(e.Headroom())});
    }
    out << t.Render();
  }

  if (!a.warnings.empty()) {
    out << Heading("WARNINGS");
    for (const auto& w : a.warnings) out << Wrap(w, 100, "    ", "  - ");
  }
  return out.str();
}

}  // namespace rigshift::assess
