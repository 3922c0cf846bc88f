#include "sim/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace rigshift::sim {

namespace {

using Json = nlohmann::ordered_json;

// Fixed formatting: numbers rounded to a fixed number of decimals so that JSON is stable.
double Round(double v, int decimals) {
  if (!std::isfinite(v)) return 0;
  double f = std::pow(10.0, decimals);
  double r = std::round(v * f) / f;
  return r == 0 ? 0.0 : r;  // no "-0"
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// "12,345,678"
std::string Grouped(double v, int decimals = 0) {
  std::string s = Fixed(std::fabs(v), decimals);
  size_t dot = s.find('.');
  std::string ip = s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot);
  std::string out;
  for (size_t i = 0; i < ip.size(); ++i) {
    if (i > 0 && (ip.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(ip[i]);
  }
  return (v < 0 && Round(v, decimals) != 0 ? "-" : "") + out + frac;
}

std::string Escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o.push_back(c);
    }
  }
  return o;
}

Json MoneyJson(const MoneyTotals& t) {
  Json j;
  j["net_margin_usd"] = Round(ToUsd(t.net_margin()), 2);
  j["ai_revenue_usd"] = Round(ToUsd(t.ai_revenue), 2);
  j["mining_revenue_usd"] = Round(ToUsd(t.mining_revenue), 2);
  j["dr_credits_usd"] = Round(ToUsd(t.dr_credits), 2);
  j["energy_cost_usd"] = Round(ToUsd(t.energy_cost), 2);
  j["energy_mwh"] = Round(ToMegawattHours(t.energy), 3);
  j["curtailed_mwh"] = Round(ToMegawattHours(t.curtailed_energy), 3);
  return j;
}

double Hours(double s) { return s / 3600.0; }

const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                          "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

struct Line {
  std::string name;
  std::vector<double> y;
  std::string colour;
  bool dashed = false;
};

// A line chart as inline SVG; x is the index of the point (one per series step).
std::string LineChart(const std::string& title, const std::string& unit,
                      const std::vector<std::string>& x_labels, const std::vector<Line>& lines) {
  // The legend sits below the x axis, five entries a row, so it never hides a line.
  const double legend_rows = static_cast<double>((lines.size() + 4) / 5);
  const double w = 860, l = 80, r = 20, t = 30, b = 40 + 16 * legend_rows;
  const double h = 270 + 16 * legend_rows;
  double lo = 0, hi = 0;
  size_t n = 0;
  for (const auto& line : lines) {
    for (double v : line.y) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    n = std::max(n, line.y.size());
  }
  if (hi - lo <= 0) hi = lo + 1;
  auto X = [&](size_t i) {
    return l + (w - l - r) * (n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 0.5);
  };
  auto Y = [&](double v) { return t + (h - t - b) * (1 - (v - lo) / (hi - lo)); };
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " << w << " " << h << "' width='" << w
    << "' height='" << h << "' role='img'><title>" << Escape(title) << "</title>";
  o << "<text x='" << l << "' y='18' font-size='14' font-weight='bold'>" << Escape(title)
    << "</text>";
  for (int k = 0; k <= 4; ++k) {
    double v = lo + (hi - lo) * k / 4.0;
    o << "<line x1='" << l << "' x2='" << w - r << "' y1='" << Fixed(Y(v), 1) << "' y2='"
      << Fixed(Y(v), 1) << "' stroke='#ddd'/><text x='" << l - 6 << "' y='" << Fixed(Y(v) + 4, 1)
      << "' font-size='11' text-anchor='end'>"
      << Escape(Grouped(v, std::fabs(hi - lo) < 10 ? 2 : 0)) << "</text>";
  }
  o << "<text x='12' y='" << Fixed((t + h - b) / 2, 1)
    << "' font-size='11' transform='rotate(-90 12 " << Fixed((t + h - b) / 2, 1)
    << ")' text-anchor='middle'>" << Escape(unit) << "</text>";
  if (n > 0 && !x_labels.empty()) {
    size_t ticks = std::min<size_t>(6, n);
    for (size_t k = 0; k < ticks; ++k) {
      size_t i = ticks > 1 ? k * (n - 1) / (ticks - 1) : 0;
      if (i >= x_labels.size()) continue;
      o << "<text x='" << Fixed(X(i), 1) << "' y='" << h - b + 16
        << "' font-size='11' text-anchor='" << (i + 1 == n && n > 1 ? "end" : "middle") << "'>"
        << Escape(x_labels[i]) << "</text>";
    }
  }
  int li = 0;
  for (const auto& line : lines) {
    o << "<polyline fill='none' stroke='" << line.colour << "' stroke-width='1.8'"
      << (line.dashed ? " stroke-dasharray='6 4'" : "") << " points='";
    for (size_t i = 0; i < line.y.size(); ++i)
      o << Fixed(X(i), 1) << "," << Fixed(Y(line.y[i]), 1) << " ";
    o << "'/>";
    const double ly = h - b + 30 + 16 * static_cast<double>(li / 5);
    o << "<rect x='" << l + 150 * (li % 5) << "' y='" << Fixed(ly - 9, 1)
      << "' width='10' height='10' fill='" << line.colour << "'/><text x='"
      << l + 14 + 150 * (li % 5) << "' y='" << Fixed(ly, 1) << "' font-size='11'>"
      << Escape(line.name) << "</text>";
    ++li;
  }
  o << "</svg>";
  return o.str();
}

