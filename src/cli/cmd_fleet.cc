// `rigshift fleet FLEET [--json] [--strict]`: the fleet summary (devices by class, nameplate power
// against the grid cap per site, GPU memory, BF16 TFLOPS, hashrate). Warnings go to stderr so that
// --json output stays clean.
#include <cstdio>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "fleet/loader.h"
#include "fleet/summary.h"

namespace rigshift::cli {

namespace {

struct FleetArgs {
  std::string fleet_path;
  bool json = false;
  bool strict = false;
};

int RunFleet(const FleetArgs& args) {
  fleet::LoadOptions options;
  options.strict = args.strict;
  Result<fleet::LoadedFleet> loaded =
      fleet::LoadFleetFile(args.fleet_path, catalog::Catalog::Builtin(), options);
  if (!loaded.ok()) return ReportError(loaded.status());
  for (const fleet::Diagnostic& w : loaded->warnings) {
    std::fprintf(stderr, "%s\n", w.ToString().c_str());
  }
  const fleet::FleetSummary summary = fleet::Summarize(loaded->fleet);
  const std::string text =
      args.json ? fleet::RenderSummaryJson(summary) : fleet::RenderSummaryText(summary);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

}  // namespace

void RegisterFleetCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<FleetArgs>();
  auto* cmd = app.add_subcommand(
      "fleet",
      "Summarise a fleet file: devices, nameplate power vs grid cap, memory, TFLOPS, hashrate");
  cmd->add_option("FLEET", args->fleet_path, "Fleet file (YAML, see docs/fleet-format.md)")
      ->required();
  cmd->add_flag("--json", args->json, "Print the summary as JSON");
  cmd->add_flag("--strict", args->strict, "Treat warnings (grid cap, cooling) as errors");
  cmd->callback([args, &ctx] { ctx.exit_code = RunFleet(*args); });
}

}  // namespace rigshift::cli
