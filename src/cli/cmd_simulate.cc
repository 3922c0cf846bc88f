// Placeholder: replaced when the simulate command lands.
#include "cli/commands.h"

namespace rigshift::cli {

void RegisterSimulateCommand(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("simulate", "(not yet available)");
  cmd->callback([&ctx] { ctx.exit_code = 1; });
}

}  // namespace rigshift::cli