// Stacked shares (0..1) per step, one layer per mode.
std::string StackedChart(const std::string& title, const std::vector<std::string>& x_labels,
                         const std::vector<std::array<double, kModeCount>>& shares) {
  const double w = 860, h = 220, l = 80, r = 20, t = 30, b = 40;
  const char* names[kModeCount] = {"off", "idle", "mine", "ai"};
  const char* colours[kModeCount] = {"#bbbbbb", "#ffd27f", "#f0a030", "#1f77b4"};
  size_t n = shares.size();
  auto X = [&](size_t i) {
    return l + (w - l - r) * (n > 1 ? static_cast<double>(i) / static_cast<double>(n - 1) : 0.5);
  };
  auto Y = [&](double v) { return t + (h - t - b) * (1 - v); };
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " << w << " " << h << "' width='" << w
    << "' height='" << h << "' role='img'><title>" << Escape(title) << "</title>";
  o << "<text x='" << l << "' y='18' font-size='14' font-weight='bold'>" << Escape(title)
    << "</text>";
  std::vector<double> base(n, 0.0);
  for (int m = kModeCount - 1; m >= 0; --m) {
    if (n == 0) break;
    std::ostringstream pts;
    for (size_t i = 0; i < n; ++i)
      pts << Fixed(X(i), 1) << "," << Fixed(Y(base[i] + shares[i][static_cast<size_t>(m)]), 1)
          << " ";
    for (size_t i = n; i-- > 0;) pts << Fixed(X(i), 1) << "," << Fixed(Y(base[i]), 1) << " ";
    o << "<polygon fill='" << colours[m] << "' stroke='none' points='" << pts.str() << "'/>";
    for (size_t i = 0; i < n; ++i) base[i] += shares[i][static_cast<size_t>(m)];
  }
  for (int k = 0; k <= 4; ++k) {
    o << "<text x='" << l - 6 << "' y='" << Fixed(Y(k / 4.0) + 4, 1)
      << "' font-size='11' text-anchor='end'>" << k * 25 << "%</text>";
  }
  if (n > 0) {
    size_t ticks = std::min<size_t>(6, n);
    for (size_t k = 0; k < ticks; ++k) {
      size_t i = ticks > 1 ? k * (n - 1) / (ticks - 1) : 0;
      if (i < x_labels.size()) {
        o << "<text x='" << Fixed(X(i), 1) << "' y='" << h - b + 16
          << "' font-size='11' text-anchor='" << (i + 1 == n && n > 1 ? "end" : "middle") << "'>"
          << Escape(x_labels[i]) << "</text>";
      }
    }
  }
  for (int m = 0; m < kModeCount; ++m) {
    o << "<rect x='" << l + 10 + 80 * m << "' y='" << h - 14 << "' width='10' height='10' fill='"
      << colours[m] << "'/><text x='" << l + 24 + 80 * m << "' y='" << h - 5 << "' font-size='11'>"
      << names[m] << "</text>";
  }
  o << "</svg>";
  return o.str();
}

}  // namespace

