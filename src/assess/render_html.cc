// The HTML report: one self-contained page (inline CSS, inline SVG drawn here; no scripts, no
// external fonts or files), meant to be read by someone deciding, not by a parser.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "assess/render.h"

namespace rigshift::assess {
namespace {

const char* kStrategyColor[3] = {"#d97706", "#2563eb", "#059669"};

// The NPV of each strategy and a badge for the best one: the tail of a scenario row.
void NpvCellsAndBest(std::ostringstream& h, const std::array<Money, 3>& npv, Strategy best) {
  for (size_t k = 0; k < 3; ++k) {
    h << "<td class='n" << (npv[k].IsNegative() ? " neg" : "") << "'>" << FormatMoneyShort(npv[k])
      << "</td>";
  }
  h << "<td><span class='badge' style='background:" << kStrategyColor[static_cast<int>(best)]
    << "'>" << StrategyName(best) << "</span></td></tr>";
}  // mining, convert, hybrid

std::string Esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Num(double v, int decimals = 1) {
  if (!std::isfinite(v)) v = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A "nice" axis step for a range (1, 2, 2.5, 5 x 10^k).
double NiceStep(double range, int ticks) {
  if (range <= 0) return 1;
  double raw = range / ticks;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (raw <= m * mag) return m * mag;
  }
  return 10 * mag;
}

std::string ShortNum(double v) {
  double a = std::fabs(v);
  if (a >= 1e9) return Num(v / 1e9, a >= 1e10 ? 0 : 1) + "B";
  if (a >= 1e6) return Num(v / 1e6, a >= 1e7 ? 0 : 1) + "M";
  if (a >= 1e3) return Num(v / 1e3, a >= 1e4 ? 0 : 1) + "k";
  if (a >= 10 || a == 0) return Num(v, 0);
  return Num(v, 1);
}

struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;
  bool dashed = false;
};

struct Frame {
  double w = 560, h = 270, left = 58, right = 14, top = 26, bottom = 34;
  double lo = 0, hi = 1;
  size_t n = 1;
  double X(double i) const {
    return left + (n <= 1 ? 0 : i * (w - left - right) / static_cast<double>(n - 1));
  }
  double Xband(size_t i) const {
    return left + (static_cast<double>(i) + 0.5) * (w - left - right) / static_cast<double>(n);
  }
  double Y(double v) const { return top + (hi - v) * (h - top - bottom) / (hi - lo); }
};

// Y axis with gridlines; x labels at the given indices.
std::string Axes(Frame& f, const std::string& unit,
                 const std::vector<std::pair<double, std::string>>& xlabels) {
  std::ostringstream s;
  double step = NiceStep(f.hi - f.lo, 5);
  f.lo = std::floor(f.lo / step) * step;
  f.hi = std::ceil(f.hi / step) * step;
  if (f.hi <= f.lo) f.hi = f.lo + step;
  for (double v = f.lo; v <= f.hi + step * 0.01; v += step) {
    double y = f.Y(v);
    s << "<line x1='" << Num(f.left) << "' x2='" << Num(f.w - f.right) << "' y1='" << Num(y)
      << "' y2='" << Num(y) << "' class='" << (std::fabs(v) < step * 1e-6 ? "zero" : "grid")
      << "'/>";
    s << "<text x='" << Num(f.left - 6) << "' y='" << Num(y + 4) << "' class='yl'>" << ShortNum(v)
      << "</text>";
  }
  for (const auto& [x, label] : xlabels) {
    s << "<text x='" << Num(x) << "' y='" << Num(f.h - f.bottom + 16) << "' class='xl'>"
      << Esc(label) << "</text>";
  }
  s << "<text x='4' y='12' class='unit'>" << Esc(unit) << "</text>";
  return s.str();
}

std::string Legend(const std::vector<Series>& series) {
  std::ostringstream s;
  s << "<div class='legend'>";
  for (const auto& sr : series) {
    s << "<span><i style='background:" << sr.color << "'></i>" << Esc(sr.name) << "</span>";
  }
  s << "</div>";
  return s.str();
}

void Range(const std::vector<Series>& series, double& lo, double& hi) {
  lo = 0;
  hi = 0;
  for (const auto& sr : series) {
    for (double v : sr.values) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (hi - lo < 1e-9) hi = lo + 1;
}

std::string LineChart(const std::vector<Series>& series, const std::vector<std::string>& xlabels,
                      const std::string& unit, const std::string& title) {
  Frame f;
  f.n = 1;
  for (const auto& sr : series) f.n = std::max(f.n, sr.values.size());
  Range(series, f.lo, f.hi);
  std::vector<std::pair<double, std::string>> xl;
  size_t every = std::max<size_t>(1, xlabels.size() / 8);
  for (size_t i = 0; i < xlabels.size(); i += every)
    xl.push_back({f.X(static_cast<double>(i)), xlabels[i]});
  std::ostringstream s;
  s << "<figure><figcaption>" << Esc(title) << "</figcaption><svg viewBox='0 0 " << Num(f.w, 0)
    << " " << Num(f.h, 0) << "' role='img' aria-label='" << Esc(title) << "'>";
  s << Axes(f, unit, xl);
  for (const auto& sr : series) {
    if (sr.values.empty()) continue;
    s << "<polyline fill='none' stroke='" << sr.color << "' stroke-width='2.2'"
      << (sr.dashed ? " stroke-dasharray='6 4'" : "") << " points='";
    for (size_t i = 0; i < sr.values.size(); ++i) {
      s << Num(f.X(static_cast<double>(i))) << "," << Num(f.Y(sr.values[i])) << " ";
    }
    s << "'/>";
    if (sr.values.size() <= 24) {
      for (size_t i = 0; i < sr.values.size(); ++i) {
        s << "<circle cx='" << Num(f.X(static_cast<double>(i))) << "' cy='"
          << Num(f.Y(sr.values[i])) << "' r='2.8' fill='" << sr.color << "'><title>" << Esc(sr.name)
          << " " << (i < xlabels.size() ? Esc(xlabels[i]) : "") << ": " << ShortNum(sr.values[i])
          << "</title></circle>";
      }
    }
  }
  s << "</svg>" << Legend(series) << "</figure>";
  return s.str();
}

// Stacked areas (values >= 0) with optional limit lines.
std::string AreaChart(const std::vector<Series>& stacked, const std::vector<Series>& lines,
                      const std::vector<std::string>& xlabels, const std::string& unit,
                      const std::string& title) {
  Frame f;
  f.n = 1;
  for (const auto& sr : stacked) f.n = std::max(f.n, sr.values.size());
  std::vector<double> top(f.n, 0.0);
  std::vector<std::vector<double>> bases;
  for (const auto& sr : stacked) {
    bases.push_back(top);
    for (size_t i = 0; i < sr.values.size(); ++i) top[i] += std::max(0.0, sr.values[i]);
  }
  f.lo = 0;
  f.hi = 1e-9;
  for (double v : top) f.hi = std::max(f.hi, v);
  for (const auto& l : lines) {
    for (double v : l.values) f.hi = std::max(f.hi, v);
  }
  f.hi *= 1.05;
  std::vector<std::pair<double, std::string>> xl;
  size_t every = std::max<size_t>(1, xlabels.size() / 8);
  for (size_t i = 0; i < xlabels.size(); i += every)
    xl.push_back({f.X(static_cast<double>(i)), xlabels[i]});
  std::ostringstream s;
  s << "<figure><figcaption>" << Esc(title) << "</figcaption><svg viewBox='0 0 " << Num(f.w, 0)
    << " " << Num(f.h, 0) << "' role='img' aria-label='" << Esc(title) << "'>";
  s << Axes(f, unit, xl);
  for (size_t k = 0; k < stacked.size(); ++k) {
    const auto& sr = stacked[k];
    s << "<polygon fill='" << sr.color << "' fill-opacity='0.75' stroke='none' points='";
    for (size_t i = 0; i < f.n; ++i) {
      double v = i < sr.values.size() ? std::max(0.0, sr.values[i]) : 0;
      s << Num(f.X(static_cast<double>(i))) << "," << Num(f.Y(bases[k][i] + v)) << " ";
    }
    for (size_t i = f.n; i-- > 0;)
      s << Num(f.X(static_cast<double>(i))) << "," << Num(f.Y(bases[k][i])) << " ";
    s << "'/>";
  }
  for (const auto& l : lines) {
    s << "<polyline fill='none' stroke='" << l.color << "' stroke-width='1.8'"
      << (l.dashed ? " stroke-dasharray='6 4'" : "") << " points='";
    for (size_t i = 0; i < l.values.size(); ++i) {
      s << Num(f.X(static_cast<double>(i))) << "," << Num(f.Y(l.values[i])) << " ";
    }
    s << "'/>";
  }
  std::vector<Series> all = stacked;
  all.insert(all.end(), lines.begin(), lines.end());
  s << "</svg>" << Legend(all) << "</figure>";
  return s.str();
}

// Horizontal bars for a few labelled values (may be negative).
std::string BarChart(const std::vector<std::pair<std::string, double>>& bars,
                     const std::vector<std::string>& colors, const std::string& unit,
                     const std::string& title) {
  const double w = 560, row = 30, left = 120, right = 90;
  const double h = 20 + row * static_cast<double>(bars.size());
  double lo = 0, hi = 0;
  for (const auto& b : bars) {
    lo = std::min(lo, b.second);
    hi = std::max(hi, b.second);
  }
  if (hi - lo < 1e-9) hi = lo + 1;
  auto X = [&](double v) { return left + (v - lo) * (w - left - right) / (hi - lo); };
  std::ostringstream s;
  s << "<figure><figcaption>" << Esc(title) << "</figcaption><svg viewBox='0 0 " << Num(w, 0) << " "
    << Num(h, 0) << "' role='img' aria-label='" << Esc(title) << "'>";
  s << "<line x1='" << Num(X(0)) << "' x2='" << Num(X(0)) << "' y1='6' y2='" << Num(h - 6)
    << "' class='zero'/>";
  for (size_t i = 0; i < bars.size(); ++i) {
    double y = 12 + row * static_cast<double>(i);
    double x0 = X(std::min(0.0, bars[i].second)), x1 = X(std::max(0.0, bars[i].second));
    s << "<text x='" << Num(left - 8) << "' y='" << Num(y + 14) << "' class='yl'>"
      << Esc(bars[i].first) << "</text>";
    s << "<rect x='" << Num(x0) << "' y='" << Num(y) << "' width='" << Num(std::max(1.0, x1 - x0))
      << "' height='20' rx='3' fill='" << colors[i % colors.size()] << "'/>";
    s << "<text x='" << Num(x1 + 6) << "' y='" << Num(y + 14) << "' class='bl'>"
      << ShortNum(bars[i].second) << " " << Esc(unit) << "</text>";
  }
  s << "</svg></figure>";
  return s.str();
}

std::string ClassChip(AiClass c) {
  static const char* kCss[] = {"c0", "c1", "c2", "c3"};
  return std::string("<span class='chip ") + kCss[static_cast<int>(c)] + "'>" + AiClassName(c) +
         "</span>";
}

std::vector<std::string> MonthLabels(const std::vector<MonthValue>& months) {
  static const char* kNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::vector<std::string> out;
  for (const auto& m : months) {
    int mo = MonthOf(m.start);
    out.push_back(std::string(kNames[(mo - 1) % 12]) +
                  (mo == 1 || out.empty() ? " " + std::to_string(YearOf(m.start)) : ""));
  }
  return out;
}

std::string Payback(const StrategyResult& r) {
  if (r.capex.IsZero()) return "&ndash;";
  if (!r.payback_months) return "never";
  return Num(std::ceil(*r.payback_months), 0) + " mo";
}

const char* kCss = R"CSS(
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2937;background:#f3f4f6}
header{background:linear-gradient(120deg,#0f172a,#1e3a8a);color:#f8fafc;padding:28px 40px 24px}
header h1{margin:0 0 4px;font-size:26px;font-weight:650}
header p{margin:0;color:#cbd5e1}
main{max-width:1200px;margin:0 auto;padding:24px 32px 48px}
section{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:20px 24px;margin:0 0 20px}
h2{font-size:18px;margin:0 0 12px;color:#0f172a}
h3{font-size:15px;margin:16px 0 8px;color:#334155}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:14px;margin:-40px 0 20px}
.card{background:#fff;border-radius:10px;padding:14px 18px;box-shadow:0 2px 6px rgba(0,0,0,.10)}
.card b{display:block;font-size:24px;color:#0f172a}
.card span{font-size:13px;color:#64748b}
.rec{display:flex;gap:12px;align-items:flex-start;padding:10px 0;border-top:1px solid #e5e7eb}
.rec:first-of-type{border-top:0}
.badge{flex:none;color:#fff;border-radius:999px;padding:2px 12px;font-size:13px;font-weight:600;margin-top:2px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:18px}
figure{margin:0 0 14px}
figcaption{font-weight:600;font-size:14px;color:#334155;margin-bottom:4px}
svg{width:100%;height:auto;display:block}
svg .grid{stroke:#e5e7eb;stroke-width:1}
svg .zero{stroke:#6b7280;stroke-width:1.2}
svg text{font-size:11px;fill:#6b7280}
svg .yl{text-anchor:end}
svg .xl{text-anchor:middle}
svg .bl{fill:#111827;font-weight:600}
svg .unit{fill:#374151;font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:14px;font-size:13px;color:#374151;margin-top:4px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{padding:6px 8px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}
th{background:#f8fafc;color:#475569;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.best td{background:#ecfdf5}
.neg{color:#b91c1c}
.chip{display:inline-block;border-radius:6px;padding:1px 8px;font-size:12px;font-weight:600;white-space:nowrap}
.c0{background:#fee2e2;color:#991b1b}.c1{background:#fef3c7;color:#92400e}
.c2{background:#dbeafe;color:#1e40af}.c3{background:#d1fae5;color:#065f46}
.fit{font-size:12px;white-space:nowrap}
.fit1{background:#d1fae5}.fitn{background:#e0f2fe}.fit0{background:#f3f4f6;color:#9ca3af}
.muted{color:#6b7280;font-size:13px}
ul.reasons{margin:4px 0 0 18px;padding:0;color:#4b5563;font-size:13px}
.warn{background:#fffbeb;border-left:4px solid #f59e0b}
footer{color:#6b7280;font-size:12.5px;max-width:1200px;margin:0 auto;padding:0 32px 32px}
)CSS";

}  // namespace

std::string RenderHtml(const Assessment& a) {
  const AssessOptions& o = a.options;
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
    << "<meta name='viewport' content='width=device-width,initial-scale=1'>"
    << "<title>rigshift assess: " << Esc(a.fleet_name) << "</title><style>" << kCss
    << "</style></head><body>";
  h << "<header><h1>What " << Esc(a.fleet_name) << " is worth as AI compute</h1><p>Window "
    << FormatDate(a.from) << " &rarr; " << FormatDate(a.to) << " &middot; NPV over "
    << o.horizon_months << " months at " << Num(o.discount_rate * 100, 0)
    << "&nbsp;%/yr &middot; AI utilisation "
    << Num(static_cast<double>(o.ai_utilisation_permille) / 10.0, 0)
    << "&nbsp;%</p></header><main>";

  // Headline cards.
  int64_t devices = 0, ai_gpus = 0;
  Money capex;
  for (const auto& g : a.groups) devices += g.devices;
  for (const auto& s : a.sites) {
    const UpgradePlan& p = s.recommended == Strategy::kConvert ? s.convert_plan : s.hybrid_plan;
    if (s.recommended != Strategy::kKeepMining) {
      ai_gpus += p.ai_gpus;
      capex += p.capex;
    }
  }
  h << "<div class='cards'>"
    << "<div class='card'><span>NPV of the recommended plan</span><b>"
    << FormatMoneyShort(a.recommended_npv) << "</b><span>vs " << FormatMoneyShort(a.fleet[0].npv)
    << " keeping everything mining</span></div>"
    << "<div class='card'><span>GPUs to rent for AI</span><b>" << FormatCount(ai_gpus)
    << "</b><span>of " << FormatCount(devices) << " devices in the fleet</span></div>"
    << "<div class='card'><span>Capex of the recommended plan</span><b>" << FormatMoneyShort(capex)
    << "</b><span>upgrades and re-fits</span></div>"
    << "<div class='card'><span>Sites</span><b>" << a.sites.size() << "</b><span>"
    << Esc(std::to_string(a.groups.size())) << " device groups</span></div></div>";

  // Recommendation first.
  h << "<section><h2>Recommendation</h2>";
  for (const auto& s : a.sites) {
    h << "<div class='rec'><span class='badge' style='background:"
      << kStrategyColor[static_cast<int>(s.recommended)] << "'>" << StrategyName(s.recommended)
      << "</span><div>" << Esc(s.recommendation) << "</div></div>";
  }
  h << "</section>";

  // Fleet money.
  {
    std::vector<Series> series;
    std::vector<std::string> labels;
    for (size_t k = 0; k < 3; ++k) {
      Series sr{StrategyName(static_cast<Strategy>(k)), kStrategyColor[k], {}, false};
      for (const auto& m : a.fleet[k].months) sr.values.push_back(ToUsd(m.Margin()));
      if (labels.empty()) labels = MonthLabels(a.fleet[k].months);
      series.push_back(sr);
    }
    std::vector<std::pair<std::string, double>> npv;
    std::vector<std::string> colors;
    for (size_t k = 0; k < 3; ++k) {
      npv.push_back({StrategyName(static_cast<Strategy>(k)), ToUsd(a.fleet[k].npv)});
      colors.push_back(kStrategyColor[k]);
    }
    h << "<section><h2>The money, fleet-wide</h2><div class='grid2'>"
      << LineChart(series, labels, "USD", "Monthly margin per strategy (before capex)")
      << BarChart(npv, colors, "USD",
                  "NPV over " + std::to_string(o.horizon_months) + " months (capex included)")
      << "</div>";
    h << "<h3>Per site and strategy (window totals)</h3><table><tr><th>site</th><th>strategy</th>"
      << "<th class='n'>mining</th><th class='n'>AI</th><th class='n'>energy</th><th "
         "class='n'>opex</th>"
      << "<th class='n'>capex</th><th class='n'>margin</th><th class='n'>NPV</th><th "
         "class='n'>payback</th></tr>";
    for (const auto& s : a.sites) {
      for (const auto& r : s.strategies) {
        h << "<tr" << (r.strategy == s.recommended ? " class='best'" : "") << "><td>" << Esc(s.id)
          << "</td><td>" << StrategyName(r.strategy) << "</td><td class='n'>"
          << FormatMoneyShort(r.revenue_mining) << "</td><td class='n'>"
          << FormatMoneyShort(r.revenue_ai) << "</td><td class='n'>"
          << FormatMoneyShort(r.energy_cost) << "</td><td class='n'>" << FormatMoneyShort(r.opex)
          << "</td><td class='n'>" << FormatMoneyShort(r.capex) << "</td><td class='n"
          << (r.margin.IsNegative() ? " neg" : "") << "'>" << FormatMoneyShort(r.margin)
          << "</td><td class='n" << (r.npv.IsNegative() ? " neg" : "") << "'>"
          << FormatMoneyShort(r.npv) << "</td><td class='n'>" << Payback(r) << "</td></tr>";
      }
    }
    h << "</table>";
    if (!a.outlook.scenarios.empty()) {
      h << "<h3>Mining outlook: fleet NPV by BTC price scenario</h3><p>" << Esc(OutlookSummary(a))
        << "</p><table><tr><th>scenario</th><th>BTC price</th><th class='n'>hashprice at end "
           "(USD/TH/day)</th>";
      for (Strategy st : kStrategies) h << "<th class='n'>" << StrategyName(st) << "</th>";
      h << "<th>best</th></tr>";
      for (const auto& s : a.outlook.scenarios) {
        const double end = s.hashprice_usd_per_ths_day.empty()
                               ? 0.0
                               : s.hashprice_usd_per_ths_day.back();
        h << "<tr><td>" << Esc(market::PriceScenarioName(s.scenario)) << "</td><td>"
          << Esc(ScenarioPriceAssumption(a, s)) << "</td><td class='n'>" << FormatFixed(end, 4)
          << "</td>";
        NpvCellsAndBest(h, s.npv, s.best);
      }
      h << "</table>";
    }
    if (!a.sensitivity.empty()) {
      h << "<h3>Sensitivity: fleet NPV when prices move</h3><table><tr><th>scenario</th>";
      for (Strategy st : kStrategies) h << "<th class='n'>" << StrategyName(st) << "</th>";
      h << "<th>best</th></tr>";
      for (const auto& r : a.sensitivity) {
        h << "<tr><td>" << Esc(r.scenario) << "</td>";
        NpvCellsAndBest(h, r.npv, r.best);
      }
      h << "</table>";
    }
    h << "</section>";
  }

  // Per site: envelope use and price duration.
  for (const auto& s : a.sites) {
    const StrategyResult& rec = s.strategies[static_cast<size_t>(s.recommended)];
    h << "<section><h2>Site " << Esc(s.id) << (s.name.empty() ? "" : " &middot; " + Esc(s.name))
      << "</h2>";
    const auto& e = s.envelope;
    h << "<p class='muted'>Grid " << FormatPower(e.grid_cap) << " at PUE "
      << Num(e.pue_milli / 1000.0, 2) << " &rarr; IT cap " << FormatPower(e.it_cap) << "; cooling "
      << FormatPower(e.cooling_limit) << "; nameplate IT " << FormatPower(e.nameplate_it)
      << "; binding: " << econ::EnvelopeLimitName(e.binding) << ". Market " << Esc(s.market)
      << ", mean price paid " << Num(s.mean_price_usd_per_mwh, 1) << " USD/MWh.</p>";
    std::vector<std::string> days;
    for (size_t d = 0; d < rec.daily_ai_mw.size(); ++d) {
      days.push_back(FormatDate(a.from + static_cast<int64_t>(d) * kDay).substr(0, 7));
    }
    std::vector<double> cap(rec.daily_ai_mw.size(), ToMegawatts(e.FacilityItLimit()));
    std::vector<double> plate(rec.daily_ai_mw.size(), ToMegawatts(e.nameplate_it));
    std::vector<Series> stacked = {{"AI", "#2563eb", rec.daily_ai_mw, false},
                                   {"mining", "#d97706", rec.daily_mining_mw, false}};
    std::vector<Series> lines = {{"IT limit (grid/PUE, cooling)", "#b91c1c", cap, true},
                                 {"nameplate IT", "#6b7280", plate, true}};
    std::vector<Series> pdc = {{"price paid (market + adder)", "#7c3aed", s.price_duration, false}};
    if (s.mining_break_even_usd_per_mwh != 0) {
      pdc.push_back({"ASIC break-even", "#d97706",
                     std::vector<double>(s.price_duration.size(), s.mining_break_even_usd_per_mwh),
                     true});
    }
    std::vector<std::string> pct;
    for (size_t i = 0; i < s.price_duration.size(); ++i) {
      pct.push_back(Num(100.0 * static_cast<double>(i) /
                            std::max<double>(1, static_cast<double>(s.price_duration.size() - 1)),
                        0) +
                    "%");
    }
    h << "<div class='grid2'>"
      << AreaChart(stacked, lines, days, "MW",
                   std::string("Power envelope use, daily mean IT power (") +
                       StrategyName(s.recommended) + ")")
      << LineChart(pdc, pct, "USD/MWh", "Price duration curve: share of hours at or above a price")
      << "</div>";
    std::vector<Series> ms;
    std::vector<std::string> labels;
    for (size_t k = 0; k < 3; ++k) {
      Series sr{StrategyName(static_cast<Strategy>(k)), kStrategyColor[k], {}, false};
      for (const auto& m : s.strategies[k].months) sr.values.push_back(ToUsd(m.Margin()));
      if (labels.empty()) labels = MonthLabels(s.strategies[k].months);
      ms.push_back(sr);
    }
    h << "<div class='grid2'>"
      << LineChart(ms, labels, "USD", "Monthly margin per strategy at " + s.id);
    std::vector<std::pair<std::string, double>> npv;
    std::vector<std::string> colors;
    for (size_t k = 0; k < 3; ++k) {
      npv.push_back({StrategyName(static_cast<Strategy>(k)), ToUsd(s.strategies[k].npv)});
      colors.push_back(kStrategyColor[k]);
    }
    h << BarChart(npv, colors, "USD", "NPV per strategy at " + s.id) << "</div>";
    if (s.break_even_gpu_hour) {
      h << "<p>Convert matches keep-mining at <b>" << Num(s.break_even_price_scale, 2)
        << "&times;</b> today's GPU-hour prices ("
        << Num(ToUsdPerGpuHour(*s.break_even_gpu_hour), 2) << " USD/h for " << Esc(s.break_even_gpu)
        << ").</p>";
    }
    const UpgradePlan& plan = s.convert_plan;
    if (!plan.items.empty()) {
      h << "<h3>Upgrade plan (convert): " << FormatMoneyShort(plan.capex) << " capex, "
        << FormatMoneyShort(plan.monthly_opex) << "/month opex; hybrid buys "
        << FormatMoneyShort(s.hybrid_plan.capex)
        << "</h3><table><tr><th>item</th><th class='n'>qty</th><th class='n'>unit</th><th "
           "class='n'>total</th>"
        << "<th>why</th></tr>";
      for (const auto& i : plan.items) {
        h << "<tr><td>" << Esc(i.item) << "</td><td class='n'>" << FormatCount(i.quantity)
          << "</td><td class='n'>" << FormatMoneyShort(i.unit_cost) << "</td><td class='n'>"
          << FormatMoneyShort(i.Total()) << "</td><td class='muted'>" << Esc(i.reason)
          << "</td></tr>";
      }
      h << "</table>";
      if (!plan.notes.empty()) {
        h << "<ul class='reasons'>";
        for (const auto& n : plan.notes) h << "<li>" << Esc(n) << "</li>";
        h << "</ul>";
      }
    }
    h << "</section>";
  }

  // Suitability.
  h << "<section><h2>What each device group can serve</h2><table><tr><th>site</th><th "
       "class='n'>devices</th>"
    << "<th>model</th><th>host</th><th>now</th><th>after upgrade</th><th "
       "class='n'>USD/GPU-h</th></tr>";
  for (const auto& g : a.groups) {
    std::string host = g.kind == catalog::DeviceKind::kAsic
                           ? "&ndash;"
                           : "x" + std::to_string(g.pcie_lanes) + (g.nvlink ? " + NVLink" : "") +
                                 ", " + std::to_string(g.host_cpu_cores) + " cores, " +
                                 Num(g.host_ram_gb, 0) + " GB RAM";
    h << "<tr><td>" << Esc(a.sites[static_cast<size_t>(g.site)].id) << "</td><td class='n'>"
      << FormatCount(g.devices) << "</td><td>" << Esc(g.model);
    if (!g.reasons.empty()) {
      h << "<ul class='reasons'>";
      for (const auto& r : g.reasons) h << "<li>" << Esc(r) << "</li>";
      h << "</ul>";
    }
    h << "</td><td>" << host << "</td><td>" << ClassChip(g.now) << "</td><td>"
      << ClassChip(g.after_upgrade) << "</td><td class='n'>"
      << (g.gpu ? Num(ToUsdPerGpuHour(g.gpu_hour_price), 2) : "&ndash;") << "</td></tr>";
  }
  h << "</table></section>";

  // LLM matrix.
  std::vector<const DeviceGroupAssessment*> gpu_models;
  std::set<std::string> seen;
  for (const auto& g : a.groups) {
    if (g.gpu != nullptr && g.after_upgrade != AiClass::kNotSuitable &&
        seen.insert(g.model).second) {
      gpu_models.push_back(&g);
    }
  }
  if (!gpu_models.empty()) {
    h << "<section><h2>Which open LLMs fit where (after the upgrade)</h2><p class='muted'>Per "
         "cell: the "
      << "precision and GPU count of the smallest replica, then decode tokens/s at batch 1 and at "
         "the batch "
      << "that fits (up to " << o.decode_batch << "), from a memory-bandwidth roofline at "
      << Num(static_cast<double>(o.bandwidth_efficiency_permille) / 10.0, 0)
      << "&nbsp;% of peak; KV cache for " << o.context_tokens
      << " tokens.</p><table><tr><th>model</th>";
    for (const auto* g : gpu_models) {
      h << "<th>" << Esc(g->model) << "<br><span class='muted'>" << Num(g->gpu->memory_gb, 0)
        << " GB, " << Num(g->gpu->memory_bandwidth_gbs, 0) << " GB/s</span></th>";
    }
    h << "</tr>";
    for (const auto& m : o.models) {
      h << "<tr><td>" << Esc(m.name) << "<br><span class='muted'>"
        << Num(static_cast<double>(m.params) / 1e9, 1) << " B params</span></td>";
      for (const auto* g : gpu_models) {
        const LlmFit* best = nullptr;
        for (const auto& f : g->llm) {
          if (f.model != m.name || f.gpus == 0) continue;
          if (best == nullptr || f.gpus < best->gpus) best = &f;
        }
        if (best == nullptr) {
          h << "<td class='fit fit0'>does not fit</td>";
        } else {
          h << "<td class='fit " << (best->gpus == 1 ? "fit1" : "fitn") << "'>"
            << PrecisionName(best->precision) << " &times;" << best->gpus << "<br>"
            << Num(best->tokens_per_s_batch1, 0) << " / " << Num(best->tokens_per_s_batched, 0)
            << " tok/s</td>";
        }
      }
      h << "</tr>";
    }
    h << "</table><h3>Training jobs that make sense</h3><ul class='reasons'>";
    for (const auto* g : gpu_models) {
      std::string jobs;
      for (size_t i = 0; i < g->training.jobs.size(); ++i)
        jobs += (i ? "; " : "") + g->training.jobs[i];
      h << "<li><b>" << Esc(g->model) << "</b>: " << Esc(jobs) << "</li>";
    }
    h << "</ul></section>";
  }

  if (!a.warnings.empty()) {
    h << "<section class='warn'><h2>Warnings</h2><ul>";
    for (const auto& w : a.warnings) h << "<li>" << Esc(w) << "</li>";
    h << "</ul></section>";
  }
  h << "</main><footer>Markets: " << Esc(a.market_description)
    << ". Costs: docs/cost-table.md (overridable with --costs). Generated by rigshift "
       "assess.</footer></body></html>\n";
  return h.str();
}

}  // namespace rigshift::assess
