// Renderers of an Assessment: a terminal report (recommendation first, tables readable in 100
// columns), the full result as JSON, and a self-contained HTML page with inline SVG charts
// (no scripts, no external fonts or files). Pure: they return strings; the CLI writes them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "assess/assess.h"

namespace rigshift::assess {

std::string RenderText(const Assessment& a);
nlohmann::json ToJson(const Assessment& a);
std::string RenderJson(const Assessment& a);  // ToJson(a).dump(2)
std::string RenderHtml(const Assessment& a);

// Shared formatting (render_format.cc).
std::string FormatMoneyShort(Money m);            // "1.23 M USD", "-45 k USD", "812 USD"
std::string FormatCount(int64_t n);               // "17,088"
std::string FormatFixed(double v, int decimals);  // "12.5"
// The BTC price assumption of a scenario: "held at window end", "+35 %/yr (fitted)",
// "x0.50 after the window".
std::string ScenarioPriceAssumption(const Assessment& a, const ScenarioOutlook& s);
// One sentence on the projection: fit span, difficulty trend, halvings and fees (or why none).
std::string OutlookSummary(const Assessment& a);

}  // namespace rigshift::assess