std::optional<double> FractionOfBound(const SimResult& r, const std::optional<BoundInfo>& bound) {
  if (!bound || bound->net_margin.raw() <= 0) return std::nullopt;
  return static_cast<double>(r.totals.net_margin().raw()) /
         static_cast<double>(bound->net_margin.raw());
}

std::vector<SeriesPoint> MonthlySeries(const std::vector<SeriesPoint>& series) {
  std::vector<SeriesPoint> out;
  for (const auto& p : series) {
    TimePoint m = StartOfMonth(p.start);
    if (out.empty() || out.back().start != m) {
      SeriesPoint s;
      s.start = m;
      out.push_back(s);
    }
    SeriesPoint& o = out.back();
    o.totals += p.totals;
    for (int k = 0; k < kModeCount; ++k)
      o.mode_device_seconds[static_cast<size_t>(k)] +=
          p.mode_device_seconds[static_cast<size_t>(k)];
    o.facility_energy += p.facility_energy;
    o.peak_facility_power = std::max(o.peak_facility_power, p.peak_facility_power);
    o.queue_job_seconds += p.queue_job_seconds;
    o.jobs_finished += p.jobs_finished;
  }
  return out;
}

std::string RenderJson(const SimReport& rep) {
  Json j;
  j["fleet"] = {{"name", rep.fleet_name},
                {"file", rep.fleet_file},
                {"devices", rep.devices},
                {"gpus", rep.gpus},
                {"asics", rep.asics}};
  j["window"] = {{"from", FormatTimestamp(rep.start)},
                 {"to", FormatTimestamp(rep.end)},
                 {"hours", Round(static_cast<double>(rep.end - rep.start) / 3600.0, 3)}};
  j["market"] = rep.market_description;
  j["jobs"] = {{"source", rep.jobs_description},
               {"in_window", rep.jobs_in_window},
               {"load", Round(rep.load, 6)},
               {"ordering", rep.ordering}};
  j["seed"] = rep.seed;
  if (!rep.price_knowledge.empty()) j["price_knowledge"] = rep.price_knowledge;
  if (rep.bound) {
    j["bound"] = {{"net_margin_usd", Round(ToUsd(rep.bound->net_margin), 2)},
                  {"method", rep.bound->method},
                  {"note", rep.bound->note},
                  {"ai_revenue_usd", Round(ToUsd(rep.bound->ai_revenue), 2)},
                  {"mining_margin_usd", Round(ToUsd(rep.bound->mining_margin), 2)},
                  {"ai_energy_usd", Round(ToUsd(rep.bound->ai_energy), 2)},
                  {"host_energy_usd", Round(ToUsd(rep.bound->host_energy), 2)},
                  {"ai_gpu_hours", Round(rep.bound->ai_gpu_hours, 1)}};
  } else {
    j["bound"] = nullptr;
  }
  Json policies = Json::array();
  for (const auto& r : rep.results) {
    Json p;
    p["policy"] = r.policy;
    p["money"] = MoneyJson(r.totals);
    auto frac = FractionOfBound(r, rep.bound);
    if (frac) {
      p["fraction_of_bound"] = Round(*frac, 4);
    } else {
      p["fraction_of_bound"] = nullptr;
    }
    const auto& jm = r.jobs;
    p["jobs"] = {{"arrived", jm.arrived},
                 {"finished", jm.finished},
                 {"unfinished", jm.unfinished},
                 {"never_started", jm.never_started},
                 {"unplaceable", jm.unplaceable},
                 {"avg_jct_h", Round(Hours(jm.avg_jct_s), 4)},
                 {"p50_jct_h", Round(Hours(jm.p50_jct_s), 4)},
                 {"p99_jct_h", Round(Hours(jm.p99_jct_s), 4)},
                 {"avg_queue_delay_h", Round(Hours(jm.avg_queue_delay_s), 4)},
                 {"p99_queue_delay_h", Round(Hours(jm.p99_queue_delay_s), 4)},
                 {"preemptions", jm.preemptions},
                 {"preemptions_refused", jm.preemptions_refused},
                 {"lost_work_gpu_hours", Round(jm.lost_work_gpu_hours, 3)},
                 {"slo_misses", jm.slo_misses},
                 {"makespan_h", Round(Hours(static_cast<double>(r.makespan())), 4)}};
    const Duration window = r.end - r.start;
    Json classes = Json::array();
    for (const auto& c : r.classes) {
      classes.push_back(
          {{"class", c.device_class},
           {"kind", c.kind},
           {"devices", c.devices},
           {"utilisation", Round(c.Utilisation(window), 4)},
           {"ai", Round(c.ModeShare(econ::Mode::kAi, window), 4)},
           {"mine", Round(c.ModeShare(econ::Mode::kMine, window), 4)},
           {"idle", Round(c.ModeShare(econ::Mode::kIdle, window), 4)},
           {"off", Round(c.ModeShare(econ::Mode::kOff, window), 4)},
           {"down", Round(c.devices > 0 && window > 0
                              ? static_cast<double>(c.down_seconds) /
                                    (static_cast<double>(c.devices) * static_cast<double>(window))
                              : 0.0,
                          4)}});
    }
    p["utilisation"] = {{"gpu_ai_share", Round(r.GpuUtilisation(), 4)}, {"classes", classes}};
    p["stats"] = {{"events", r.stats.events},
                  {"decisions", r.stats.decisions},
                  {"incremental_decisions", r.stats.incremental_decisions},
                  {"device_failures", r.stats.device_failures},
                  {"dr_events", r.stats.dr_events},
                  {"plan_errors", r.stats.plan_errors}};
    Json monthly = Json::array();
    for (const auto& m : MonthlySeries(r.series)) {
      Json mj = MoneyJson(m.totals);
      Json row;
      row["month"] = FormatDate(m.start).substr(0, 7);
      for (auto it = mj.begin(); it != mj.end(); ++it) row[it.key()] = it.value();
      monthly.push_back(row);
    }
    p["monthly"] = monthly;
    policies.push_back(p);
  }
  j["policies"] = policies;
  return j.dump(2) + "\n";
}

