// `rigshift validate FLEET [--strict]`: loads a fleet file against the builtin catalogue and
// reports "FILE: ok (N sites, M devices)" with any warnings, or every error found (stderr, exit 3).
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

struct ValidateArgs {
  std::string fleet_path;
  bool strict = false;
};

int RunValidate(const ValidateArgs& args) {
  fleet::LoadOptions options;
  options.strict = args.strict;
  Result<fleet::LoadedFleet> loaded =
      fleet::LoadFleetFile(args.fleet_path, catalog::Catalog::Builtin(), options);
  if (!loaded.ok()) {
    // One line per problem, each already "FILE:LINE:COL: path: message".
    std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
    std::fprintf(stderr, "%s: invalid\n", args.fleet_path.c_str());
    return loaded.status().code() == StatusCode::kIoError ? kExitFailed : kExitInvalidInput;
  }
  const fleet::FleetSummary summary = fleet::Summarize(loaded->fleet);
  const int64_t devices = summary.total.gpus + summary.total.asics;
  std::printf("%s: ok (%zu %s, %lld %s)\n", args.fleet_path.c_str(), summary.sites.size(),
              summary.sites.size() == 1 ? "site" : "sites", static_cast<long long>(devices),
              devices == 1 ? "device" : "devices");
  for (const fleet::Diagnostic& w : loaded->warnings) std::printf("%s\n", w.ToString().c_str());
  return kExitOk;
}

}  // namespace

void RegisterValidateCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand(
      "validate", "Check a fleet file: syntax, catalogue models, power limits (exit 3 if invalid)");
  cmd->add_option("FLEET", args->fleet_path, "Fleet file (YAML, see docs/fleet-format.md)")
      ->required();
  cmd->add_flag("--strict", args->strict, "Treat warnings (grid cap, cooling, NVLink) as errors");
  cmd->callback([args, &ctx] { ctx.exit_code = RunValidate(*args); });
}

}  // namespace rigshift::cli
