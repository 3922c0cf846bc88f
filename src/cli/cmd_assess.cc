// `rigshift assess FLEET`: what of a mining fleet can serve AI, what must change, what it costs and
// whether it pays, over real market history (assess/assess.h). Text report by default, --json for
// the full result, --html FILE for a self-contained report with charts. Markets come from
// --prices/--hashprice/--gpu-prices files, a --data-dir in the ../shared/data layout, or the
// embedded default scenario, piece by piece (market/market_data.h).
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "assess/assess.h"
#include "assess/render.h"
#include "catalog/catalog.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "core/text.h"
#include "core/time.h"
#include "fleet/loader.h"
#include "market/market_data.h"

namespace rigshift::cli {

namespace {

struct AssessArgs {
  std::string fleet_path;
  std::vector<std::string> prices;  // MARKET=PATH
  std::string data_dir;
  std::vector<std::string> hashprice;
  std::string gpu_prices;
  std::string from, to;
  std::string costs;
  std::string models;
  std::string html;
  std::string refit_gpu;
  bool json = false;
  bool strict = false;
  double utilisation_pct = 70;
  double discount_pct = 12;
  int horizon_months = 36;
  double stress_price = 0.5;
  int trend_months = 48;
  bool no_projection = false;
};

Result<TimePoint> ParseDateFlag(const std::string& flag, const std::string& text) {
  auto t = ParseTimestamp(text);
  if (!t.ok()) return Status::InvalidArgument(flag + ": " + t.status().message());
  return *t;
}

int RunAssess(const AssessArgs& args) {
  {
    std::vector<NamedPath> inputs = {{"FLEET", args.fleet_path},
                                     {"--gpu-prices", args.gpu_prices},
                                     {"--costs", args.costs},
                                     {"--models", args.models}};
    AppendMarketInputs(args.prices, args.hashprice, &inputs);
    if (Status s = CheckOutputPaths(inputs, {{"--html", args.html}}); !s.ok()) return ReportError(s);
  }
  // Rounded to whole permille below; a positive value that rounds to 0 would mean "no AI".
  if (args.utilisation_pct > 0 && args.utilisation_pct < 0.05) {
    return ReportError(Status::InvalidArgument(
        "--utilisation: " + std::to_string(args.utilisation_pct) +
        " rounds to 0 %; expected 0 or 0.1 .. 100 (percent, to one decimal)"));
  }
  ProgressBar progress("assess", 5);
  fleet::LoadOptions load_options;
  load_options.strict = args.strict;
  Result<fleet::LoadedFleet> loaded =
      fleet::LoadFleetFile(args.fleet_path, catalog::Catalog::Builtin(), load_options);
  if (!loaded.ok()) return ReportError(loaded.status());
  for (const fleet::Diagnostic& w : loaded->warnings)
    std::fprintf(stderr, "%s\n", w.ToString().c_str());
  progress.Update(1);

  assess::AssessOptions options;
  if (!args.from.empty()) {
    auto t = ParseDateFlag("--from", args.from);
    if (!t.ok()) return ReportError(t.status());
    options.from = *t;
  }
  if (!args.to.empty()) {
    auto t = ParseDateFlag("--to", args.to);
    if (!t.ok()) return ReportError(t.status());
    options.to = *t;
  }
  if (options.from && options.to && *options.to <= *options.from) {
    return ReportError(Status::InvalidArgument("--to must be after --from"));
  }
  if (!(args.utilisation_pct >= 0 && args.utilisation_pct <= 100)) {
    return ReportError(Status::InvalidArgument("--utilisation: expected 0..100 (percent)"));
  }
  options.ai_utilisation_permille = static_cast<int64_t>(args.utilisation_pct * 10 + 0.5);
  options.discount_rate = args.discount_pct / 100.0;
  options.horizon_months = args.horizon_months;
  if (!(args.stress_price > 0 && args.stress_price <= 10)) {
    return ReportError(Status::InvalidArgument("--btc-stress: expected a factor in (0, 10]"));
  }
  if (args.trend_months < 6 || args.trend_months > 600) {
    return ReportError(Status::InvalidArgument("--trend-months: expected 6..600"));
  }
  options.outlook.stress_price_factor = args.stress_price;
  options.outlook.lookback_months = args.trend_months;
  options.project_mining = !args.no_projection;
  if (!args.refit_gpu.empty()) {
    const catalog::GpuModel* g = catalog::Catalog::Builtin().FindGpu(args.refit_gpu);
    if (g == nullptr) {
      return ReportError(
          Status::InvalidArgument("--refit-gpu: unknown GPU '" + args.refit_gpu + "'"));
    }
    options.refit_gpu = g->name;
    // The cost table prices 8-GPU servers of two kinds (docs/cost-table.md).
    std::string lower = ToLower(g->name);
    if (lower.find("l40s") != std::string::npos) {
      options.refit_server_cost_key = "refit_server_l40s";
      options.refit_server_kw_key = "refit_server_l40s_kw";
    } else if (lower.find("h100") == std::string::npos) {
      return ReportError(Status::InvalidArgument(
          "--refit-gpu: the cost table prices 8x H100 SXM and 8x L40S servers, not '" + g->name +
          "'"));
    }
  }
  if (!args.costs.empty()) {
    Status s = options.costs.ApplyOverridesFile(args.costs);
    if (!s.ok()) return ReportError(s);
  }
  if (!args.models.empty()) {
    auto m = assess::LoadLlmModelsFile(args.models);
    if (!m.ok()) return ReportError(m.status());
    for (const auto& w : m->warnings) std::fprintf(stderr, "rigshift: warning: %s\n", w.c_str());
    options.models = m->models;
  }
  progress.Update(2);

  // Markets: the sites' tariffs, over the years the window needs.
  auto market_options = MarketOptionsForFleet(loaded->fleet, args.data_dir, args.prices);
  if (!market_options.ok()) return ReportError(market_options.status());
  market::MarketDataOptions mo = std::move(*market_options);
  if (options.from) mo.from_year = YearOf(*options.from);
  if (options.to) mo.to_year = YearOf(*options.to - 1);
  if (options.from && !options.to) mo.to_year = std::max(mo.from_year, mo.to_year);
  if (options.to && !options.from) mo.from_year = std::min(mo.from_year, mo.to_year);
  mo.hashprice_files = args.hashprice;
  mo.gpu_price_file = args.gpu_prices;
  Result<market::LoadedMarketData> md = market::LoadMarketDataWithReport(mo);
  if (!md.ok()) return ReportError(md.status());
  progress.Update(3);

  Result<assess::Assessment> a = assess::Assess(loaded->fleet, md->data, options);
  if (!a.ok()) return ReportError(a.status());
  progress.Update(4);

  if (!args.html.empty()) {
    if (Status s = WriteFileAtomically(args.html, assess::RenderHtml(*a)); !s.ok()) return ReportError(s);
  }
  progress.Update(5);
  progress.Finish();
  std::string text = args.json ? assess::RenderJson(*a) : assess::RenderText(*a);
  if (!args.html.empty() && !args.json) text += "\nHTML report written to " + args.html + "\n";
  if (Status s = WriteStdout(text); !s.ok()) return ReportError(s);
  return kExitOk;
}

}  // namespace

void RegisterAssessCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<AssessArgs>();
  auto* cmd = app.add_subcommand(
      "assess", "What a mining fleet is worth as AI compute: suitability, upgrades, money, advice");
  cmd->add_option("FLEET", args->fleet_path, "Fleet file (YAML, see docs/fleet-format.md)")
      ->required();
  cmd->add_option("--prices", args->prices,
                  "MARKET=PATH: hourly prices (green-dcc CSV) for a tariff market; repeatable");
  cmd->add_option("--data-dir", args->data_dir,
                  "Reference data in the ../shared/data layout (electricity and bitcoin)");
  cmd->add_option("--hashprice", args->hashprice,
                  "Hashprice: a derived CSV or blockchain.com chart exports (JSON); repeatable");
  cmd->add_option("--gpu-prices", args->gpu_prices, "GPU-hour price table (CSV gpu,usd_per_hour)");
  cmd->add_option("--from", args->from, "Window start (YYYY-MM-DD); default: latest full year");
  cmd->add_option("--to", args->to, "Window end, exclusive (YYYY-MM-DD)");
  cmd->add_option("--costs", args->costs, "Cost table overrides (YAML or CSV, docs/cost-table.md)");
  cmd->add_option("--models", args->models, "LLM architectures (llm_architectures.csv format)");
  cmd->add_option("--utilisation", args->utilisation_pct, "AI utilisation, percent (default 70)");
  cmd->add_option("--discount-rate", args->discount_pct,
                  "Discount rate, percent per year (default 12)");
  cmd->add_option("--horizon", args->horizon_months, "NPV horizon in months (default 36)");
  cmd->add_option("--btc-stress", args->stress_price,
                  "Stress scenario: BTC price factor after the window (default 0.5)");
  cmd->add_option("--trend-months", args->trend_months,
                  "Months of history the difficulty and price trends are fitted to (default 48)");
  cmd->add_flag("--no-mining-projection", args->no_projection,
                "Repeat the window's hashprice over the horizon (no halving, trend or scenarios)");
  cmd->add_option("--refit-gpu", args->refit_gpu,
                  "GPU of the servers ASIC halls are re-fitted with");
  cmd->add_flag("--json", args->json, "Print the full result as JSON");
  cmd->add_option("--html", args->html, "Also write a self-contained HTML report to FILE");
  cmd->add_flag("--strict", args->strict, "Treat fleet warnings (grid cap, cooling) as errors");
  cmd->callback([args, &ctx] { ctx.exit_code = RunAssess(*args); });
}

}  // namespace rigshift::cli