std::string RenderText(const SimReport& rep) {
  std::ostringstream o;
  o << "rigshift simulate: " << rep.fleet_name << " (" << rep.devices << " devices: " << rep.gpus
    << " GPUs, " << rep.asics << " ASICs)\n";
  o << "window " << FormatTimestamp(rep.start) << " .. " << FormatTimestamp(rep.end) << ", "
    << rep.jobs_in_window << " jobs (" << rep.jobs_description << ", load " << Fixed(rep.load, 2)
    << ", " << rep.ordering << "), seed " << rep.seed << "\n";
  o << "market: " << rep.market_description << "\n";
  if (!rep.price_knowledge.empty()) o << "prices the policies saw: " << rep.price_knowledge << "\n";
  o << "\n";
  struct Col {
    std::string head;
    std::vector<std::string> cells;
  };
  std::vector<Col> cols = {
      {"policy", {}},    {"net margin $", {}}, {"AI rev $", {}},  {"mining $", {}},
      {"DR $", {}},      {"energy $", {}},     {"MWh", {}},       {"curtailed MWh", {}},
      {"jobs done", {}}, {"avg JCT h", {}},    {"p99 JCT h", {}}, {"queue h", {}},
      {"preempt", {}},   {"SLO miss", {}},     {"GPU AI %", {}},  {"of bound", {}}};
  for (const auto& r : rep.results) {
    const auto& t = r.totals;
    const auto& jm = r.jobs;
    auto frac = FractionOfBound(r, rep.bound);
    std::vector<std::string> row = {r.policy,
                                    Grouped(ToUsd(t.net_margin())),
                                    Grouped(ToUsd(t.ai_revenue)),
                                    Grouped(ToUsd(t.mining_revenue)),
                                    Grouped(ToUsd(t.dr_credits)),
                                    Grouped(ToUsd(t.energy_cost)),
                                    Grouped(ToMegawattHours(t.energy), 1),
                                    Grouped(ToMegawattHours(t.curtailed_energy), 1),
                                    std::to_string(jm.finished) + "/" + std::to_string(jm.arrived),
                                    Fixed(Hours(jm.avg_jct_s), 2),
                                    Fixed(Hours(jm.p99_jct_s), 1),
                                    Fixed(Hours(jm.avg_queue_delay_s), 2),
                                    std::to_string(jm.preemptions),
                                    std::to_string(jm.slo_misses),
                                    Fixed(100.0 * r.GpuUtilisation(), 1),
                                    frac ? Fixed(*frac, 3) : "-"};
    for (size_t c = 0; c < cols.size(); ++c) cols[c].cells.push_back(row[c]);
  }
  std::vector<size_t> width(cols.size());
  for (size_t c = 0; c < cols.size(); ++c) {
    width[c] = cols[c].head.size();
    for (const auto& cell : cols[c].cells) width[c] = std::max(width[c], cell.size());
  }
  auto pad = [](const std::string& s, size_t w, bool left) {
    std::string sp(w > s.size() ? w - s.size() : 0, ' ');
    return left ? s + sp : sp + s;
  };
  for (size_t c = 0; c < cols.size(); ++c)
    o << (c ? "  " : "") << pad(cols[c].head, width[c], c == 0);
  o << "\n";
  for (size_t c = 0; c < cols.size(); ++c) o << (c ? "  " : "") << std::string(width[c], '-');
  o << "\n";
  for (size_t r = 0; r < rep.results.size(); ++r) {
    for (size_t c = 0; c < cols.size(); ++c)
      o << (c ? "  " : "") << pad(cols[c].cells[r], width[c], c == 0);
    o << "\n";
  }
  if (rep.bound) {
    o << "\nbound (" << rep.bound->method << "): net margin "
      << Grouped(ToUsd(rep.bound->net_margin)) << " $ = AI revenue "
      << Grouped(ToUsd(rep.bound->ai_revenue)) << " $ (" << Grouped(rep.bound->ai_gpu_hours)
      << " GPU-h) + mining margin " << Grouped(ToUsd(rep.bound->mining_margin))
      << " $ - AI energy " << Grouped(ToUsd(rep.bound->ai_energy)) << " $ - host energy "
      << Grouped(ToUsd(rep.bound->host_energy)) << " $"
      << (rep.bound->note.empty() ? "" : "; " + rep.bound->note) << "\n";
  }
  return o.str();
}

std::string RenderHtml(const SimReport& rep) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>rigshift simulate: "
    << Escape(rep.fleet_name)
    << "</title><style>body{font-family:sans-serif;margin:2em;max-width:920px}"
    << "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px "
       "6px;text-align:right}"
    << "td:first-child,th:first-child{text-align:left}h2{margin-top:1.6em}.note{color:#555;font-"
       "size:13px}</style>"
    << "</head><body>\n";
  o << "<h1>What each strategy would have earned</h1>\n<p class='note'>" << Escape(rep.fleet_name)
    << ": " << rep.devices << " devices (" << rep.gpus << " GPUs, " << rep.asics
    << " ASICs). Window " << FormatTimestamp(rep.start) << " .. " << FormatTimestamp(rep.end)
    << ". " << rep.jobs_in_window << " jobs from " << Escape(rep.jobs_description) << " (load "
    << Fixed(rep.load, 2) << ", " << Escape(rep.ordering)
    << "). Market: " << Escape(rep.market_description) << ". Seed " << rep.seed << "."
    << (rep.price_knowledge.empty() ? std::string()
                                    : " Prices the policies saw: " +
                                          Escape(rep.price_knowledge) + ".")
    << "</p>\n";
  // Summary table, best first.
  std::vector<size_t> order(rep.results.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return rep.results[a].totals.net_margin() > rep.results[b].totals.net_margin();
  });
  o << "<table><tr><th>policy</th><th>net margin $</th><th>AI revenue $</th><th>mining "
       "$</th><th>DR $</th>"
    << "<th>energy $</th><th>jobs done</th><th>avg JCT h</th><th>preemptions</th><th>GPU AI "
       "%</th><th>of bound</th></tr>\n";
  for (size_t i : order) {
    const auto& r = rep.results[i];
    auto frac = FractionOfBound(r, rep.bound);
    o << "<tr><td>" << Escape(r.policy) << "</td><td>" << Grouped(ToUsd(r.totals.net_margin()))
      << "</td><td>" << Grouped(ToUsd(r.totals.ai_revenue)) << "</td><td>"
      << Grouped(ToUsd(r.totals.mining_revenue)) << "</td><td>"
      << Grouped(ToUsd(r.totals.dr_credits)) << "</td><td>" << Grouped(ToUsd(r.totals.energy_cost))
      << "</td><td>" << r.jobs.finished << "/" << r.jobs.arrived << "</td><td>"
      << Fixed(Hours(r.jobs.avg_jct_s), 2) << "</td><td>" << r.jobs.preemptions << "</td><td>"
      << Fixed(100 * r.GpuUtilisation(), 1) << "</td><td>" << (frac ? Fixed(*frac, 3) : "-")
      << "</td></tr>\n";
  }
  o << "</table>\n";
  if (rep.bound) {
    o << "<p class='note'>Bound (" << Escape(rep.bound->method)
      << "): " << Grouped(ToUsd(rep.bound->net_margin)) << " $. " << Escape(rep.bound->note)
      << "</p>\n";
  }
  if (rep.results.empty()) {
    o << "</body></html>\n";
    return o.str();
  }
  std::vector<std::string> labels;
  for (const auto& p : rep.results.front().series) labels.push_back(FormatDate(p.start));
  // Cumulative margin.
  std::vector<Line> cum, power, queue;
  for (size_t i = 0; i < rep.results.size(); ++i) {
    const auto& r = rep.results[i];
    Line c{r.policy, {}, kColours[i % 10], false};
    Line pw{r.policy + " (mean)", {}, kColours[i % 10], false};
    Line pk{r.policy + " (peak)", {}, kColours[i % 10], true};
    Line q{r.policy, {}, kColours[i % 10], false};
    double acc = 0;
    for (const auto& p : r.series) {
      acc += ToUsd(p.totals.net_margin());
      c.y.push_back(acc);
      double span = 86400.0;
      pw.y.push_back(ToMegawattHours(p.facility_energy) / (span / 3600.0));
      pk.y.push_back(ToMegawatts(p.peak_facility_power));
      q.y.push_back(static_cast<double>(p.queue_job_seconds) / span);
    }
    cum.push_back(c);
    power.push_back(pw);
    power.push_back(pk);
    queue.push_back(q);
  }
  o << "<h2>Cumulative net margin</h2>\n"
    << LineChart("Cumulative net margin per policy", "USD", labels, cum) << "\n";
  o << "<h2>Device-mode mix over time</h2>\n";
  for (const auto& r : rep.results) {
    std::vector<std::array<double, kModeCount>> shares;
    for (const auto& p : r.series) {
      std::array<double, kModeCount> s{};
      double total = 0;
      for (int m = 0; m < kModeCount; ++m)
        total += static_cast<double>(p.mode_device_seconds[static_cast<size_t>(m)]);
      for (int m = 0; m < kModeCount; ++m) {
        s[static_cast<size_t>(m)] =
            total > 0 ? static_cast<double>(p.mode_device_seconds[static_cast<size_t>(m)]) / total
                      : 0;
      }
      shares.push_back(s);
    }
    o << StackedChart("Mode mix: " + r.policy, labels, shares) << "\n";
  }
  o << "<h2>Power envelope</h2>\n"
    << LineChart("Facility power per day (mean solid, peak dashed)", "MW", labels, power) << "\n";
  o << "<h2>Queue length</h2>\n"
    << LineChart("Mean jobs waiting per day", "jobs", labels, queue) << "\n";
  o << "<p class='note'>Generated by rigshift simulate; every figure above is in the JSON output "
       "too.</p>\n";
  o << "</body></html>\n";
  return o.str();
}

CsvTimelineSink::CsvTimelineSink(std::ostream& out) : out_(out) {
  out_ << "time,policy,trigger,subject,action,reason\n";
}

void CsvTimelineSink::OnDecision(const DecisionRecord& r) {
  auto q = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string o = "\"";
    for (char c : s) {
      if (c == '"')
        o += "\"\"";
      else
        o.push_back(c);
    }
    return o + "\"";
  };
  out_ << FormatTimestamp(r.time) << ',' << q(r.policy) << ',' << q(r.trigger) << ','
       << q(r.subject) << ',' << q(r.action) << ',' << q(r.reason) << '\n';
  ++rows_;
}

}  // namespace rigshift::sim
